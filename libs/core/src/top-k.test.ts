import { describe, expect, it } from 'vitest';
import { offerTopK } from './top-k';

describe('offerTopK', () => {
  it('keeps the k best offers best first, ties to the earlier offer', () => {
    const scores = [0.2, 0.9, 0.5, 0.9, -1, 0.7, 0.5];
    const indices = new Int32Array(3);
    const best = new Float64Array(3);
    let filled = 0;
    scores.forEach((score, index) => (filled = offerTopK(indices, best, filled, 3, index, score)));
    expect(filled).toBe(3);
    expect(Array.from(indices)).toEqual([1, 3, 5]);
    expect(Array.from(best)).toEqual([0.9, 0.9, 0.7]);
  });

  it('fills below k in order, and ignores offers when k is 0', () => {
    const indices: number[] = [0, 0, 0, 0];
    const best: number[] = [0, 0, 0, 0];
    let filled = 0;
    for (const [index, score] of [[7, 1], [8, 3], [9, 2]] as const) filled = offerTopK(indices, best, filled, 4, index, score);
    expect(filled).toBe(3);
    expect(indices.slice(0, filled)).toEqual([8, 9, 7]);
    expect(best.slice(0, filled)).toEqual([3, 2, 1]);
    expect(offerTopK(new Int32Array(0), new Float64Array(0), 0, 0, 1, 5)).toBe(0);
  });
});
