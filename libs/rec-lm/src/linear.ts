import { tf } from '@score/tfjs-runtime';

type GradSaver = (tensors: tf.Tensor[]) => void;

const linearOp = tf.customGrad(((...args: (tf.Tensor | GradSaver)[]) => {
  const [x, weight, save] = args as [tf.Tensor2D, tf.Tensor2D, GradSaver];
  save([x, weight]);
  return {
    value: tf.matMul(x, tf.transpose(weight)),
    // dx = dy W, dW = dy^T x, with explicit transposes (see linear()).
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor2D, saved[1] as tf.Tensor2D), tf.matMul(tf.transpose(dy as tf.Tensor2D), saved[0] as tf.Tensor2D)],
  };
}) as Parameters<typeof tf.customGrad>[0]);

/**
 * x W^T for x [rows, in] and a PyTorch-layout weight W [out, in]. Same values as
 * `tf.matMul(x, W, false, true)`, but forward and backward only run untransposed matMuls after
 * explicit transposes: the wasm backend's transposed matMul paths are about 10x slower.
 */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D): tf.Tensor2D {
  return (linearOp as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D)(x, weight);
}

/**
 * x W^T for a weight that does not train (the frozen base under LoRA): the same forward as
 * {@link linear}, but the backward pass computes only dx = dy W (untransposed), not the
 * [out, in] weight gradient that would be thrown away, a third of a step's matMul work.
 */
export function frozenLinear(x: tf.Tensor2D, weight: tf.Tensor2D, kernel?: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad(((...args: (tf.Tensor | GradSaver)[]) => {
    const input = args[0] as tf.Tensor2D;
    return {
      // `kernel` is W^T kept from an earlier step, which saves the transpose.
      value: tf.matMul(input, kernel ?? tf.transpose(weight)),
      gradFunc: (dy: tf.Tensor) => [tf.matMul(dy as tf.Tensor2D, weight)],
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (a: tf.Tensor2D) => tf.Tensor2D)(x);
}
