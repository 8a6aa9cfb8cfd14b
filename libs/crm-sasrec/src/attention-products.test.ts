import { fillNormal, initTensorflow, tf } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { createRandom } from '@score/core';
import { attentionScores, attentionWeightedSum } from './attention-products';

function randomTensor(shape: [number, number, number], seed: number): tf.Tensor3D {
  return tf.tensor3d(fillNormal(new Float32Array(shape[0] * shape[1] * shape[2]), createRandom(seed), 1), shape);
}

/** Largest absolute difference between two equally shaped tensors. */
const maxDifference = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('attention products', () => {
  it('match batched matMul in value and gradients on random inputs', async () => {
    await initTensorflow();
    tf.tidy(() => {
      const [n, length, keys, size] = [3, 5, 4, 6];
      const q = randomTensor([n, length, size], 1);
      const k = randomTensor([n, keys, size], 2);
      const v = randomTensor([n, keys, size], 3);
      const upstream = randomTensor([n, length, size], 4);
      // A softmax between the products, as in attention, so every gradient path is exercised.
      const attention = (scores: typeof attentionScores, weightedSum: typeof attentionWeightedSum) => (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
        tf.sum(tf.mul(weightedSum(tf.softmax(scores(x as tf.Tensor3D, y as tf.Tensor3D)) as tf.Tensor3D, z as tf.Tensor3D), upstream)) as tf.Scalar;
      const reference = tf.valueAndGrads(attention((x, y) => tf.matMul(x, y, false, true), (w, z) => tf.matMul(w, z)))([q, k, v]);
      const grouped = tf.valueAndGrads(attention(attentionScores, attentionWeightedSum))([q, k, v]);
      expect(attentionScores(q, k).shape).toEqual([n, length, keys]);
      expect(maxDifference(attentionScores(q, k), tf.matMul(q, k, false, true))).toBeLessThan(1e-5);
      expect(maxDifference(attentionWeightedSum(tf.softmax(tf.matMul(q, k, false, true)) as tf.Tensor3D, v), tf.matMul(tf.softmax(tf.matMul(q, k, false, true)), v))).toBeLessThan(1e-5);
      expect(Math.abs(grouped.value.dataSync()[0]! - reference.value.dataSync()[0]!)).toBeLessThan(1e-4);
      grouped.grads.forEach((gradient, i) => {
        expect(gradient.shape).toEqual(reference.grads[i]!.shape);
        expect(tf.max(tf.abs(gradient)).dataSync()[0]).toBeGreaterThan(1e-3);
        expect(maxDifference(gradient, reference.grads[i]!)).toBeLessThan(1e-5);
      });
    });
  });
});
