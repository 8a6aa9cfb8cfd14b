import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { annIndexConfig } from './ann-index-config';
import { DEFAULT_ANN_INDEX_OPTIONS, resolveAnnIndexOptions } from './ann-index-options';

describe('resolveAnnIndexOptions', () => {
  it('fills defaults, keeping them where a field is given as undefined', () => {
    expect(resolveAnnIndexOptions(undefined)).toEqual(DEFAULT_ANN_INDEX_OPTIONS);
    const resolved = resolveAnnIndexOptions({ kind: 'ivf-pq', params: { numPartitions: 8, m: undefined }, search: { nprobes: 4, ef: undefined } });
    expect(resolved).toEqual({ threshold: 100_000, kind: 'ivf-pq', params: { numPartitions: 8 }, search: { ef: 120, nprobes: 4, refineFactor: 2 } });
    expect(resolveAnnIndexOptions({ threshold: Infinity }).threshold).toBe(Infinity);
    expect(resolveAnnIndexOptions({ search: { refineFactor: 0 } }).search.refineFactor).toBe(0);
  });

  it('names the invalid field', () => {
    expect(() => resolveAnnIndexOptions({ threshold: 0 })).toThrow('Invalid "ann.threshold": must be an integer of at least 1 or Infinity, got 0.');
    expect(() => resolveAnnIndexOptions({ params: { m: 1.5 } })).toThrow(InvalidOptionError);
    expect(() => resolveAnnIndexOptions({ search: { nprobes: -1 } }, DEFAULT_ANN_INDEX_OPTIONS, 'options')).toThrow(/"options.search.nprobes"/);
  });

  it('builds a LanceDB index configuration for every kind', () => {
    for (const kind of ['hnsw-sq', 'hnsw-pq', 'ivf-pq', 'ivf-flat', 'ivf-rq'] as const) {
      expect(annIndexConfig(kind, {}, 'cosine', 10_000, 64)).toBeDefined();
    }
  });
});
