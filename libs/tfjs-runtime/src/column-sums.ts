import * as tf from '@tensorflow/tfjs';

/**
 * Sums over the rows of `x` ([rows, cols] -> [cols]) as a ones-vector matMul: the wasm backend
 * reduces along the first axis by transposing first, which is about 30x slower.
 */
export function columnSums(x: tf.Tensor2D): tf.Tensor1D {
  const [rows, cols] = x.shape;
  return tf.reshape(tf.matMul(tf.ones([1, rows]), x), [cols]);
}

type GradSaver = (tensors: tf.Tensor[]) => void;

const scaleShiftOp = tf.customGrad(((...args: (tf.Tensor | GradSaver)[]) => {
  const [x, scale, shift, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, GradSaver];
  save([x, scale]);
  return {
    value: tf.add(tf.mul(x, scale), shift),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [input, gamma] = saved as [tf.Tensor2D, tf.Tensor1D];
      return [tf.mul(dy, gamma), columnSums(tf.mul(dy, input) as tf.Tensor2D), columnSums(dy)];
    },
  };
}) as Parameters<typeof tf.customGrad>[0]);

/**
 * x * scale + shift for x [rows, cols] and per-column scale and shift [cols] (a layer norm's
 * affine part), whose parameter gradients are ones-vector matMuls (fast on wasm).
 */
export function scaleShift(x: tf.Tensor2D, scale: tf.Tensor1D, shift: tf.Tensor1D): tf.Tensor2D {
  return (scaleShiftOp as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor2D)(x, scale, shift);
}

const addRowOp = tf.customGrad(((...args: (tf.Tensor | GradSaver)[]) => {
  const [x, row] = args as [tf.Tensor2D, tf.Tensor1D, GradSaver];
  return { value: tf.add(x, row), gradFunc: (dy: tf.Tensor2D) => [dy, columnSums(dy)] };
}) as Parameters<typeof tf.customGrad>[0]);

/** x + row for x [rows, cols] and row [cols], with a fast gradient for `row`. */
export function addRow(x: tf.Tensor2D, row: tf.Tensor1D): tf.Tensor2D {
  return (addRowOp as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D)(x, row);
}
