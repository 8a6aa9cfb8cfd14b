import type { YesNoScore } from '@score/core';
import { tf } from '@score/tfjs-runtime';
import type { AnswerTokenIds } from './answer-tokens';
import type { LlamaModel } from './llama-model';

/** Batches of indices with similar lengths (sorted by length), so that padding stays small. */
export function batchesByLength(lengths: readonly number[], batchSize: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}

/** Right-pads token sequences into one [rows, longest] int32 tensor (padding id `pad`). */
export function padBatch(sequences: readonly (readonly number[])[], pad: number): { ids: tf.Tensor2D; lengths: number[] } {
  const time = Math.max(...sequences.map((s) => s.length));
  const data = new Int32Array(sequences.length * time).fill(pad);
  sequences.forEach((sequence, b) => data.set(sequence, b * time));
  return { ids: tf.tensor2d(data, [sequences.length, time], 'int32'), lengths: sequences.map((s) => s.length) };
}

/** P(yes) as the softmax over the two logits (method.md, Eq. 14), as a logistic of their difference. */
export function yesNoScore(yesLogit: number, noLogit: number): YesNoScore {
  return { probability: 1 / (1 + Math.exp(noLogit - yesLogit)), yesLogit, noLogit };
}

/**
 * The [rows, 2] Yes/No logits (row-major) after the last token of each of `sequences`, scored as
 * one right-padded batch: the unit every scoring path shares, so that the same batch gives the
 * same values on any thread.
 */
export async function batchAnswerLogits(model: LlamaModel, sequences: readonly (readonly number[])[], answers: AnswerTokenIds, signal?: AbortSignal): Promise<Float32Array> {
  // With an onnxruntime prefix backend the frozen blocks run here, ahead of the tfjs pass.
  await model.fillPrefixCache(sequences, signal ? { signal } : {});
  const logits = tf.tidy(() => {
    const { ids, lengths } = padBatch(sequences, 0);
    return model.lastLogits(ids, lengths, false, [answers.yes, answers.no]);
  });
  const values = (await logits.data()) as Float32Array;
  logits.dispose();
  return values;
}

/**
 * Yes/No scores of token sequences (each already starting with BOS): the next-token logits of the
 * answers after the last token, batched by length. `signal` is checked between batches.
 */
export async function scoreTokenSequences(
  model: LlamaModel,
  sequences: readonly (readonly number[])[],
  answers: AnswerTokenIds,
  batchSize: number,
  signal?: AbortSignal,
): Promise<YesNoScore[]> {
  const scores = new Array<YesNoScore>(sequences.length);
  for (const batch of batchesByLength(sequences.map((s) => s.length), batchSize)) {
    signal?.throwIfAborted();
    const values = await batchAnswerLogits(model, batch.map((i) => sequences[i]!), answers, signal);
    batch.forEach((index, row) => {
      scores[index] = yesNoScore(values[row * 2]!, values[row * 2 + 1]!);
    });
  }
  return scores;
}
