import type { Interaction, Item } from '@score/core';
import { prepareDataset } from '@score/data';
import { describe, expect, it } from 'vitest';
import { createIdentityReranker } from './identity-reranker';
import { createOverlapRetriever } from './overlap-retriever';

const titles = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon'];
const items = new Map<string, Item>(titles.map((title, index) => [`i${index + 1}`, { id: `i${index + 1}`, title, attributes: {} }]));

function row(userId: string, itemId: string, timestamp: number, label: 0 | 1, split: 'train' | 'valid' | 'test' = 'train'): Interaction {
  return { userId, itemId, timestamp, label, split };
}

async function tinyDataset() {
  return prepareDataset({
    name: 'tiny',
    domain: 'movies',
    items,
    protocol: { kind: 'given-split' },
    interactions: [
      row('u1', 'i1', 10, 1), row('u1', 'i2', 11, 1), row('u1', 'i3', 12, 1),
      row('u2', 'i1', 10, 1), row('u2', 'i2', 11, 1), row('u2', 'i4', 30, 1),
      row('u3', 'i3', 10, 1), row('u3', 'i5', 11, 0),
      row('u4', 'i5', 10, 1),
      row('u5', 'i1', 40, 1, 'valid'), row('u5', 'i2', 41, 1, 'test'),
    ],
  });
}

describe('createOverlapRetriever', () => {
  it('scores users by cosine overlap of training positives before the target time', async () => {
    const retriever = createOverlapRetriever(await tinyDataset());
    expect(retriever.variant).toBe('overlap');
    // Target u1 (i1, i2, i3) as of t = 20: u2 has i1, i2 (i4 is later) -> 2 / sqrt(3 * 2); u3 has i3 -> 1 / sqrt(3 * 1).
    const hits = await retriever.retrieve({ userId: 'u1', history: ['i1', 'i2', 'i3'], before: 20 }, 5);
    expect(hits.map((hit) => hit.userId)).toEqual(['u2', 'u3']);
    expect(hits[0].score).toBeCloseTo(2 / Math.sqrt(6), 10);
    expect(hits[1].score).toBeCloseTo(1 / Math.sqrt(3), 10);
    expect(hits[0].behaviour).toBe('"Alpha", "Beta"');
    expect(hits[1].behaviour).toBe('"Gamma"');
  });

  it('uses later behaviour once the target time is after it, and honours k', async () => {
    const retriever = createOverlapRetriever(await tinyDataset(), { behaviourItems: 2 });
    const hits = await retriever.retrieve({ history: ['i1', 'i2'], before: 100 }, 1);
    // Without a user id nobody is excluded: u1 = 2 / sqrt(2 * 3), u2 = 2 / sqrt(2 * 3); the tie goes to u1.
    expect(hits).toHaveLength(1);
    expect(hits[0].userId).toBe('u1');
    expect(hits[0].behaviour).toBe('"Beta", "Gamma"');
    const u2 = await retriever.retrieve({ userId: 'u1', history: ['i4'], before: 100 }, 3);
    expect(u2.map((hit) => [hit.userId, hit.behaviour])).toEqual([['u2', '"Beta", "Delta"']]);
    expect(await retriever.retrieve({ history: ['i5'], before: 100 }, 3)).toEqual([
      { userId: 'u4', score: 1, behaviour: '"Epsilon"' },
    ]);
    expect(await retriever.retrieve({ history: [], before: 100 }, 3)).toEqual([]);
  });
});

describe('createIdentityReranker', () => {
  it('keeps the order and scores by reciprocal rank', async () => {
    const reranker = createIdentityReranker();
    const results = await reranker.rerank('query', [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }, { id: 'c', text: 'C' }], 2);
    expect(results).toEqual([{ id: 'a', text: 'A', score: 1 }, { id: 'b', text: 'B', score: 0.5 }]);
    await expect(reranker.rerank('q', [], -1)).rejects.toThrow(/topK/);
  });
});
