import { describe, expect, it } from 'vitest';
import { annRecallAtK } from './ann-recall-at-k';

describe('annRecallAtK', () => {
  it('averages the share of each exact top-k found by the approximate top-k', () => {
    const exact = [
      ['a', 'b', 'c', 'd'],
      ['x', 'y', 'z', 'w'],
    ];
    const approximate = [
      ['a', 'c', 'q', 'b'],
      ['w', 'r', 's', 't'],
    ];
    expect(annRecallAtK(approximate, exact, 4)).toBeCloseTo((3 / 4 + 1 / 4) / 2, 12);
    // Only the first k of each list count: with k = 2, query 1 finds "a" of ["a", "b"].
    expect(annRecallAtK(approximate, exact, 2)).toBeCloseTo((1 / 2 + 0) / 2, 12);
  });

  it('uses the exact list length when fewer than k exist and skips empty queries', () => {
    expect(annRecallAtK([['a', 'z'], []], [['a'], []], 10)).toBe(1);
    expect(annRecallAtK([[]], [[]], 3)).toBe(1);
  });

  it('rejects mismatched inputs', () => {
    expect(() => annRecallAtK([['a']], [], 1)).toThrow(RangeError);
    expect(() => annRecallAtK([['a']], [['a']], 0)).toThrow(/positive integer k/);
  });
});
