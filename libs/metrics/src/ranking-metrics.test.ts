import { describe, expect, it } from 'vitest';
import { kendallTau } from './kendall-tau';
import { ndcgAtK } from './ndcg-at-k';
import { createRandom, shuffleInPlace } from './random';
import { recallAtK } from './recall-at-k';

/** 1 / log2(3) = 0.63092975357145..., the discount of the second rank. */
const INV_LOG2_3 = 1 / Math.log2(3);

describe('ndcgAtK', () => {
  const grades = new Map([
    ['a', 0],
    ['b', 1],
    ['c', 2],
  ]);

  it('matches hand-computed linear and exponential gains', () => {
    // Linear: DCG = 0/log2 2 + 1/log2 3 + 2/log2 4 = 0.6309 + 1; IDCG = 2/log2 2 + 1/log2 3 + 0 = 2 + 0.6309.
    expect(ndcgAtK(['a', 'b', 'c'], grades, 3)).toBeCloseTo((INV_LOG2_3 + 1) / (2 + INV_LOG2_3), 12);
    // Exponential gains 2^r - 1 = 0, 1, 3: DCG = 1/log2 3 + 3/2; IDCG = 3 + 1/log2 3.
    expect(ndcgAtK(['a', 'b', 'c'], grades, 3, { gain: 'exponential' })).toBeCloseTo((INV_LOG2_3 + 1.5) / (3 + INV_LOG2_3), 12);
    // k = 2: DCG = 1/log2 3; IDCG = 2 + 1/log2 3.
    expect(ndcgAtK(['a', 'b', 'c'], grades, 2)).toBeCloseTo(INV_LOG2_3 / (2 + INV_LOG2_3), 12);
    expect(ndcgAtK(['c', 'b', 'a'], grades, 3)).toBe(1);
    expect(ndcgAtK(['a', 'b', 'c'], grades, 1)).toBe(0);
  });

  it('builds the ideal from the whole Map, or from the ranked ids for a function', () => {
    // 'd' (grade 1) is missing from the ranking: DCG = 1, IDCG = 1 + 1/log2 3.
    expect(ndcgAtK(['e', 'f'], new Map([['e', 1], ['d', 1]]), 2)).toBeCloseTo(1 / (1 + INV_LOG2_3), 12);
    // A function only knows the ranked ids: 'f' graded 1 second is the ideal's second place.
    expect(ndcgAtK(['e', 'f'], (id) => (id === 'f' ? 1 : 0), 2)).toBeCloseTo(INV_LOG2_3, 12);
  });

  it('returns NaN when nothing is relevant and rejects repeated ids and bad grades', () => {
    expect(ndcgAtK(['a'], new Map(), 5)).toBeNaN();
    expect(() => ndcgAtK(['a', 'a'], grades, 2)).toThrow('Invalid "ranked": ranked[1] repeats the id "a"; each id may appear once.');
    expect(() => ndcgAtK(['a'], () => -1, 1)).toThrow('Invalid "relevance": the grade of id "a" is -1; grades must be finite numbers >= 0.');
    expect(() => ndcgAtK(['a'], grades, 0)).toThrow('Invalid "k": must be an integer of at least 1, got 0.');
  });
});

describe('recallAtK', () => {
  it('is the share of relevant ids in the top k', () => {
    // Relevant {b, d, e}: top 2 (a, b) holds b = 1/3; top 4 holds b and d = 2/3.
    expect(recallAtK(['a', 'b', 'c', 'd'], ['b', 'd', 'e'], 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(['a', 'b', 'c', 'd'], new Set(['b', 'd', 'e']), 4)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(['a'], ['a'], 10)).toBe(1);
    expect(recallAtK(['a'], [], 1)).toBeNaN();
  });
});

/** O(n^2) tau-b over common ids, ranks from positions. */
function pairwiseTau(a: Map<string, number>, b: Map<string, number>): number {
  const ids = [...a.keys()].filter((id) => b.has(id));
  let concordant = 0;
  let discordant = 0;
  let tiedA = 0;
  let tiedB = 0;
  let pairs = 0;
  for (let i = 0; i < ids.length; i += 1) {
    for (let j = i + 1; j < ids.length; j += 1) {
      pairs += 1;
      const da = a.get(ids[i])! - a.get(ids[j])!;
      const db = b.get(ids[i])! - b.get(ids[j])!;
      if (da === 0) tiedA += 1;
      if (db === 0) tiedB += 1;
      if (da * db > 0) concordant += 1;
      if (da * db < 0) discordant += 1;
    }
  }
  return (concordant - discordant) / Math.sqrt((pairs - tiedA) * (pairs - tiedB));
}

describe('kendallTau', () => {
  it('matches hand-computed values', () => {
    expect(kendallTau(['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'])).toBe(1);
    expect(kendallTau(['a', 'b', 'c', 'd'], ['d', 'c', 'b', 'a'])).toBe(-1);
    // One swapped pair of six: (5 - 1) / 6.
    expect(kendallTau(['a', 'b', 'c', 'd'], ['a', 'c', 'b', 'd'])).toBeCloseTo(4 / 6, 12);
    // Common ids a, b, c only: one discordant pair (b, c) of three: (2 - 1) / 3.
    expect(kendallTau(['a', 'b', 'c', 'd'], ['a', 'c', 'b', 'e'])).toBeCloseTo(1 / 3, 12);
    // b and c tied in A: n0 = 6, n1 = 1, n2 = 0, C = 5, D = 0: 5 / sqrt(5 x 6).
    expect(kendallTau(['a', ['b', 'c'], 'd'], ['a', 'b', 'c', 'd'])).toBeCloseTo(5 / Math.sqrt(30), 12);
  });

  it('returns NaN for fewer than two common ids or a ranking that ties everything', () => {
    expect(kendallTau(['a', 'b'], ['a', 'c'])).toBeNaN();
    expect(kendallTau([['a', 'b', 'c']], ['a', 'b', 'c'])).toBeNaN();
  });

  it('rejects an id repeated within a ranking', () => {
    expect(() => kendallTau(['a', ['b', 'a']], ['a'])).toThrow(
      'Invalid "orderA": the id "a" appears twice (at positions 0 and 1); each id may appear once.',
    );
  });

  it('agrees with the O(n^2) definition on random rankings with ties', () => {
    const random = createRandom(11);
    for (let trial = 0; trial < 20; trial += 1) {
      const ids = Array.from({ length: 120 }, (_, i) => `u${i}`);
      // Group ids into ties of random sizes, in random orders.
      const group = (list: string[]) => {
        const shuffled = shuffleInPlace([...list], random);
        const out: (string | string[])[] = [];
        for (let i = 0; i < shuffled.length; ) {
          const size = 1 + Math.floor(random() * 3);
          out.push(size === 1 ? shuffled[i] : shuffled.slice(i, i + size));
          i += size;
        }
        return out;
      };
      const a = group(ids.slice(0, 110));
      const b = group(ids.slice(10));
      const positions = (order: (string | string[])[]) => {
        const map = new Map<string, number>();
        order.forEach((entry, position) => (typeof entry === 'string' ? [entry] : entry).forEach((id) => map.set(id, position)));
        return map;
      };
      expect(Math.abs(kendallTau(a, b) - pairwiseTau(positions(a), positions(b)))).toBeLessThan(1e-12);
    }
  });
});
