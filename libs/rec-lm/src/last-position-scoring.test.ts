import { embeddingLookup, initTensorflow, tf, useConvBatchMatMul } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLlamaConfig } from './llama-config';
import { LlamaModel } from './llama-model';
import { padBatch, scoreTokenSequences } from './yes-no-scoring';

// Grouped-query attention (4 query heads on 2 key/value heads), 3 blocks so that the scoring
// route runs two full blocks before the last-position top block.
const config = createLlamaConfig({ vocabSize: 50, hiddenSize: 24, intermediateSize: 40, numLayers: 3, numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 64 });

function sequences(count: number): number[][] {
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
  return Array.from({ length: count }, () => Array.from({ length: 3 + (next() % 30) }, () => 1 + (next() % 49)));
}

/** Next-token logits of every row the way training computes them: every block on every position, then the last real row gathered. */
function fullForward(model: LlamaModel, batch: readonly number[][], tokens?: number[]): Float32Array {
  return tf.tidy(() => {
    const { ids, lengths } = padBatch(batch, 0);
    const [rows, time] = ids.shape;
    const hidden = tf.reshape(model.hiddenStates(ids, false, lengths), [rows * time, config.hiddenSize]) as tf.Tensor2D;
    return model.logitsOf(tf.gather(hidden, lengths.map((length, b) => b * time + length - 1)), tokens);
  }).dataSync() as Float32Array;
}

/** The loss of a batch through every block on every position (the route training took before the top-block shortcut). */
function fullRouteLoss(model: LlamaModel, batch: readonly number[][], targets: readonly number[]): tf.Scalar {
  const { ids, lengths } = padBatch(batch, 0);
  const [rows, time] = ids.shape;
  const hidden = tf.reshape(model.hiddenStates(ids, true, lengths), [rows * time, config.hiddenSize]) as tf.Tensor2D;
  const last = embeddingLookup(hidden, tf.tensor1d(lengths.map((length, b) => b * time + length - 1), 'int32')) as tf.Tensor2D;
  const logits = model.logitsOf(last, [4, 7], true);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(targets as number[], 'int32'), 2), tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

function lastLogitsLoss(model: LlamaModel, batch: readonly number[][], targets: readonly number[]): tf.Scalar {
  const { ids, lengths } = padBatch(batch, 0);
  const logits = model.lastLogits(ids, lengths, true, [4, 7]);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(targets as number[], 'int32'), 2), tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

async function trainedWeights(loss: typeof fullRouteLoss): Promise<Float32Array[]> {
  const model = LlamaModel.create({ config, seed: 8, initStd: 0.2 });
  const optimizer = tf.train.adam(0.01);
  const batch = sequences(10);
  for (let step = 0; step < 3; step++) {
    const value = optimizer.minimize(() => loss(model, batch.slice(step, step + 7), [0, 1, 1, 0, 1, 0, 0]), true, model.trainableVariables());
    value!.dispose();
  }
  const weights = [...(await model.readWeights()).values()].map((weight) => weight.data);
  optimizer.dispose();
  model.dispose();
  return weights;
}

function scoringForward(model: LlamaModel, batch: readonly number[][], tokens?: number[]): Float32Array {
  return tf.tidy(() => {
    const { ids, lengths } = padBatch(batch, 0);
    return model.lastLogits(ids, lengths, false, tokens);
  }).dataSync() as Float32Array;
}

describe('scoring route (top block on the last position only)', () => {
  beforeAll(async () => {
    await initTensorflow({ backend: 'wasm' });
  });

  it('gives the full forward pass\'s logits, bitwise on wasm, for padded batches of mixed lengths', () => {
    const model = LlamaModel.create({ config, seed: 3, initStd: 0.2 });
    const batch = sequences(9);
    const full = fullForward(model, batch);
    const scored = scoringForward(model, batch);
    expect(scored.length).toBe(9 * config.vocabSize);
    expect(Array.from(scored)).toEqual(Array.from(full));
    // The Yes/No pair route as well.
    expect(Array.from(scoringForward(model, batch, [4, 7]))).toEqual(Array.from(fullForward(model, batch, [4, 7])));
    // A real difference shows: another model's logits differ.
    const other = LlamaModel.create({ config, seed: 4, initStd: 0.2 });
    expect(Math.max(...Array.from(scoringForward(other, batch), (value, i) => Math.abs(value - full[i]!)))).toBeGreaterThan(1e-3);
    model.dispose();
    other.dispose();
  });

  it('scores a batch as each prompt alone (float tolerance) without leaking tensors', async () => {
    const model = LlamaModel.create({ config, seed: 5, initStd: 0.2 });
    const batch = sequences(12);
    await scoreTokenSequences(model, batch, { yes: 4, no: 7 }, 5); // fills the rotary cache of these lengths
    const before = tf.memory().numTensors;
    const batched = await scoreTokenSequences(model, batch, { yes: 4, no: 7 }, 5);
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, sequence] of batch.entries()) {
      const [alone] = await scoreTokenSequences(model, [sequence], { yes: 4, no: 7 }, 1);
      expect(batched[i]!.yesLogit).toBeCloseTo(alone!.yesLogit, 5);
      expect(batched[i]!.noLogit).toBeCloseTo(alone!.noLogit, 5);
      const logits = fullForward(model, [sequence], [4, 7]);
      expect(alone!.yesLogit).toBe(logits[0]);
      expect(alone!.noLogit).toBe(logits[1]);
    }
    model.dispose();
  });

  it('trains (no adapters) to the same weights as the full route, bitwise on wasm', async () => {
    const full = await trainedWeights(fullRouteLoss);
    const shortcut = await trainedWeights(lastLogitsLoss);
    expect(shortcut.length).toBe(full.length);
    full.forEach((weight, i) => expect(Array.from(shortcut[i]!)).toEqual(Array.from(weight)));
    // Training moved the weights (the comparison is not of untouched initial values).
    const initial = LlamaModel.create({ config, seed: 8, initStd: 0.2 });
    const start = [...(await initial.readWeights()).values()].map((weight) => weight.data);
    expect(start.some((weight, i) => weight.some((value, j) => value !== full[i]![j]))).toBe(true);
    initial.dispose();
  });

  it('runs attention\'s per-head products as XNNPACK convolutions (batchMatMul) with the plain batched matMul\'s logits, bitwise on wasm', () => {
    // Prompts of 40-110 tokens, so that the weights-times-values product sums over more than one
    // 48-term block; grouped-query (4 on 2) and plain multi-head attention.
    let state = 11;
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
    const batch = Array.from({ length: 7 }, () => Array.from({ length: 40 + (next() % 71) }, () => 1 + (next() % 49)));
    for (const numKeyValueHeads of [2, 4]) {
      const long = createLlamaConfig({ vocabSize: 50, hiddenSize: 24, intermediateSize: 40, numLayers: 3, numHeads: 4, numKeyValueHeads, maxPositionEmbeddings: 128 });
      const model = LlamaModel.create({ config: long, seed: 6, initStd: 0.2 });
      const conv = scoringForward(model, batch, [4, 7]);
      const states = tf.tidy(() => model.hiddenStates(padBatch(batch, 0).ids, false).dataSync());
      useConvBatchMatMul(false);
      try {
        expect(Array.from(conv)).toEqual(Array.from(scoringForward(model, batch, [4, 7])));
        expect(Array.from(states)).toEqual(Array.from(tf.tidy(() => model.hiddenStates(padBatch(batch, 0).ids, false).dataSync())));
      } finally {
        useConvBatchMatMul(true);
      }
      expect(new Set(conv).size).toBe(conv.length);
      model.dispose();
    }
  });
});
