import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { auc } from './auc';
import { createRandom } from './random';

/** O(n^2) reference: the share of (positive, negative) pairs ordered right, ties counting half. */
function pairwiseAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  let numerator = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i += 1) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j += 1) {
      if (labels[j] !== 0) continue;
      pairs += 1;
      numerator += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return numerator / pairs;
}

describe('auc', () => {
  it('matches a hand-computed value without ties', () => {
    // positives {0.9, 0.4}, negatives {0.1, 0.6}: pairs (0.9>0.1, 0.9>0.6, 0.4>0.1, 0.4<0.6) = 3 of 4.
    expect(auc([1, 0, 1, 0], [0.9, 0.1, 0.4, 0.6])).toBeCloseTo(0.75, 12);
  });

  it('counts ties half', () => {
    // positives {0.5, 0.3, 0.8}, negatives {0.5, 0.3}:
    // 0.5: vs 0.5 tie (0.5), vs 0.3 win (1); 0.3: vs 0.5 loss (0), vs 0.3 tie (0.5); 0.8: 2 wins.
    // (0.5 + 1 + 0 + 0.5 + 2) / (3 x 2) = 4 / 6.
    expect(auc([1, 1, 0, 0, 1], [0.5, 0.3, 0.5, 0.3, 0.8])).toBeCloseTo(4 / 6, 12);
  });

  it('gives 0.5 when every score is tied, 1 for a perfect and 0 for a reversed ranking', () => {
    expect(auc([1, 0, 0, 1, 0], [0.3, 0.3, 0.3, 0.3, 0.3])).toBe(0.5);
    expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
  });

  it('accepts typed arrays and infinite scores', () => {
    // positives {+inf, 0}, negatives {-inf, 0}: wins 2 + (0 vs -inf) 1 + (0 vs 0) 0.5 = 3.5 / 4.
    expect(auc(Uint8Array.from([1, 0, 1, 0]), Float64Array.from([Infinity, -Infinity, 0, 0]))).toBeCloseTo(0.875, 12);
    // +0 and -0 are the same score.
    expect(auc([1, 0], [0, -0])).toBe(0.5);
  });

  it('returns NaN with a single class or no rows', () => {
    expect(auc([1, 1, 1], [0.1, 0.2, 0.3])).toBeNaN();
    expect(auc([0, 0], [0.1, 0.2])).toBeNaN();
    expect(auc([], [])).toBeNaN();
  });

  it('rejects mismatched lengths, non-0/1 labels and NaN scores, naming the field', () => {
    const mismatch = (() => {
      try {
        auc([1, 0], [0.5]);
      } catch (error) {
        return error;
      }
    })();
    expect(mismatch).toBeInstanceOf(InvalidOptionError);
    expect((mismatch as InvalidOptionError).field).toBe('scores');
    expect((mismatch as Error).message).toBe('Invalid "scores": has 1 entries but "labels" has 2; both must hold one entry per row.');
    expect(() => auc([1, 2], [0.5, 0.4])).toThrow('Invalid "labels": labels[1] is 2; every label must be 0 or 1.');
    expect(() => auc([1, 0], [0.5, Number.NaN])).toThrow('Invalid "scores": scores[1] is NaN; every score must be a number (NaN is not allowed).');
  });

  it('agrees with the O(n^2) pairwise reference on large random input with many ties', () => {
    const random = createRandom(7);
    const n = 3000;
    const labels = new Uint8Array(n);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i += 1) {
      labels[i] = random() < 0.4 ? 1 : 0;
      // Two decimals: about 30 rows per distinct score, so most pairs near the middle tie.
      scores[i] = Math.round((0.3 * labels[i] + 0.7 * random()) * 100) / 100;
    }
    const expected = pairwiseAuc(labels, scores);
    expect(expected).toBeGreaterThan(0.6);
    expect(Math.abs(auc(labels, scores) - expected)).toBeLessThan(1e-12);
  });
});
