import { beforeAll, describe, expect, it } from 'vitest';
import { batchMatMul, useConvBatchMatMul, WASM_MATMUL_BLOCK } from './batch-mat-mul';
import { initTensorflow, tf } from './backend';

/** Every value of `actual` is bitwise `expected`'s (Object.is: -0 and +0 differ). */
function expectSameBits(actual: tf.Tensor, expected: tf.Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], e[i])) differing++;
  expect(differing).toBe(0);
}

describe('batchMatMul', () => {
  beforeAll(async () => {
    await initTensorflow({ backend: 'wasm' });
  });

  // [batch, m, k, n]: k below one block, exactly one, just above, several with a remainder; batch 1.
  const shapes: [number, number, number, number][] = [
    [6, 7, 5, 9],
    [4, 11, WASM_MATMUL_BLOCK, 13],
    [3, 5, WASM_MATMUL_BLOCK + 1, 6],
    [8, 33, 130, 24],
    [1, 9, 70, 5],
  ];

  it('gives tf.matMul\'s values to the last bit on wasm, with and without transposing b', () => {
    for (const [batch, m, k, n] of shapes) {
      for (const transposeB of [false, true]) {
        tf.tidy(() => {
          const a = tf.randomNormal([batch, m, k], 0, 1, 'float32', 11) as tf.Tensor3D;
          const b = tf.randomNormal(transposeB ? [batch, n, k] : [batch, k, n], 0, 1, 'float32', 12) as tf.Tensor3D;
          const expected = tf.matMul(a, b, false, transposeB);
          const actual = batchMatMul(a, b, transposeB);
          expectSameBits(actual, expected);
          // Real products (not all zeros): the values spread.
          expect(tf.moments(actual).variance.dataSync()[0]).toBeGreaterThan(0.5 * k);
        });
      }
    }
  });

  it('differs from a plain sum over k when k spans blocks (so the block split matters), and can be turned off', () => {
    tf.tidy(() => {
      const [batch, m, k, n] = [4, 20, 200, 16];
      const a = tf.randomNormal([batch, m, k], 0, 1, 'float32', 3) as tf.Tensor3D;
      const b = tf.randomNormal([batch, k, n], 0, 1, 'float32', 4) as tf.Tensor3D;
      // One convolution over all of k (no blocks): the same products added in another grouping.
      const unblocked = tf.transpose(
        tf.reshape(tf.depthwiseConv2d(tf.reshape(tf.transpose(a, [1, 2, 0]), [1, m, k, batch]) as tf.Tensor4D, tf.reshape(tf.transpose(b, [1, 0, 2]), [1, k, batch, n]) as tf.Tensor4D, 1, 'valid'), [m, batch, n]),
        [1, 0, 2],
      );
      const expected = tf.matMul(a, b);
      const max = tf.max(tf.abs(tf.sub(unblocked, expected))).dataSync()[0]!;
      expect(max).toBeGreaterThan(0);
      expect(max).toBeLessThan(1e-3);
      expectSameBits(batchMatMul(a, b), expected);
      expect(useConvBatchMatMul(false)).toBe(true);
      try {
        expectSameBits(batchMatMul(a, b), expected);
      } finally {
        useConvBatchMatMul(true);
      }
    });
  });
});
