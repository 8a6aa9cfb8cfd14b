import type { Dataset, Row } from '@score/core';
import { describe, expect, it } from 'vitest';
import { computeStatistics, formatStatistics } from './statistics';

const row = (index: number, userId: string, itemId: string, label: 0 | 1, timestamp: number, split: Row['split']): Row => ({ index, userId, itemId, label, timestamp, split, historyLength: 0 });

describe('computeStatistics', () => {
  it('counts users, items, rows, positive rates and time ranges', () => {
    const rows = [row(0, 'u', 'a', 1, 10, 'train'), row(1, 'v', 'a', 0, 20, 'train'), row(2, 'u', 'b', 1, 30, 'valid'), row(3, 'v', 'c', 1, 40, 'test'), row(4, 'w', 'c', 0, 50, 'test')];
    const dataset = { rows } as unknown as Dataset;
    expect(computeStatistics(dataset, { duplicatesRemoved: 4 })).toEqual({
      users: 3,
      items: 3,
      rows: { train: 2, valid: 1, test: 2 },
      positiveRate: { train: 0.5, valid: 1, test: 0.5, all: 0.6 },
      duplicatesRemoved: 4,
      timeRange: { train: [10, 20], valid: [30, 30], test: [40, 50] },
    });
  });
});

describe('formatStatistics', () => {
  it('writes a Table 1 style table', () => {
    const text = formatStatistics(
      {
        users: 838,
        items: 3255,
        rows: { train: 33891, valid: 10401, test: 7331 },
        positiveRate: { train: 0.55, valid: 0.5283, test: 0.5454, all: 0.5363 },
        duplicatesRemoved: 0,
        timeRange: { train: [991353600, 1017619199], valid: [1017619200, 1030838399], test: [1030838400, 1041379199] },
      },
      { name: 'ml-1m' },
    );
    expect(text.split('\n').slice(0, 2)).toEqual(['Dataset  # Users  # Items   Train  Validation   Test', 'ml-1m        838    3,255  33,891      10,401  7,331']);
    expect(text).toContain('Positive rate: train 55.0%, validation 52.8%, test 54.5%, all 53.6%');
    expect(text).toContain('train 2001-06-01 .. 2002-03-31');
    expect(text).toContain('Duplicates removed: 0');
  });
});
