import type { TextEmbeddingModel } from '@score/core';
import { type BehaviourCorpus, type BehaviourCorpusOptions, buildBehaviourCorpus } from './behaviour-corpus';
import { type CorpusRetriever, createCorpusRetriever } from './corpus-retriever';
import { indexBehaviourCorpus } from './index-behaviour-corpus';
import { LanceVectorIndex } from './lance-vector-index';

/** Options of {@link createDatasetRetriever}. */
export interface DatasetRetrieverOptions {
  /** The prepared dataset whose users' behaviours are indexed (anything {@link buildBehaviourCorpus} takes). */
  readonly dataset: Parameters<typeof buildBehaviourCorpus>[0];
  /** The text encoder that embeds behaviours and target histories (CAR, the untuned base encoder, TxtEmb...). */
  readonly embedder: Pick<TextEmbeddingModel, 'dimensions' | 'embed'>;
  /** The folder of the LanceDB index (created; an index already there is overwritten). */
  readonly dir: string;
  /** How behaviours are described and snapshotted. @defaultValue {} ({@link buildBehaviourCorpus}'s defaults) */
  readonly corpus?: BehaviourCorpusOptions;
  /** The retriever's variant name. @defaultValue 'car' */
  readonly variant?: string;
}

/** What {@link createDatasetRetriever} built: the retriever, and the corpus and index behind it. */
export interface DatasetRetriever {
  readonly retriever: CorpusRetriever;
  readonly corpus: BehaviourCorpus;
  readonly index: LanceVectorIndex;
  /** Closes the index (the retriever's own `dispose()` leaves it open). */
  dispose(): Promise<void>;
}

/**
 * A CAR-style retriever over a dataset in one call: the behaviour corpus (method.md, Stage 1:
 * d(H(u)) per user and snapshot), a LanceDB index at `dir` with every entry embedded by `embedder`,
 * and {@link createCorpusRetriever} over both (leakage rule included). The steps are the
 * exported building blocks, for callers who need one of them alone.
 */
export async function createDatasetRetriever(options: DatasetRetrieverOptions): Promise<DatasetRetriever> {
  const corpus = buildBehaviourCorpus(options.dataset, options.corpus ?? {});
  const embed = (texts: readonly string[]) => options.embedder.embed(texts);
  const index = await LanceVectorIndex.create({ dir: options.dir, dimensions: options.embedder.dimensions, mode: 'overwrite' });
  try {
    await indexBehaviourCorpus({ index, corpus, embed });
  } catch (error) {
    await index.close();
    throw error;
  }
  const retriever = createCorpusRetriever({ variant: options.variant ?? 'car', index, corpus, embed });
  return { retriever, corpus, index, dispose: () => index.close() };
}
