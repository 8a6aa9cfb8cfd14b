import { tf } from '@score/tfjs-runtime';

type GradSaver = (tensors: tf.Tensor[]) => void;

/**
 * Per-batch products as one depthwise convolution, which the wasm backend runs through XNNPACK
 * (its batched matMul is a plain loop): for `a` [m, r, n] and `b` [r, n, p], returns c [m, n, p]
 * with c[i, j, l] = sum_k a[i, k, j] * b[k, j, l], i.e. c[:, j, :] = a[:, :, j] @ b[:, j, :].
 * Each of the n batch entries is one input channel whose filter is its own [r, p] matrix.
 */
function groupedProduct(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [m, r, n] = a.shape;
  const p = b.shape[2];
  const out = tf.depthwiseConv2d(tf.reshape(a, [1, m, r, n]) as tf.Tensor4D, tf.reshape(b, [1, r, n, p]) as tf.Tensor4D, 1, 'valid');
  return tf.reshape(out, [m, n, p]) as tf.Tensor3D;
}

/** [m, n, p] (as returned by groupedProduct) -> [n, m, p]. */
const batchFirst = (c: tf.Tensor3D) => tf.transpose(c, [1, 0, 2]) as tf.Tensor3D;

/** groupedProduct of `a` and `b` transposed by `aAxes` and `bAxes`, batch axis first. */
const product = (a: tf.Tensor3D, aAxes: number[], b: tf.Tensor3D, bAxes: number[]) =>
  batchFirst(groupedProduct(tf.transpose(a, aAxes) as tf.Tensor3D, tf.transpose(b, bAxes) as tf.Tensor3D));

/** A two-input op with a custom gradient: `value(x, y)`, and `grads(dy, x, y)` the gradients of x and y. */
function productOp(
  value: (x: tf.Tensor3D, y: tf.Tensor3D) => tf.Tensor3D,
  grads: (dy: tf.Tensor3D, x: tf.Tensor3D, y: tf.Tensor3D) => [tf.Tensor3D, tf.Tensor3D],
): (x: tf.Tensor, y: tf.Tensor) => tf.Tensor3D {
  const op = tf.customGrad(((...args: (tf.Tensor | GradSaver)[]) => {
    const [x, y, save] = args as [tf.Tensor3D, tf.Tensor3D, GradSaver];
    save([x, y]);
    return {
      value: value(x, y),
      gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
        const [savedX, savedY] = saved as [tf.Tensor3D, tf.Tensor3D];
        return grads(dy, savedX, savedY);
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return op as unknown as (x: tf.Tensor, y: tf.Tensor) => tf.Tensor3D;
}

// S = Q K^T per batch entry: S[b, t, s] = sum_k Q[b, t, k] K[b, s, k].
// dQ[b, t, k] = sum_s dS[b, t, s] K[b, s, k]; dK[b, s, k] = sum_t dS[b, t, s] Q[b, t, k].
const scoresOp = productOp(
  (q, k) => product(q, [1, 2, 0], k, [2, 0, 1]),
  (dy, queries, keys) => [product(dy, [1, 2, 0], keys, [1, 0, 2]), product(dy, [2, 1, 0], queries, [1, 0, 2])],
);

// A = W V per batch entry: A[b, t, k] = sum_s W[b, t, s] V[b, s, k].
// dW[b, t, s] = sum_k dA[b, t, k] V[b, s, k]; dV[b, s, k] = sum_t W[b, t, s] dA[b, t, k].
const weightedSumOp = productOp(
  (w, v) => product(w, [1, 2, 0], v, [1, 0, 2]),
  (dy, weights, values) => [product(dy, [1, 2, 0], values, [2, 0, 1]), product(weights, [2, 1, 0], dy, [1, 0, 2])],
);

/**
 * Attention scores q k^T for q [n, L, dh] and k [n, L', dh] -> [n, L, L'] (SASRec's scaled
 * dot-product self-attention, before scaling), equal to `tf.matMul(q, k, false, true)`, computed (with its gradients) as
 * depthwise convolutions instead of the wasm backend's slow batched matMul.
 */
export function attentionScores(q: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor3D {
  return scoresOp(q, k);
}

/**
 * The attention-weighted sum w v for w [n, L, L'] and v [n, L', dh] -> [n, L, dh], equal to
 * `tf.matMul(w, v)`, computed (with its gradients) as depthwise convolutions.
 */
export function attentionWeightedSum(w: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  return weightedSumOp(w, v);
}
