import { describe, expect, it } from 'vitest';
import { createRandom } from '@score/core';
import { initTensorflow, tf } from './backend';
import { dropoutMask, seededDropout } from './dropout';
import { embeddingLookup } from './embedding-lookup';
import { addRow, columnSums, scaleShift } from './column-sums';
import { linear } from './linear';
import { fillNormal, shuffledIndices } from './seeded-random';

describe('seeded helpers', () => {
  it('repeat for a seed', () => {
    const a = createRandom(5);
    const b = createRandom(5);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(Array.from(shuffledIndices(6, createRandom(1))).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const normal = fillNormal(new Float32Array(20000), createRandom(2), 2);
    const mean = normal.reduce((s, v) => s + v, 0) / normal.length;
    const std = Math.sqrt(normal.reduce((s, v) => s + (v - mean) ** 2, 0) / normal.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(std).toBeCloseTo(2, 1);
    expect(() => createRandom(1.5)).toThrow(/"seed": must be an integer/);
  });

  it('dropout drops about `rate` of the entries and rescales the rest', async () => {
    await initTensorflow();
    const mask = dropoutMask(10000, 0.2, createRandom(3));
    const zeros = mask.filter((v) => v === 0).length;
    expect(zeros / 10000).toBeGreaterThan(0.18);
    expect(zeros / 10000).toBeLessThan(0.22);
    expect(new Set(mask)).toEqual(new Set([0, 1.25]));
    const x = tf.ones([4]);
    expect(seededDropout(x, 0, createRandom(1))).toBe(x);
    const dropped = tf.tidy(() => Array.from(seededDropout(x, 0.5, createRandom(1)).dataSync()));
    expect(dropped).toEqual(Array.from(tf.tidy(() => seededDropout(x, 0.5, createRandom(1)).dataSync())));
    x.dispose();
  });
});

describe('wasm-safe layers', () => {
  it('embeddingLookup gathers rows and scatter-adds its gradient', async () => {
    await initTensorflow();
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const ids = tf.tensor2d([[2, 0], [2, 2]], [2, 2], 'int32');
    const rows = embeddingLookup(table, ids);
    expect(rows.shape).toEqual([2, 2, 2]);
    expect(Array.from(rows.dataSync())).toEqual([5, 6, 1, 2, 5, 6, 5, 6]);
    const gradient = tf.grad((t: tf.Tensor) => tf.sum(embeddingLookup(t as tf.Tensor2D, ids)))(table);
    expect(Array.from(gradient.dataSync())).toEqual([1, 1, 0, 0, 3, 3]);
    tf.dispose([table, ids, rows, gradient]);
  });

  it('linear matches matMul + bias in value and gradient', async () => {
    await initTensorflow();
    const random = createRandom(4);
    const x = tf.tensor2d(fillNormal(new Float32Array(15), random), [5, 3]);
    const w = tf.tensor2d(fillNormal(new Float32Array(6), random), [3, 2]);
    const b = tf.tensor1d([0.5, -1]);
    const f1 = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.square(linear(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D)));
    const f2 = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.square(tf.add(tf.matMul(a, c), d)));
    const g1 = tf.grads(f1)([x, w, b]);
    const g2 = tf.grads(f2)([x, w, b]);
    for (let i = 0; i < 3; i++) {
      const a = g1[i]!.dataSync();
      const c = g2[i]!.dataSync();
      a.forEach((value, j) => expect(value).toBeCloseTo(c[j]!, 4));
    }
    tf.dispose([x, w, b, ...g1, ...g2]);
  });

  it('columnSums, scaleShift and addRow match plain ops in value and gradient', async () => {
    await initTensorflow();
    const random = createRandom(6);
    const x = tf.tensor2d(fillNormal(new Float32Array(12), random), [4, 3]);
    const gamma = tf.tensor1d([1.5, -0.5, 2]);
    const beta = tf.tensor1d([0.1, 0.2, -0.3]);
    expect(Array.from(columnSums(x).dataSync())).toEqual(Array.from(tf.sum(x, 0).dataSync()).map((v) => expect.closeTo(v, 5)));
    const pairs: [(a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor, (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor][] = [
      [(a, b, c) => tf.sum(tf.square(scaleShift(a as tf.Tensor2D, b as tf.Tensor1D, c as tf.Tensor1D))), (a, b, c) => tf.sum(tf.square(tf.add(tf.mul(a, b), c)))],
      [(a, b, c) => tf.sum(tf.mul(tf.square(addRow(a as tf.Tensor2D, b as tf.Tensor1D)), c)), (a, b, c) => tf.sum(tf.mul(tf.square(tf.add(a, b)), c))],
    ];
    for (const [mine, plain] of pairs) {
      const g1 = tf.grads(mine)([x, gamma, beta]);
      const g2 = tf.grads(plain)([x, gamma, beta]);
      g1.forEach((g, i) => Array.from(g.dataSync()).forEach((value, j) => expect(value).toBeCloseTo(g2[i]!.dataSync()[j]!, 4)));
    }
  });
});
