import os from 'node:os';
import type { Dataset, Row } from '@score/core';
import { type BackendName, type EpochContext, type RandomSource, type TrainingBatch, chunkedGradients, shuffledIndices, tf } from '@score/tfjs-runtime';
import type { EncodedRows } from './encoded-rows';
import { EmbeddingRecommender, type NextItemData, sampleNegative, trainPositives } from './embedding-recommender';
import { SasrecGradientWorkers } from './gradient-workers';
import { AUTO_WORKERS_MIN_ROWS, type ResolvedSasrecOptions, type SasrecOptions, resolveSasrecOptions } from './options';
import { sasrecChunks } from './sasrec-losses';
import { SasrecNetwork } from './sasrec-network';

/** Seed offset of the generator of the gradient workers' dropout seeds. */
const WORKER_SEED_OFFSET = 0x2545f491;

/**
 * SASRec as a {@link CollaborativeRecommender}. e_u is the last position's output after the
 * final layer norm (method.md, Eq. 3). An empty history is all padding: its e_u is the final
 * layer norm applied to a zero vector, i.e. that layer norm's learned bias (a "no history" user
 * vector shared by every empty history), so scores then depend on the target item only.
 */
export class SasrecRecommender extends EmbeddingRecommender {
  /** Model family, "sasrec". */
  readonly name = 'sasrec';
  /** The validated options, every default filled. */
  readonly options: ResolvedSasrecOptions;
  #network: SasrecNetwork | undefined;

  constructor(options: SasrecOptions = {}) {
    super();
    this.options = resolveSasrecOptions(options);
  }

  /** Size of e_u. */
  get embeddingDimensions(): number {
    return this.options.hiddenSize;
  }

  protected get trainingOptions(): ResolvedSasrecOptions {
    return this.options;
  }

  protected get historyLength(): number {
    return this.options.maxHistory;
  }

  protected get usesUserIds(): boolean {
    return false;
  }

  protected get savedOptions(): Record<string, unknown> {
    // The worker count and chunk size are how a fit runs, not part of the model.
    const { workers: _workers, gradientChunkRows: _chunkRows, ...saved } = this.options;
    return saved;
  }

  /**
   * The gradient threads a fit over `trainRows` rows per epoch uses (see
   * {@link SasrecOptions.workers}).
   */
  workerCount(trainRows: number): number {
    const workers = this.options.workers;
    if (workers !== 'auto') return workers;
    const backend = tf.getBackend() as BackendName;
    if ((backend !== 'wasm' && backend !== 'cpu') || trainRows < AUTO_WORKERS_MIN_ROWS) return 1;
    return Math.max(1, Math.min(2, os.availableParallelism()));
  }

  protected override async openGradientWorkers(trainRows: number): Promise<SasrecGradientWorkers | undefined> {
    const count = this.workerCount(trainRows);
    if (count <= 1) return undefined;
    return SasrecGradientWorkers.create({
      count,
      architecture: this.#network!.architecture,
      variables: this.#network!.variables,
      backend: tf.getBackend() as BackendName,
      chunkRows: this.options.gradientChunkRows,
      seed: (this.options.seed + WORKER_SEED_OFFSET) | 0,
    });
  }

  protected override get gradientChunkRows(): number {
    return this.options.gradientChunkRows;
  }

  protected get weights(): ReadonlyMap<string, tf.Variable> | undefined {
    return this.#network?.variables;
  }

  /** The network (after fit or load). @internal */
  get network(): SasrecNetwork | undefined {
    return this.#network;
  }

  protected build(random: RandomSource): void {
    const { hiddenSize, blocks, heads, maxHistory, dropout, layerNormEpsilon } = this.options;
    this.#network = new SasrecNetwork({ itemCount: this.itemVocabulary!.size, hiddenSize, blocks, heads, maxHistory, dropout, layerNormEpsilon }, random);
  }

  protected disposeWeights(): void {
    this.#network?.dispose();
    this.#network = undefined;
  }

  protected itemTable(): tf.Tensor2D {
    return this.#network!.itemEmbedding as tf.Tensor2D;
  }

  protected userVectors(rows: EncodedRows, training: boolean, random?: RandomSource): tf.Tensor2D {
    const ids = tf.tensor2d(rows.histories, [rows.count, rows.maxHistory], 'int32');
    const out = this.#network!.forward(ids, { training, random, lastOnly: true });
    return tf.reshape(out, [rows.count, this.options.hiddenSize]);
  }

  /**
   * Sequence outputs at every position ([count, maxHistory, hidden]) for encoded histories, in
   * evaluation mode. Call inside `tf.tidy`. @internal
   */
  sequenceOutputs(histories: Int32Array, count: number): tf.Tensor3D {
    const ids = tf.tensor2d(histories, [count, this.options.maxHistory], 'int32');
    return this.#network!.forward(ids, { training: false, lastOnly: false });
  }

  /**
   * The original SASRec objective: for each user's train positives s_1..s_n, the input is
   * s_1..s_{n-1} (last maxHistory), the target at each position the next item, plus one sampled
   * negative (an item the user never liked in train); BCE over the non-padding positions.
   */
  protected nextItemData(_dataset: Dataset, trainRows: readonly Row[]): NextItemData {
    const length = this.options.maxHistory;
    const itemCount = this.itemVocabulary!.size;
    const sequences = [...trainPositives(trainRows, this.itemVocabulary!).values()].filter((list) => list.length >= 2);
    const liked = sequences.map((list) => new Set(list));
    return {
      rows: sequences.length,
      batches: (context: EpochContext) => this.#nextItemBatches(sequences, liked, length, itemCount, context),
    };
  }

  *#nextItemBatches(sequences: number[][], liked: Set<number>[], length: number, itemCount: number, { batchSize, random }: EpochContext): Iterable<TrainingBatch> {
    const order = shuffledIndices(sequences.length, random);
    for (let start = 0; start < sequences.length; start += batchSize) {
      const count = Math.min(sequences.length, start + batchSize) - start;
      const inputs = new Int32Array(count * length);
      const positives = new Int32Array(count * length);
      const negatives = new Int32Array(count * length);
      for (let i = 0; i < count; i++) {
        const user = order[start + i]!;
        const sequence = sequences[user]!;
        const take = Math.min(length, sequence.length - 1);
        const offset = i * length + (length - take);
        for (let j = 0; j < take; j++) {
          const position = sequence.length - 1 - take + j;
          inputs[offset + j] = sequence[position]!;
          positives[offset + j] = sequence[position + 1]!;
          negatives[offset + j] = sampleNegative(itemCount, liked[user]!, random);
        }
      }
      const payload = { kind: 'next-item', count, inputs, positives, negatives } as const;
      const workers = this.gradientWorkers;
      yield workers
        ? { size: count, gradients: () => workers.gradients(payload) }
        : { size: count, gradients: (variables) => chunkedGradients(sasrecChunks(this.#network!, payload, this.options.gradientChunkRows, random), variables) };
    }
  }
}

/** Creates an untrained SASRec recommender; options are validated here. */
export function createSasrec(options: SasrecOptions = {}): SasrecRecommender {
  return new SasrecRecommender(options);
}
