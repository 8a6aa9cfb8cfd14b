import { batchMatMul, tf } from '@score/tfjs-runtime';

type GradSaver = (tensors: tf.Tensor[]) => void;

/** Swaps the last two axes. */
export function swapLastAxes(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = t.rank;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return tf.transpose(t, perm);
}

/**
 * `a @ b`; with batch axes, through `batchMatMul` (on wasm an XNNPACK convolution instead of the
 * plain batched loop, the same values to the last bit): attention's per-head products.
 */
function batchedProduct(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank === 2) return tf.matMul(a, b);
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape.at(-1)!;
  const batch = a.size / (m * k);
  return tf.reshape(batchMatMul(tf.reshape(a, [batch, m, k]) as tf.Tensor3D, tf.reshape(b, [batch, k, n]) as tf.Tensor3D), [...a.shape.slice(0, -2), m, n]);
}

const product = tf.customGrad(((...args: (tf.Tensor | GradSaver)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, GradSaver];
  save([a, b]);
  return {
    value: batchedProduct(a, b),
    // d a = dy b^T, d b = a^T dy, with the transposes made explicit.
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy, swapLastAxes(saved[1]!)), tf.matMul(swapLastAxes(saved[0]!), dy)],
  };
}) as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * `a @ b` for tensors of equal rank (>= 2) and equal leading (batch) axes, whose gradient uses
 * only untransposed products: on the wasm backend a `matMul` with `transposeA`/`transposeB` runs
 * about 10x slower than an explicit transpose followed by a plain product (see the benchmark).
 * Batched products (attention's per-head ones) run forward as XNNPACK convolutions on wasm
 * (`batchMatMul` of @score/tfjs-runtime), with `tf.matMul`'s values to the last bit.
 */
export function fastMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return product(a, b);
}
