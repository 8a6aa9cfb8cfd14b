import { DimensionMismatchError, matrixRow, type Float32Matrix, type ProgressCallback, type VectorIndex, checkInteger } from '@score/core';
import type { BehaviourCorpus } from './behaviour-corpus';
import type { LanceVectorRecord } from './lance-vector-index';

/** Embeds texts: one matrix row per text, e.g. a `TextEmbeddingModel`'s `embed`. */
export type EmbedTexts = (texts: readonly string[]) => Promise<Float32Matrix>;

/** Options of {@link indexBehaviourCorpus}. */
export interface IndexBehaviourCorpusOptions {
  /** Where the entries go (a {@link LanceVectorIndex} keeps the snapshot chains). */
  readonly index: VectorIndex;
  readonly corpus: BehaviourCorpus;
  /** The text encoder (CAR, or the untuned base encoder). */
  readonly embed: EmbedTexts;
  /**
   * Entries embedded and added per call.
   * @defaultValue 256
   */
  readonly batchSize?: number;
  /**
   * Receives `car.index` progress (entries done).
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
  /**
   * Stops between batches when aborted (with the signal's reason).
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
}

/**
 * Embeds every corpus entry and adds it to the index: id = user id, text = d(H(u)),
 * `asOf` and `supersededAt` from the snapshot. Returns the number of entries added.
 */
export async function indexBehaviourCorpus(options: IndexBehaviourCorpusOptions): Promise<number> {
  const batchSize = options.batchSize ?? 256;
  checkInteger('batchSize', batchSize, 1);
  const entries = options.corpus.entries;
  for (let start = 0; start < entries.length; start += batchSize) {
    options.signal?.throwIfAborted();
    const batch = entries.slice(start, start + batchSize);
    const vectors = await options.embed(batch.map((entry) => entry.text));
    if (vectors.rows !== batch.length) {
      throw new DimensionMismatchError(`The embedding of ${batch.length} behaviour texts (its row count)`, batch.length, vectors.rows);
    }
    const records: LanceVectorRecord[] = batch.map((entry, i) => ({
      id: entry.userId,
      vector: matrixRow(vectors, i),
      text: entry.text,
      asOf: entry.asOf,
      ...(entry.supersededAt === undefined ? {} : { supersededAt: entry.supersededAt }),
    }));
    await options.index.add(records);
    const done = start + batch.length;
    options.onProgress?.({ task: 'car.index', done, total: entries.length, unit: 'entries', finished: done === entries.length });
  }
  return entries.length;
}
