import { createMatrix, InvalidOptionError, createRandom } from '@score/core';
import { fillNormal, initTensorflow, tf } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { computeNeighbours } from './neighbours';

function bruteForce(data: Float32Array, rows: number, cols: number, k: number, excludeSelf: boolean): number[][] {
  return Array.from({ length: rows }, (_, r) => {
    const scored: [number, number][] = [];
    for (let j = 0; j < rows; j++) {
      if (excludeSelf && j === r) continue;
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += data[r * cols + c]! * data[j * cols + c]!;
      scored.push([j, dot]);
    }
    return scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k).map(([j]) => j);
  });
}

describe('computeNeighbours', () => {
  it('matches a brute-force top-K by inner product, excludes self, and batches', async () => {
    await initTensorflow();
    const rows = 37;
    const cols = 5;
    const data = fillNormal(new Float32Array(rows * cols), createRandom(11));
    const before = tf.memory().numTensors;
    const lists = computeNeighbours(createMatrix(rows, cols, data), { k: 4, batchSize: 8 });
    expect(tf.memory().numTensors).toBe(before);
    expect(lists.k).toBe(4);
    const expected = bruteForce(data, rows, cols, 4, true);
    for (let r = 0; r < rows; r++) {
      const got = Array.from(lists.indices.subarray(r * 4, r * 4 + 4));
      expect(got).toEqual(expected[r]);
      expect(got).not.toContain(r);
      for (let j = 0; j < 4; j++) {
        let dot = 0;
        for (let c = 0; c < cols; c++) dot += data[r * cols + c]! * data[got[j]! * cols + c]!;
        expect(lists.scores[r * 4 + j]!).toBeCloseTo(dot, 4);
      }
    }
    const withSelf = computeNeighbours(createMatrix(rows, cols, data), { k: 2, excludeSelf: false, batchSize: 100 });
    expect(Array.from(withSelf.indices)).toEqual(bruteForce(data, rows, cols, 2, false).flat());
  });

  it('clamps k to the other rows, breaks ties by index and validates options', async () => {
    await initTensorflow();
    const m = createMatrix(3, 2, Float32Array.from([1, 0, 1, 0, 1, 0]));
    const lists = computeNeighbours(m, { k: 10 });
    expect(lists.k).toBe(2);
    expect(Array.from(lists.indices)).toEqual([1, 2, 0, 2, 0, 1]);
    expect(Array.from(lists.scores)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(() => computeNeighbours(m, { k: 0 })).toThrow(InvalidOptionError);
    expect(() => computeNeighbours(m, { batchSize: -1 })).toThrow(/"batchSize": must be an integer of at least 1/);
    expect(() => computeNeighbours({ rows: 2, cols: 2, data: new Float32Array(3) })).toThrow(/has dimension 3, but 4 is required/);
  });
});
