import { initTensorflow, tf } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { createRandom } from '@score/core';
import { SasrecNetwork } from './sasrec-network';

const architecture = { itemCount: 30, hiddenSize: 8, blocks: 2, heads: 2, maxHistory: 7, dropout: 0, layerNormEpsilon: 1e-8 };
const rows = [
  [0, 0, 3, 9, 27, 4, 1],
  [5, 6, 7, 8, 9, 10, 11],
  [0, 0, 0, 0, 0, 0, 30],
];

/** Full-sequence outputs and the gradients of a fixed loss, on the current backend. */
function outputsAndGradients(network: SasrecNetwork): { outputs: Float32Array; gradients: Map<string, Float32Array> } {
  let result: { outputs: Float32Array; gradients: Map<string, Float32Array> } | undefined;
  tf.tidy(() => {
    const ids = tf.tensor2d(rows, [rows.length, architecture.maxHistory], 'int32');
    const weights = tf.range(1, rows.length * architecture.maxHistory * architecture.hiddenSize + 1).reshape([rows.length, architecture.maxHistory, architecture.hiddenSize]);
    const loss = () => tf.sum(tf.mul(tf.sin(tf.mul(weights, 0.37)), network.forward(ids, { training: false, lastOnly: false }))) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, [...network.variables.values()]);
    const gradients = new Map<string, Float32Array>();
    for (const [name, variable] of network.variables) gradients.set(name, grads[variable.name]!.dataSync() as Float32Array);
    result = { outputs: network.forward(ids, { training: false, lastOnly: false }).dataSync() as Float32Array, gradients };
  });
  return result!;
}

const maxDifference = (a: Float32Array, b: Float32Array) => a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b[i]!)), 0);

describe('SasrecNetwork attention on wasm', () => {
  it('gives the same outputs and gradients with depthwise-convolution products (wasm) as with batched matMul (cpu)', async () => {
    await initTensorflow({ backend: 'wasm' });
    const network = new SasrecNetwork(architecture, createRandom(7));
    const wasm = outputsAndGradients(network);
    await initTensorflow({ backend: 'cpu' });
    const cpu = outputsAndGradients(network);
    expect(maxDifference(wasm.outputs, cpu.outputs)).toBeLessThan(1e-5);
    expect(wasm.gradients.size).toBe(network.variables.size);
    for (const [name, gradient] of wasm.gradients) {
      const reference = cpu.gradients.get(name)!;
      const scale = reference.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0);
      expect(maxDifference(gradient, reference), name).toBeLessThan(1e-5 * Math.max(1, scale));
    }
    // The key projection reaches the loss only through the full-sequence attention products.
    expect(Math.max(...wasm.gradients.get('blocks.0.attention.key.kernel')!.map(Math.abs))).toBeGreaterThan(1e-4);
    network.dispose();
  });
});
