import { fillNormal, initTensorflow, tf } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { createRandom } from '@score/core';
import { SasrecNetwork } from './sasrec-network';

const architecture = { itemCount: 20, hiddenSize: 8, blocks: 2, heads: 2, maxHistory: 6, dropout: 0.2, layerNormEpsilon: 1e-8 };

function run(network: SasrecNetwork, rows: number[][], lastOnly = false): number[][][] {
  return tf.tidy(() => {
    const out = network.forward(tf.tensor2d(rows, [rows.length, architecture.maxHistory], 'int32'), { training: false, lastOnly });
    return out.arraySync() as number[][][];
  });
}

function expectClose(a: number[], b: number[], digits = 5): void {
  expect(a.length).toBe(b.length);
  a.forEach((value, i) => expect(value).toBeCloseTo(b[i]!, digits));
}

describe('SasrecNetwork', () => {
  it('is causal: the output at position t ignores items after t', async () => {
    await initTensorflow();
    const network = new SasrecNetwork(architecture, createRandom(1));
    const [a, b] = run(network, [
      [0, 3, 5, 7, 9, 11],
      [0, 3, 5, 7, 2, 19],
    ]);
    for (let t = 0; t <= 3; t++) expectClose(a![t]!, b![t]!);
    expect(Math.abs(a![4]![0]! - b![4]![0]!)).toBeGreaterThan(1e-4);
    network.dispose();
  });

  it('ignores padding: any padding embedding, any batch company, padded outputs are the final norm bias', async () => {
    await initTensorflow();
    const network = new SasrecNetwork(architecture, createRandom(2));
    const alone = run(network, [[0, 0, 0, 4, 8, 15]])[0]!;
    const inBatch = run(network, [
      [16, 19, 2, 1, 2, 3],
      [0, 0, 0, 4, 8, 15],
    ])[1]!;
    expectClose(alone.flat(), inBatch.flat());
    // The padding row of the item table is never read.
    const table = network.itemEmbedding;
    const original = tf.tidy(() => table.clone());
    tf.tidy(() => table.assign(tf.concat([tf.tensor2d(fillNormal(new Float32Array(8), createRandom(3), 5), [1, 8]), tf.slice(original, [1, 0], [20, 8])])));
    expectClose(run(network, [[0, 0, 0, 4, 8, 15]])[0]!.flat(), alone.flat());
    table.assign(original);
    original.dispose();
    // Padded positions output the final layer norm of zero, i.e. its bias (zeros at init).
    expectClose(alone[0]!, new Array(8).fill(0));
    network.dispose();
  });

  it('gives the padding row no gradient and computes the last position alone exactly', async () => {
    await initTensorflow();
    const network = new SasrecNetwork({ ...architecture, heads: 1 }, createRandom(4));
    const rows = [
      [0, 0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9, 10],
      [0, 0, 0, 0, 0, 11],
    ];
    const full = run(network, rows);
    const last = run(network, rows, true);
    rows.forEach((_, i) => expectClose(last[i]![0]!, full[i]![5]!));
    const random = createRandom(5);
    const gradient = tf.tidy(() => {
      const ids = tf.tensor2d(rows, [3, 6], 'int32');
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(network.forward(ids, { training: true, random, lastOnly: true }))) as tf.Scalar, [network.itemEmbedding]);
      return grads[network.itemEmbedding.name]!.arraySync() as number[][];
    });
    expect(gradient[0]!.every((value) => value === 0)).toBe(true);
    expect(gradient[11]!.some((value) => value !== 0)).toBe(true);
    network.dispose();
  });
});
