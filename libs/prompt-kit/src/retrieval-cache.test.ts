import { describe, expect, it } from 'vitest';
import { corpusSnapshotTimes, RetrievalCache, snapshotOf } from './retrieval-cache';

describe('retrieval cache', () => {
  it('maps a time to the number of snapshot times strictly before it', () => {
    const times = [10, 20, 20, 35];
    expect([5, 10, 11, 20, 21, 35, 36].map((time) => snapshotOf(time, times))).toEqual([0, 0, 1, 1, 3, 3, 4]);
    expect(snapshotOf(17, undefined)).toBe(17);
  });

  it('collects unique ascending asOf times of a corpus', () => {
    expect(corpusSnapshotTimes({ entries: [{ asOf: 30 }, { asOf: 10 }, { asOf: 30 }, { asOf: 20 }] })).toEqual([10, 20, 30]);
  });

  it('keys by retriever, K_e, user, history length and snapshot', () => {
    const cache = new RetrievalCache();
    cache.set(RetrievalCache.key('car', 10, 'u1', 3, 2), [{ userId: 'u2', behaviour: '"A"', score: 0.5 }]);
    expect(cache.get(RetrievalCache.key('car', 10, 'u1', 3, 2))).toEqual([{ userId: 'u2', behaviour: '"A"', score: 0.5 }]);
    for (const key of [RetrievalCache.key('base', 10, 'u1', 3, 2), RetrievalCache.key('car', 5, 'u1', 3, 2), RetrievalCache.key('car', 10, 'u1', 4, 2), RetrievalCache.key('car', 10, 'u1', 3, 1)]) {
      expect(cache.get(key)).toBeUndefined();
    }
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
