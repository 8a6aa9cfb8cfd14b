import { integerOption } from '@score/core';
import { tf, type TrainingBatch, type TrainingRunOptions } from '@score/tfjs-runtime';
import { cachedEmbeddingGradients } from './cached-embedding-gradients';
import type { TrainableTextEncoder } from './trainable-encoder';

/**
 * Options shared by the contrastive fine-tuning of a {@link TrainableTextEncoder} (CAR's `trainCar`,
 * SARE's `trainSare`): the loop settings of `trainModel` and how a batch's texts are embedded.
 */
export interface ContrastiveTrainingOptions extends TrainingRunOptions {
  /**
   * Most texts embedded in one forward-and-backward pass. A batch with more texts takes its
   * gradients by gradient caching ({@link cachedEmbeddingGradients}: the same loss and gradients,
   * one extra forward pass, only one chunk's activations alive at a time), which keeps a
   * pretrained BERT's step within the wasm backend's 4 GB (its training costs about 0.5-0.8 MB
   * per token); a batch that fits is embedded in one pass. `0` always embeds the whole batch in
   * one pass.
   * @defaultValue 8 for a BERT encoder, 0 (one pass) for a pooled encoder
   */
  readonly gradientChunkTexts?: number;
  /**
   * With gradient caching, chunk a batch's texts by token length (`cachedEmbeddingGradients`'
   * `sortByLength`): less padding, so fewer attention positions; the same loss up to float
   * rounding, so training takes slightly different steps.
   * @defaultValue false
   */
  readonly lengthSortedChunks?: boolean;
}

/**
 * The `gradientChunkTexts` of a contrastive run: the requested value (an integer of at least 0),
 * else 8 for a BERT encoder and 0 (one pass) for a pooled one.
 */
export function gradientChunkTexts(encoder: TrainableTextEncoder, requested: number | undefined): number {
  return integerOption('gradientChunkTexts', requested, encoder.architecture === 'pooled' ? 0 : 8, 0);
}

/** How {@link contrastiveBatch} embeds a batch. */
export interface ContrastiveBatchOptions {
  /** Examples (anchors, queries) in the batch; counts toward the loop's rows/s. */
  readonly size: number;
  /** The resolved {@link gradientChunkTexts} (0: always one pass). */
  readonly chunkTexts: number;
  /** Chunk the texts by token length under gradient caching. @defaultValue false */
  readonly lengthSortedChunks?: boolean;
}

/** The rows of `embeddings` split into consecutive parts of the given row counts (the whole tensor when there is one part). */
function splitRows(embeddings: tf.Tensor2D, counts: readonly number[]): tf.Tensor2D[] {
  if (counts.length === 1) return [embeddings];
  let start = 0;
  return counts.map((count) => {
    const part = tf.slice(embeddings, [start, 0], [count, embeddings.shape[1]]);
    start += count;
    return part;
  });
}

/**
 * One `trainModel` batch of a contrastive loss over embedded texts. `groups` are the batch's texts
 * cut where the loss takes separate embeddings (e.g. queries, then keys); `loss` receives one
 * embedding tensor per group. With more than `chunkTexts` texts in all (and `chunkTexts` > 0) the
 * batch's gradients come by gradient caching over every text at once, the groups then cut from
 * its rows; else each group is tokenized (padded) and embedded in one pass under the loop's
 * gradient tape.
 */
export function contrastiveBatch(
  encoder: TrainableTextEncoder,
  groups: readonly (readonly string[])[],
  loss: (embeddings: readonly tf.Tensor2D[]) => tf.Scalar,
  options: ContrastiveBatchOptions,
): TrainingBatch {
  const texts = groups.flat();
  if (options.chunkTexts > 0 && texts.length > options.chunkTexts) {
    const counts = groups.map((group) => group.length);
    const rowsLoss = (rows: tf.Tensor2D): tf.Scalar => loss(splitRows(rows, counts));
    return {
      size: options.size,
      gradients: (variables) => cachedEmbeddingGradients(encoder, texts, rowsLoss, { chunkSize: options.chunkTexts, variables, sortByLength: options.lengthSortedChunks ?? false }),
    };
  }
  return {
    size: options.size,
    loss: () =>
      loss(
        groups.map((group) => {
          const { ids, mask } = encoder.tokenize(group);
          return encoder.embedTensor(ids, mask);
        }),
      ),
  };
}
