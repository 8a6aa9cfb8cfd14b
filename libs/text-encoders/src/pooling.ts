import { tf } from '@score/tfjs-runtime';

/** How token states become one text vector. */
export type PoolingMode = 'mean' | 'cls';

/** Mean of the token states where `mask` is 1 (sentence-transformers' mean pooling). */
export function meanPool(states: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const weights = tf.expandDims(tf.cast(mask, 'float32'), 2);
    const summed = tf.sum(tf.mul(states, weights), 1);
    const counts = tf.maximum(tf.sum(weights, 1), 1e-9);
    return tf.div(summed, counts) as tf.Tensor2D;
  });
}

/** Pools token states with the given mode: "mean" (masked mean) or "cls" (the first token). */
export function pool(states: tf.Tensor3D, mask: tf.Tensor2D, mode: PoolingMode): tf.Tensor2D {
  if (mode === 'cls') return tf.tidy(() => tf.squeeze(tf.slice(states, [0, 0, 0], [-1, 1, -1]), [1]) as tf.Tensor2D);
  return meanPool(states, mask);
}

/** Divides each row by its L2 norm (at least 1e-12, as torch.nn.functional.normalize). */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D);
}

/** The same pooling on plain arrays (used by the ONNX encoder): `states` is [batch, length, width]. */
export function poolArray(states: Float32Array, batch: number, length: number, width: number, mask: ArrayLike<number | bigint>, mode: PoolingMode): Float32Array {
  const out = new Float32Array(batch * width);
  for (let b = 0; b < batch; b++) {
    const row = out.subarray(b * width, (b + 1) * width);
    if (mode === 'cls') {
      row.set(states.subarray(b * length * width, b * length * width + width));
      continue;
    }
    let count = 0;
    for (let t = 0; t < length; t++) {
      if (Number(mask[b * length + t]) === 0) continue;
      count++;
      const offset = (b * length + t) * width;
      for (let d = 0; d < width; d++) row[d] += states[offset + d]!;
    }
    const scale = 1 / Math.max(count, 1e-9);
    for (let d = 0; d < width; d++) row[d] *= scale;
  }
  return out;
}

/** L2-normalises each row of a row-major matrix in place. */
export function l2NormalizeRows(data: Float32Array, width: number): Float32Array {
  for (let offset = 0; offset < data.length; offset += width) {
    let sum = 0;
    for (let d = 0; d < width; d++) sum += data[offset + d]! * data[offset + d]!;
    const scale = 1 / Math.max(Math.sqrt(sum), 1e-12);
    for (let d = 0; d < width; d++) data[offset + d] *= scale;
  }
  return data;
}
