import { describe, expect, it } from 'vitest';
import { initTensorflow, tf } from './backend';
import { linear } from './linear';

describe('wasm buffer-sharing Identity and Cast', () => {
  it('clones and same-dtype casts share the buffer, other casts convert, and gradients are unchanged', async () => {
    await initTensorflow({ backend: 'wasm' });
    const buffers = () => tf.memory().numDataBuffers;
    const x = tf.tensor2d([[1.5, -2], [3, 4.25]]);
    const before = buffers();
    const copy = tf.clone(x);
    const same = tf.cast(x, 'float32');
    expect(copy.dataId).toBe(x.dataId);
    expect(buffers()).toBe(before);
    const ints = tf.cast(x, 'int32');
    expect(buffers()).toBe(before + 1);
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 3, 4]);
    x.dispose();
    // The shared buffer outlives the tensor it came from.
    expect(Array.from(copy.dataSync())).toEqual([1.5, -2, 3, 4.25]);
    expect(Array.from(same.dataSync())).toEqual([1.5, -2, 3, 4.25]);
    tf.dispose([copy, same, ints]);
    // x's buffer went with its last tensor.
    expect(buffers()).toBe(before - 1);
    // Gradients whose saved tensors are clones still match the closed form of
    // f = sum(relu(x W + b) * x) for a 2x2 problem.
    const input = tf.tensor2d([[1, -1], [2, 0.5]]);
    const kernel = tf.tensor2d([[0.5, -1], [1, 2]]);
    const bias = tf.tensor1d([0.1, -0.2]);
    const grads = tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.relu(linear(a as tf.Tensor2D, w as tf.Tensor2D, bias)), a)))([input, kernel]);
    // h = relu(xW + b) = [[0, 0], [1.6, 0]], G = relu mask * x = [[0, 0], [2, 0]]:
    // dx = h + G W^T = [[0, 0], [2.6, 2]], dW = x^T G = [[4, 0], [1, 0]].
    expect(Array.from(grads[0]!.dataSync())).toEqual([0, 0, 2.6, 2].map((v) => Math.fround(v)));
    expect(Array.from(grads[1]!.dataSync())).toEqual([4, 0, 1, 0]);
    tf.dispose([input, kernel, bias, ...grads]);
  });
});
