import { generateSyntheticDataset } from '@score/data';
import { describe, expect, it } from 'vitest';
import { sampleAssessmentPairs } from './sample-assessment-pairs';

describe('sampleAssessmentPairs', () => {
  it('picks one train row per user while the sample is below the users, deterministically, with a stable prefix', async () => {
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

  it('counts pairs, not users: several rows per user where the split has them, spread evenly', async () => {
    const dataset = await generateSyntheticDataset({ users: 40, items: 60, seed: 3 });
    const byUser = new Map<string, number>();
    for (const row of dataset.split('train')) if (row.historyLength >= 1) byUser.set(row.userId, (byUser.get(row.userId) ?? 0) + 1);
    const users = byUser.size;
    const total = [...byUser.values()].reduce((sum, count) => sum + count, 0);
    const pairs = sampleAssessmentPairs(dataset, { sample: users * 3, seed: 7 });
    expect(total).toBeGreaterThan(users * 3);
    expect(pairs).toHaveLength(users * 3);
    expect(new Set(pairs.map((pair) => pair.rowIndex)).size).toBe(pairs.length);
    // The first round has one row of every user; each round then takes one more row per user
    // that has one, so a user with fewer pairs than another has no eligible row left.
    expect(new Set(pairs.slice(0, users).map((pair) => pair.userId)).size).toBe(users);
    const perUser = new Map<string, number>();
    for (const pair of pairs) perUser.set(pair.userId, (perUser.get(pair.userId) ?? 0) + 1);
    const most = Math.max(...perUser.values());
    expect(most).toBeGreaterThanOrEqual(3);
    for (const [userId, count] of perUser) if (count < most - 1) expect(count).toBe(byUser.get(userId));
    expect(sampleAssessmentPairs(dataset, { sample: users + 5, seed: 7 })).toEqual(pairs.slice(0, users + 5));
  });

  it('honours labels, minHistory and maxHistory, and takes every eligible row when the sample is larger', async () => {
    const dataset = await generateSyntheticDataset({ users: 30, items: 50, seed: 4 });
    const eligible = dataset.split('train').filter((row) => row.label === 1 && row.historyLength >= 3);
    const pairs = sampleAssessmentPairs(dataset, { sample: 100_000, labels: 'positive', minHistory: 3, maxHistory: 2 });
    expect(pairs).toHaveLength(eligible.length);
    expect(new Set(pairs.map((pair) => pair.rowIndex))).toEqual(new Set(eligible.map((row) => row.index)));
    expect(pairs.every((pair) => pair.label === 1 && pair.history.length === 2)).toBe(true);
    expect(() => sampleAssessmentPairs(dataset, { labels: 'liked' as never })).toThrow(/"labels"/);
    expect(() => sampleAssessmentPairs(dataset, { sample: 0 })).toThrow(/"sample"/);
  });
});
