import * as tf from '@tensorflow/tfjs';
import { columnSums } from './column-sums';

type GradSaver = (tensors: tf.Tensor[]) => void;

// The wasm backend runs a matMul on its fast (XNNPACK) path only when neither side is
// transposed; tfjs's own matMul gradient uses transposed matMuls. This one transposes explicitly.
const linearOp = tf.customGrad(((...args: (tf.Tensor | GradSaver)[]) => {
  const [x, kernel, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, GradSaver];
  save([x, kernel]);
  return {
    value: tf.fused.matMul({ a: x, b: kernel, bias }),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [input, weights] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(weights)), tf.matMul(tf.transpose(input), dy), columnSums(dy)];
    },
  };
}) as Parameters<typeof tf.customGrad>[0]);

/**
 * A dense layer x @ kernel + bias for x [rows, in], kernel [in, out], bias [out], whose forward
 * and backward matMuls all run untransposed (the fast path of the wasm backend, about 20x faster
 * there than a transposed matMul). Same values and gradients as `tf.fused.matMul`.
 */
export function linear(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return (linearOp as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor2D)(x, kernel, bias);
}
