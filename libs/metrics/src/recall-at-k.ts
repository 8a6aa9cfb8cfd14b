import { checkInteger } from '@score/core';
import { checkUnique } from './validate';

/**
 * Recall@k: the share of the relevant ids found among the first `k` retrieved ids,
 * |top-k(retrieved) ∩ relevant| / |relevant|.
 *
 * @param retrieved - Retrieved ids, best first; no id may appear twice.
 * @param relevant - The relevant ids (duplicates in an array count once).
 * @param k - Cut-off, a positive integer.
 * @returns Recall@k in [0, 1], or `NaN` when `relevant` is empty.
 * @throws InvalidOptionError when `k` is not a positive integer or a retrieved id repeats.
 */
export function recallAtK(retrieved: readonly string[], relevant: ReadonlySet<string> | readonly string[], k: number): number {
  checkInteger('k', k, 1);
  checkUnique('retrieved', retrieved);
  const wanted: ReadonlySet<string> = relevant instanceof Set ? relevant : new Set(relevant as readonly string[]);
  if (wanted.size === 0) return Number.NaN;
  let hits = 0;
  for (let i = 0; i < Math.min(k, retrieved.length); i += 1) {
    if (wanted.has(retrieved[i])) hits += 1;
  }
  return hits / wanted.size;
}
