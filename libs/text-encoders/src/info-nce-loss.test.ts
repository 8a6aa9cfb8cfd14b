import { DimensionMismatchError, InvalidOptionError } from '@score/core';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { infoNceLoss } from './info-nce-loss';

beforeAll(async () => {
  await initTensorflow();
});

describe('infoNceLoss (Eq. 6 / Eq. 12)', () => {
  const queries = () => tf.tensor2d([[1, 0], [0, 2]]);
  // cos(q1, k) = [1, 1/sqrt2, 0]; cos(q2, k) = [0, 1/sqrt2, 1].
  const keys = () => tf.tensor2d([[3, 0], [1, 1], [0, 0.5]]);

  it('matches the hand-computed value with in-batch negatives', async () => {
    const loss = infoNceLoss(queries(), keys(), [[1, 0, 0], [0, 0, 1]], { temperature: 0.5 });
    // Each query: positive cos 1, negatives cos 1/sqrt2 and 0; tau = 0.5 -> -log(e^2 / (e^2 + e^sqrt2 + e^0)).
    const expected = -Math.log(Math.exp(2) / (Math.exp(2) + Math.exp(Math.SQRT2) + 1));
    expect(expected).toBeCloseTo(0.525917, 5);
    expect((await loss.data())[0]).toBeCloseTo(expected, 5);
    loss.dispose();
  });

  it('scores each positive against the negatives only and averages over positive pairs', async () => {
    const loss = infoNceLoss(queries(), keys(), [[1, 1, 0], [0, 0, 0]], { temperature: 1 });
    // q1: positives k1 (cos 1) and k2 (cos 1/sqrt2), one negative k3 (cos 0); q2 has no positive.
    const first = -Math.log(Math.E / (Math.E + 1));
    const second = -Math.log(Math.exp(Math.SQRT1_2) / (Math.exp(Math.SQRT1_2) + 1));
    expect((await loss.data())[0]).toBeCloseTo((first + second) / 2, 5);
    loss.dispose();
    const restricted = infoNceLoss(queries(), keys(), [[1, 0, 0], [0, 0, 1]], { temperature: 0.5, negativesMask: [[0, 0, 1], [1, 0, 0]] });
    // Only one negative each (cos 0): -log(e^2 / (e^2 + 1)).
    expect((await restricted.data())[0]).toBeCloseTo(-Math.log(Math.exp(2) / (Math.exp(2) + 1)), 5);
    restricted.dispose();
  });

  it('has a gradient that pulls the positive closer, and leaks no tensors', () => {
    const q = tf.variable(tf.tensor2d([[1, 0.2]]));
    const k = tf.tensor2d([[0, 1], [1, 0]]);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => infoNceLoss(q, k, [[0, 1]], { temperature: 0.1 }), [q]);
    // Moving q against the gradient lowers its second coordinate (towards the positive [1, 0]).
    expect(grads[q.name]!.dataSync()[1]).toBeGreaterThan(0);
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    expect(tf.memory().numTensors).toBe(before);
    q.dispose();
    k.dispose();
  });

  it('rejects a width mismatch, a bad mask and a bad temperature', () => {
    expect(() => infoNceLoss(queries(), tf.zeros([3, 3]) as tf.Tensor2D, [[1, 0, 0], [0, 0, 1]], { temperature: 0.1 })).toThrow(DimensionMismatchError);
    expect(() => infoNceLoss(queries(), keys(), [[1, 0]], { temperature: 0.1 })).toThrow(/must have shape \[2, 3\]/);
    expect(() => infoNceLoss(queries(), keys(), [[1, 0, 0], [0, 0, 1]], { temperature: 0 })).toThrow(InvalidOptionError);
  });
});
