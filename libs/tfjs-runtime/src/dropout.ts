import * as tf from '@tensorflow/tfjs';
import type { RandomSource } from './seeded-random';

/**
 * A dropout mask of `size` entries: 0 with probability `rate`, else 1 / (1 - rate) (inverted
 * dropout). The mask's bits come from a xoshiro128** stream (Blackman & Vigna) whose 128-bit
 * state is four draws of `random`, two 16-bit entries per 32-bit output: about ten times faster
 * than calling `random` for every pair, which mattered (a mask per dropout layer per batch was
 * 8% of a SASRec training step on wasm). Deterministic for a given `random` state.
 */
export function dropoutMask(size: number, rate: number, random: RandomSource): Float32Array {
  const mask = new Float32Array(size);
  const keep = 1 / (1 - rate);
  const threshold = Math.round(rate * 65536);
  // Indexed by ((16-bit draw) - threshold) >>> 31: 1 (drop) below the threshold, else 0 (keep);
  // arithmetic instead of a branch the CPU would mispredict on every dropped entry.
  const values = Float32Array.of(keep, 0);
  const draw = () => Math.floor(random() * 4294967296) | 0;
  let s0 = draw();
  let s1 = draw();
  let s2 = draw();
  let s3 = draw();
  // An all-zero state would stay zero.
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  for (let i = 0; i < size; i += 2) {
    // xoshiro128**: result = rotl(s1 * 5, 7) * 9, then the linear state update.
    const product = Math.imul(s1, 5);
    const bits = Math.imul((product << 7) | (product >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    mask[i] = values[((bits & 0xffff) - threshold) >>> 31]!;
    if (i + 1 < size) mask[i + 1] = values[((bits >>> 16) - threshold) >>> 31]!;
  }
  return mask;
}

/**
 * Inverted dropout with a seeded mask: during training each entry of `x` is zeroed with
 * probability `rate` and the rest scaled by 1 / (1 - rate); `x` itself when `rate` is 0.
 * Deterministic for a given `random` state, on every backend.
 */
export function seededDropout(x: tf.Tensor, rate: number, random: RandomSource): tf.Tensor {
  if (rate <= 0) return x;
  return tf.mul(x, tf.tensor(dropoutMask(x.size, rate, random), x.shape, 'float32'));
}
