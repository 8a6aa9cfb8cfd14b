import { createMatrix } from '@score/core';
import { describe, expect, it } from 'vitest';
import { cosineTopK } from './cosine-top-k';

describe('cosineTopK', () => {
  it('returns the closest other rows by cosine, best first, never the query', () => {
    const vectors = createMatrix(4, 2, Float32Array.from([1, 0, 2, 0.2, 0, 1, -1, 0]));
    expect(cosineTopK(vectors, [0, 2], 2)).toEqual([
      [1, 2],
      [1, 0],
    ]);
    expect(cosineTopK(vectors, [3], 10)).toEqual([[2, 1, 0]]);
    expect(() => cosineTopK(vectors, [4], 1)).toThrow(RangeError);
    expect(() => cosineTopK(vectors, [0], 0)).toThrow(/Invalid "k"/);
  });
});
