import { InvalidOptionError } from './errors';
import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache';

describe('LruCache', () => {
  it('drops the least recently used entry beyond capacity', () => {
    const cache = new LruCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1).set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3); // evicts b
    expect(cache.has('b')).toBe(false);
    expect(cache.keys()).toEqual(['a', 'c']);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.stats).toEqual({ hits: 1, misses: 1 });
    cache.set('a', 10);
    expect(cache.keys()).toEqual(['c', 'a']);
    expect(cache.get('a')).toBe(10);
    expect(cache.size).toBe(2);
  });

  it('stores nothing with capacity 0 and rejects bad capacities', () => {
    const cache = new LruCache<string, number>({ maxEntries: 0 });
    cache.set('a', 1);
    expect(cache.size).toBe(0);
    expect(() => new LruCache({ maxEntries: -1 })).toThrow(InvalidOptionError);
    expect(() => new LruCache({ maxEntries: 1.5 })).toThrow(/maxEntries/);
  });

  it('deletes and clears', () => {
    const cache = new LruCache<number, string>();
    expect(cache.maxEntries).toBe(10_000);
    cache.set(1, 'x').set(2, 'y');
    expect(cache.delete(1)).toBe(true);
    expect(cache.delete(1)).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
