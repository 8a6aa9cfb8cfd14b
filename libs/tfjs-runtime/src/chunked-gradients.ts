import * as tf from '@tensorflow/tfjs';

/** One part of a batch for {@link chunkedGradients}. */
export interface GradientChunk {
  /**
   * The chunk's weight in the batch mean: its rows for a mean over rows, its loss terms for a
   * mean over terms (0: the chunk adds nothing and is skipped).
   */
  readonly weight: number;
  /** The chunk's own mean loss, built from the variables (runs inside `tf.variableGrads`). */
  loss(): tf.Scalar;
}

/** A batch's mean loss and its gradient per variable name. */
export interface BatchGradients {
  readonly value: tf.Scalar;
  readonly grads: tf.NamedTensorMap;
}

/**
 * The mean loss of a batch and its gradients, computed one chunk at a time: with shares
 * s_i = w_i / sum_j w_j, value = sum_i s_i * loss_i and grad = sum_i s_i * grad_i, which is the
 * whole batch's mean loss and gradient (up to float rounding) when each chunk's loss is the mean
 * over its own w_i terms. Each chunk runs its own `tf.variableGrads`, so only one chunk's
 * activations are alive at a time: smaller working sets stay in the CPU caches (on wasm, SASRec's
 * step ran 13% faster in 256-row chunks than in one 1,024-row pass). When every weight is 0, the
 * first chunk's loss and gradients are returned as they are. Call outside any gradient tape (it
 * would record every chunk); the tensors returned belong to the caller's scope.
 */
export function chunkedGradients(chunks: readonly GradientChunk[], variables: readonly tf.Variable[]): BatchGradients {
  if (chunks.length === 0) throw new RangeError('chunkedGradients needs at least one chunk.');
  const total = chunks.reduce((sum, chunk) => sum + chunk.weight, 0);
  const list = [...variables];
  if (total <= 0 || chunks.length === 1) return tf.variableGrads(() => chunks[0]!.loss(), list);
  let value: tf.Scalar | undefined;
  let grads: tf.NamedTensorMap = {};
  for (const chunk of chunks) {
    if (chunk.weight <= 0) continue;
    const share = chunk.weight / total;
    const next = tf.tidy(() => {
      const part = tf.variableGrads(() => chunk.loss(), list);
      const summed: tf.NamedTensorMap = {};
      for (const [name, grad] of Object.entries(part.grads)) {
        const scaled = tf.mul(grad, share);
        summed[name] = grads[name] ? tf.add(grads[name]!, scaled) : scaled;
      }
      // Variables this chunk's loss did not reach keep their running sums.
      for (const [name, sum] of Object.entries(grads)) if (!summed[name]) summed[name] = tf.clone(sum);
      const scaledValue = tf.mul(part.value, share) as tf.Scalar;
      return { value: value ? (tf.add(value, scaledValue) as tf.Scalar) : scaledValue, grads: summed };
    });
    value?.dispose();
    tf.dispose(grads);
    value = next.value;
    grads = next.grads;
  }
  return { value: value!, grads };
}
