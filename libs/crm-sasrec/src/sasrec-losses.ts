import { type GradientChunk, type RandomSource, embeddingLookup, tf } from '@score/tfjs-runtime';
import type { SasrecNetwork } from './sasrec-network';

/** BCE with logits, per entry: softplus(z) - y z (stable for any z). */
export function binaryCrossEntropyWithLogits(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.sub(tf.softplus(logits), tf.mul(labels, logits));
}

/** One CTR training batch as plain arrays: left-padded histories, target items and labels. */
export interface CtrBatchPayload {
  readonly kind: 'ctr';
  readonly count: number;
  /** count x maxHistory item indices (0 = padding). */
  readonly histories: Int32Array;
  readonly targets: Int32Array;
  readonly labels: Float32Array;
}

/** One next-item training batch as plain arrays (count x maxHistory each, 0 = padding). */
export interface NextItemBatchPayload {
  readonly kind: 'next-item';
  readonly count: number;
  readonly inputs: Int32Array;
  readonly positives: Int32Array;
  readonly negatives: Int32Array;
}

/** A SASRec training batch that can be sent to a gradient worker. */
export type SasrecBatchPayload = CtrBatchPayload | NextItemBatchPayload;

/** Rows [start, end) of a payload (copies, so the slice can be posted to a worker). */
export function slicePayload(payload: SasrecBatchPayload, start: number, end: number, maxHistory: number): SasrecBatchPayload {
  const count = end - start;
  const rows = (values: Int32Array) => values.slice(start * maxHistory, end * maxHistory);
  if (payload.kind === 'ctr') {
    return { kind: 'ctr', count, histories: rows(payload.histories), targets: payload.targets.slice(start, end), labels: payload.labels.slice(start, end) };
  }
  return { kind: 'next-item', count, inputs: rows(payload.inputs), positives: rows(payload.positives), negatives: rows(payload.negatives) };
}

/**
 * What a payload's rows weigh in the full batch's loss: rows for CTR (a mean over rows),
 * non-padding targets for next-item (a mean over those).
 */
export function payloadWeight(payload: SasrecBatchPayload): number {
  if (payload.kind === 'ctr') return payload.count;
  let targets = 0;
  for (const item of payload.positives) if (item !== 0) targets += 1;
  return targets;
}

/**
 * The mean training loss of a batch for `network` (dropout on when the network has any):
 * CTR: BCE of sigmoid(e_u . e_target) against the labels, e_u the last position's output
 * (method.md, Eq. 3); next-item: BCE of every non-padding position's next item and one sampled
 * negative (SASRec's objective). Call inside `tf.tidy` (or a gradient tape).
 */
export function sasrecBatchLoss(network: SasrecNetwork, payload: SasrecBatchPayload, random: RandomSource): tf.Scalar {
  const { maxHistory: length, hiddenSize } = network.architecture;
  const count = payload.count;
  const table = network.itemEmbedding as tf.Tensor2D;
  if (payload.kind === 'ctr') {
    const ids = tf.tensor2d(payload.histories, [count, length], 'int32');
    const users = tf.reshape(network.forward(ids, { training: true, random, lastOnly: true }), [count, hiddenSize]);
    const targets = embeddingLookup(table, tf.tensor1d(payload.targets, 'int32'));
    const logits = tf.sum(tf.mul(users, targets), -1);
    return tf.mean(binaryCrossEntropyWithLogits(logits, tf.tensor1d(payload.labels, 'float32'))) as tf.Scalar;
  }
  const ids = tf.tensor2d(payload.inputs, [count, length], 'int32');
  const out = network.forward(ids, { training: true, random, lastOnly: false });
  const positiveIds = tf.tensor2d(payload.positives, [count, length], 'int32');
  const positiveLogits = tf.sum(tf.mul(out, embeddingLookup(table, positiveIds)), -1);
  const negativeLogits = tf.sum(tf.mul(out, embeddingLookup(table, tf.tensor2d(payload.negatives, [count, length], 'int32'))), -1);
  const weight = tf.cast(tf.notEqual(positiveIds, 0), 'float32');
  const losses = tf.add(binaryCrossEntropyWithLogits(positiveLogits, tf.onesLike(positiveLogits)), binaryCrossEntropyWithLogits(negativeLogits, tf.zerosLike(negativeLogits)));
  return tf.div(tf.sum(tf.mul(losses, weight)), tf.maximum(tf.sum(weight), 1)) as tf.Scalar;
}

/**
 * A payload as chunks of at most `chunkRows` rows for `chunkedGradients`, each weighted by its
 * loss terms ({@link payloadWeight}), so their combined gradient is the payload's. Dropout masks
 * come from `random` chunk by chunk.
 */
export function sasrecChunks(network: SasrecNetwork, payload: SasrecBatchPayload, chunkRows: number, random: RandomSource): GradientChunk[] {
  const chunks: GradientChunk[] = [];
  for (let start = 0; start < payload.count; start += chunkRows) {
    const end = Math.min(payload.count, start + chunkRows);
    const chunk = start === 0 && end === payload.count ? payload : slicePayload(payload, start, end, network.architecture.maxHistory);
    chunks.push({ weight: payloadWeight(chunk), loss: () => sasrecBatchLoss(network, chunk, random) });
  }
  return chunks;
}
