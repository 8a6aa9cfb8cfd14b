import { initTensorflow, tf } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { frozenLinear, linear } from './linear';

describe('linear', () => {
  beforeAll(async () => {
    await initTensorflow({ backend: 'cpu' });
  });

  it('matches x W^T and its gradients', () => {
    const x = tf.tensor2d([1, 2, 3, -1, 0.5, 2], [2, 3]);
    const weight = tf.tensor2d([0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 1, 0, 2, -1, 1, 0.5], [4, 3]);
    const dy = tf.tensor2d([1, -1, 2, 0.5, 0, 3, -2, 1], [2, 4]);
    const loss = (f: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor2D, b as tf.Tensor2D), dy));
    const ours = tf.grads(loss(linear))([x, weight]);
    const reference = tf.grads(loss((a, b) => tf.matMul(a, b, false, true)))([x, weight]);
    expect(Array.from(linear(x, weight).dataSync())).toEqual(Array.from(tf.matMul(x, weight, false, true).dataSync()).map((v) => expect.closeTo(v, 6)));
    ours.forEach((grad, i) => {
      expect(grad.shape).toEqual(reference[i]!.shape);
      Array.from(grad.dataSync()).forEach((value, j) => expect(value).toBeCloseTo(reference[i]!.dataSync()[j]!, 5));
    });
    // dx = dy W, by hand for one entry: sum_o dy[0,o] W[o,0].
    expect(ours[0]!.dataSync()[0]).toBeCloseTo(1 * 0.1 + -1 * 0.4 + 2 * 1 + 0.5 * -1, 5);
  });

  it('frozenLinear: the same values and input gradient, with or without a kept W^T', () => {
    const x = tf.tensor2d([1, 2, 3, -1, 0.5, 2], [2, 3]);
    const weight = tf.tensor2d([0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 1, 0, 2, -1, 1, 0.5], [4, 3]);
    const dy = tf.tensor2d([1, -1, 2, 0.5, 0, 3, -2, 1], [2, 4]);
    const reference = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, weight, false, true), dy)))(x);
    for (const kernel of [undefined, tf.transpose(weight) as tf.Tensor2D]) {
      expect(Array.from(frozenLinear(x, weight, kernel).dataSync())).toEqual(Array.from(tf.matMul(x, weight, false, true).dataSync()).map((v) => expect.closeTo(v, 6)));
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(frozenLinear(a as tf.Tensor2D, weight, kernel), dy)))(x);
      Array.from(dx.dataSync()).forEach((value, j) => expect(value).toBeCloseTo(reference.dataSync()[j]!, 5));
    }
  });
});
