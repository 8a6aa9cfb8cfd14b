import { describe, expect, it } from 'vitest';
import { meanOrderAgreement, orderAgreement } from './order-agreement';
import { sampleShiftedNegatives } from './shifted-negatives';

describe('orderAgreement', () => {
  it('grades O position p of n as n - p and computes NDCG@k and Kendall tau by hand', () => {
    // rel(a) = 3, rel(b) = 2, rel(c) = 1; predicted b, a: DCG@2 = 2 + 3 / log2(3), ideal = 3 + 2 / log2(3).
    const swapped = orderAgreement(['b', 'a', 'c'], ['a', 'b', 'c'], 2);
    expect(swapped.ndcg).toBeCloseTo((2 + 3 / Math.log2(3)) / (3 + 2 / Math.log2(3)), 12);
    expect(swapped.kendallTau).toBeCloseTo(1 / 3, 12);
    expect(orderAgreement(['a', 'b', 'c'], ['a', 'b', 'c'], 2)).toEqual({ ndcg: 1, kendallTau: 1 });
    expect(orderAgreement(['c', 'b', 'a'], ['a', 'b', 'c'], 3).kendallTau).toBe(-1);
  });

  it('averages over examples', () => {
    const mean = meanOrderAgreement(
      [
        { predicted: ['a', 'b'], reference: ['a', 'b'] },
        { predicted: ['b', 'a'], reference: ['a', 'b'] },
      ],
      1,
    );
    expect(mean.examples).toBe(2);
    expect(mean.ndcg).toBeCloseTo((1 + 1 / 2) / 2, 12);
    expect(mean.kendallTau).toBe(0);
  });
});

describe('sampleShiftedNegatives (Eq. 11)', () => {
  it('draws distinct positions after the threshold, all of them when fewer', () => {
    let state = 0;
    const random = () => ((state = (state * 9301 + 49297) % 233280) / 233280);
    for (let trial = 0; trial < 20; trial++) {
      const picked = sampleShiftedNegatives(10, 5, 3, random);
      expect(picked).toHaveLength(3);
      expect(new Set(picked).size).toBe(3);
      expect(picked.every((position) => position >= 5 && position <= 9)).toBe(true);
    }
    expect(sampleShiftedNegatives(7, 5, 3, random).sort()).toEqual([5, 6]);
    expect(sampleShiftedNegatives(4, 5, 3, random)).toEqual([]);
  });
});
