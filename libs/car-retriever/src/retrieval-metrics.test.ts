import { createMatrix } from '@score/core';
import { describe, expect, it } from 'vitest';
import { evaluateRetrieval, futureOverlap, neighbourRecall, topNeighbours } from './retrieval-metrics';

describe('retrieval metrics', () => {
  const neighbours = new Map([
    ['a', [{ userId: 'c', score: 0.5 }, { userId: 'b', score: 0.9 }, { userId: 'a', score: 1 }]],
    ['b', [{ userId: 'a', score: 0.7 }]],
    ['c', []],
  ]);

  it('topNeighbours sorts by score and drops the user itself and rejected ids', () => {
    expect(topNeighbours(neighbours.get('a'), 5, 'a')).toEqual(['b', 'c']);
    expect(topNeighbours(neighbours.get('a'), 1, 'a')).toEqual(['b']);
    expect(topNeighbours(neighbours.get('a'), 5, 'a', (id) => id !== 'b')).toEqual(['c']);
    expect(topNeighbours(undefined, 5)).toEqual([]);
  });

  it('neighbourRecall averages the found share over users with neighbours', () => {
    const retrieved = new Map([
      ['a', ['b', 'x']],
      ['b', ['c', 'x']],
      ['c', ['a']],
    ]);
    // a: 1 of {b, c} in its top 2 -> 0.5; b: 0 of {a}; c has no neighbours and is skipped.
    expect(neighbourRecall(retrieved, neighbours, { users: ['a', 'b', 'c'], k: 2 })).toBeCloseTo(0.25, 10);
    // k = 1 keeps one neighbour as truth: a finds b (1), b misses a (0).
    expect(neighbourRecall(retrieved, neighbours, { users: ['a', 'b'], k: 1 })).toBeCloseTo(0.5, 10);
  });

  it('futureOverlap is the share of retrieved behaviour items among the future positives', () => {
    const items = new Map([
      ['b', ['i1', 'i2', 'i3']],
      ['c', ['i3']],
      ['d', ['i9']],
    ]);
    const result = futureOverlap(
      new Map([
        ['a', ['b', 'c', 'd']],
        ['z', ['b']],
      ]),
      { users: ['a', 'z'], k: 2, itemsOf: (id) => items.get(id) ?? [], futurePositives: new Map([['a', new Set(['i3', 'i2'])]]) },
    );
    // a: of b's 3 items and c's 1 (d is beyond k), i2, i3 and i3 are future positives: 3 / 4. z has none and is skipped.
    expect(result).toEqual({ value: 0.75, users: 1 });
  });

  it('evaluateRetrieval embeds, retrieves by cosine and measures both', async () => {
    const vectors: Record<string, number[]> = { A: [1, 0], B: [0.9, 0.1], C: [0, 1], D: [0.1, 1] };
    const embed = async (texts: readonly string[]) => createMatrix(texts.length, 2, Float32Array.from(texts.flatMap((text) => vectors[text]!)));
    const corpus = [
      { userId: 'a', text: 'A', itemIds: ['i1'] },
      { userId: 'b', text: 'B', itemIds: ['i1', 'i2'] },
      { userId: 'c', text: 'C', itemIds: ['i3'] },
      { userId: 'd', text: 'D', itemIds: ['i4'] },
    ];
    const result = await evaluateRetrieval({
      embed,
      corpus,
      neighbours: new Map([
        ['a', [{ userId: 'b', score: 1 }]],
        ['c', [{ userId: 'a', score: 1 }]],
      ]),
      users: ['a', 'c'],
      k: 1,
      futurePositives: new Map([['a', new Set(['i2'])]]),
    });
    expect(result.retrieved.get('a')).toEqual(['b']);
    expect(result.retrieved.get('c')).toEqual(['d']);
    expect(result.recall).toBeCloseTo(0.5, 10);
    expect(result.futureOverlap).toBeCloseTo(0.5, 10);
    await expect(evaluateRetrieval({ embed, corpus, neighbours: new Map(), users: ['zz'] })).rejects.toThrow(/"zz" is not in the corpus/);
  });
});
