import type { Row } from '@score/core';
import { describe, expect, it } from 'vitest';
import { sampleRows, warmupRows } from './rec';

const rows = (count: number): Row[] =>
  Array.from({ length: count }, (_, index) => ({ index, userId: `u${index % 7}`, itemId: `i${index}`, label: (index % 2) as 0 | 1, timestamp: index, split: 'train' as const, historyLength: 0 }));

describe('warmupRows', () => {
  it('samples the answer warm-up rows outside the variants\' sample, seeded and in split order', () => {
    const split = rows(100);
    const tuning = sampleRows(split, 30, 42);
    const warm = warmupRows(split, tuning, 40, 44);
    expect(warm).toHaveLength(40);
    const tuned = new Set(tuning.map((row) => row.index));
    expect(warm.filter((row) => tuned.has(row.index))).toEqual([]);
    expect(warm.map((row) => row.index)).toEqual([...warm.map((row) => row.index)].sort((a, b) => a - b));
    expect(warmupRows(split, tuning, 40, 44)).toEqual(warm);
    expect(warmupRows(split, tuning, 40, 45)).not.toEqual(warm);
  });

  it('takes every other row when fewer remain, and the variants\' rows when none do', () => {
    const split = rows(50);
    const tuning = sampleRows(split, 45, 1);
    const tuned = new Set(tuning.map((row) => row.index));
    expect(warmupRows(split, tuning, 40, 2).map((row) => row.index)).toEqual(split.map((row) => row.index).filter((index) => !tuned.has(index)));
    expect(warmupRows(split, split, 40, 2)).toEqual(split);
  });
});
