import { initTensorflow, tf } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { fastMatMul, swapLastAxes } from './fast-mat-mul';

beforeAll(async () => {
  await initTensorflow();
});

describe('fastMatMul', () => {
  it('gives the product and the same gradients as tf.matMul, for 2-D and batched 4-D inputs', () => {
    for (const [shapeA, shapeB] of [
      [[3, 4], [4, 2]],
      [[2, 3, 5, 4], [2, 3, 4, 6]],
    ] as const) {
      tf.tidy(() => {
        const a = tf.randomNormal([...shapeA], 0, 1, 'float32', 1);
        const b = tf.randomNormal([...shapeB], 0, 1, 'float32', 2);
        const weights = tf.randomNormal([...shapeA.slice(0, -1), shapeB.at(-1)!], 0, 1, 'float32', 3);
        const loss = (f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), weights));
        const [fastA, fastB] = tf.grads(loss(fastMatMul))([a, b]);
        const [refA, refB] = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]);
        expect(tf.max(tf.abs(tf.sub(fastMatMul(a, b), tf.matMul(a, b)))).dataSync()[0]).toBeLessThan(1e-5);
        expect(tf.max(tf.abs(tf.sub(fastA!, refA!))).dataSync()[0]).toBeLessThan(1e-5);
        expect(tf.max(tf.abs(tf.sub(fastB!, refB!))).dataSync()[0]).toBeLessThan(1e-5);
        expect(tf.abs(refB!).sum().dataSync()[0]).toBeGreaterThan(0);
      });
    }
    expect(swapLastAxes(tf.zeros([2, 3, 4])).shape).toEqual([2, 4, 3]);
  });

  it('gives tf.matMul\'s batched product to the last bit on wasm (attention-sized, the shared axis beyond one 48-term block)', async () => {
    await initTensorflow({ backend: 'wasm' });
    tf.tidy(() => {
      // BERT attention: [batch, heads, length, headSize] queries against transposed keys, then weights against values.
      const q = tf.randomNormal([3, 4, 70, 16], 0, 1, 'float32', 5);
      const k = tf.randomNormal([3, 4, 16, 70], 0, 1, 'float32', 6);
      const v = tf.randomNormal([3, 4, 70, 16], 0, 1, 'float32', 7);
      const scores = fastMatMul(q, k);
      expect(Array.from(scores.dataSync())).toEqual(Array.from(tf.matMul(q, k).dataSync()));
      const weights = tf.softmax(scores);
      const context = fastMatMul(weights, v);
      expect(context.shape).toEqual([3, 4, 70, 16]);
      expect(Array.from(context.dataSync())).toEqual(Array.from(tf.matMul(weights, v).dataSync()));
    });
  });
});
