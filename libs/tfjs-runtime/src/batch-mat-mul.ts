import * as tf from '@tensorflow/tfjs';

/**
 * The wasm backend's batched matMul (tfjs-backend-wasm `batch_mat_mul_impl.cc`, its plain loop
 * `slow_batch_matmul`) sums the shared dimension in blocks of this many terms, each block from
 * zero, and adds the block sums to the output in order.
 */
export const WASM_MATMUL_BLOCK = 48;

let convRoute = true;

/**
 * Turns {@link batchMatMul}'s convolution route on the wasm backend on or off (on by default);
 * benchmarks compare both routes in one process. Returns the previous setting.
 */
export function useConvBatchMatMul(on: boolean): boolean {
  const previous = convRoute;
  convRoute = on;
  return previous;
}

/**
 * `a [batch, m, k]` times `b [batch, k, n]` (or `b [batch, n, k]` with `transposeB`), per batch
 * entry: `[batch, m, n]`, the values of `tf.matMul(a, b, false, transposeB)` to the last bit.
 *
 * On the wasm backend a batched matMul runs a plain scalar loop, about ten times slower per
 * multiply-add than its XNNPACK kernels (issue 15: attention's per-head products dominated every
 * transformer's time). Here it runs as one depthwise convolution instead, which XNNPACK computes:
 * with the batch entries as channels, `a` as a 1 x m x k image and `b` as a 1 x k filter with n
 * outputs per channel (`out[i, c*n + j] = sum_t a[c, i, t] * b[c, t, j]`). XNNPACK adds the
 * products of one output in k order, as the loop does; the loop sums blocks of
 * {@link WASM_MATMUL_BLOCK} terms separately, so the shared dimension is cut into the same
 * blocks and their results added in order, which keeps every bit (a test checks shapes with
 * k below, at and above one block). Batch 1 and the other backends take `tf.matMul`.
 *
 * For inference: the convolution's gradient has no wasm kernel, so call it outside gradient tapes.
 * Call inside `tf.tidy`.
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeB = false): tf.Tensor3D {
  const [batch, m, k] = a.shape;
  const n = transposeB ? b.shape[1] : b.shape[2];
  if (!convRoute || batch === 1 || tf.getBackend() !== 'wasm') return tf.matMul(a, b, false, transposeB);
  // Channels last: the image [1, m, k, batch] and the filter [1, k, batch, n].
  const image = tf.reshape(tf.transpose(a, [1, 2, 0]), [1, m, k, batch]) as tf.Tensor4D;
  const filter = tf.reshape(tf.transpose(b, transposeB ? [2, 0, 1] : [1, 0, 2]), [1, k, batch, n]) as tf.Tensor4D;
  let sum: tf.Tensor | undefined;
  for (let start = 0; start < k; start += WASM_MATMUL_BLOCK) {
    const width = Math.min(WASM_MATMUL_BLOCK, k - start);
    const part =
      width === k
        ? tf.depthwiseConv2d(image, filter, 1, 'valid')
        : tf.depthwiseConv2d(tf.slice(image, [0, 0, start, 0], [1, m, width, batch]), tf.slice(filter, [0, start, 0, 0], [1, width, batch, n]), 1, 'valid');
    sum = sum === undefined ? part : tf.add(sum, part);
  }
  // [1, m, 1, batch * n] -> [batch, m, n].
  return tf.transpose(tf.reshape(sum!, [m, batch, n]), [1, 0, 2]) as tf.Tensor3D;
}
