import * as tf from '@tensorflow/tfjs';
import type { RandomSource } from './seeded-random';

/**
 * A dropout mask of `size` entries: 0 with probability `rate`, else 1 / (1 - rate) (inverted
 * dropout). Two 16-bit draws come from each call of `random`, so masks are cheap to make in JS.
 */
export function dropoutMask(size: number, rate: number, random: RandomSource): Float32Array {
  const mask = new Float32Array(size);
  const keep = 1 / (1 - rate);
  const threshold = Math.round(rate * 65536);
  for (let i = 0; i < size; i += 2) {
    const bits = Math.floor(random() * 4294967296);
    mask[i] = (bits & 0xffff) >= threshold ? keep : 0;
    if (i + 1 < size) mask[i + 1] = bits >>> 16 >= threshold ? keep : 0;
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
