import { generateSyntheticDataset } from '@score/data';
import { describe, expect, it } from 'vitest';
import { sampleAssessmentPairs } from './sample-assessment-pairs';

describe('sampleAssessmentPairs', () => {
  it('picks one train row per sampled user, deterministically, with a stable prefix', async () => {
    const dataset = await generateSyntheticDataset({ users: 40, items: 60, seed: 3 });
    const pairs = sampleAssessmentPairs(dataset, { sample: 10, seed: 7 });
    expect(pairs).toHaveLength(10);
    expect(new Set(pairs.map((pair) => pair.userId)).size).toBe(10);
    for (const pair of pairs) {
      const row = dataset.rows[pair.rowIndex];
      expect([row.split, row.userId, row.itemId, row.timestamp, row.label]).toEqual(['train', pair.userId, pair.itemId, pair.timestamp, pair.label]);
      expect(pair.id).toBe(`${pair.userId}:${pair.itemId}@${pair.timestamp}`);
      expect(pair.history.map((item) => item.id)).toEqual(dataset.history(row, 20));
      expect(pair.history.length).toBeGreaterThanOrEqual(1);
      expect(pair.target).toBe(dataset.items.get(pair.itemId));
    }
    expect(sampleAssessmentPairs(dataset, { sample: 10, seed: 7 })).toEqual(pairs);
    expect(sampleAssessmentPairs(dataset, { sample: 5, seed: 7 })).toEqual(pairs.slice(0, 5));
    expect(sampleAssessmentPairs(dataset, { sample: 10, seed: 8 }).map((pair) => pair.id)).not.toEqual(pairs.map((pair) => pair.id));
  });

  it('honours labels, minHistory and maxHistory, and takes every user when the sample is larger', async () => {
    const dataset = await generateSyntheticDataset({ users: 30, items: 50, seed: 4 });
    const eligible = new Set(dataset.split('train').filter((row) => row.label === 1 && row.historyLength >= 3).map((row) => row.userId));
    const pairs = sampleAssessmentPairs(dataset, { sample: 1000, labels: 'positive', minHistory: 3, maxHistory: 2 });
    expect(pairs).toHaveLength(eligible.size);
    expect(pairs.every((pair) => pair.label === 1 && pair.history.length === 2)).toBe(true);
    expect(() => sampleAssessmentPairs(dataset, { labels: 'liked' as never })).toThrow(/"labels"/);
    expect(() => sampleAssessmentPairs(dataset, { sample: 0 })).toThrow(/"sample"/);
  });
});
