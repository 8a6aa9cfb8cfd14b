import type { Dataset, ItemId, Row } from '@score/core';

/**
 * The item-popularity baseline: each row's score is its item's share of the positive rows of
 * the train split (0 for an item never liked in train). A ranking baseline: use it for AUC and
 * UAUC, not as a calibrated probability.
 */
export function itemPopularityScores(dataset: Dataset, rows: readonly Row[]): Float32Array {
  const counts = new Map<ItemId, number>();
  let positives = 0;
  for (const row of dataset.split('train')) {
    if (row.label !== 1) continue;
    counts.set(row.itemId, (counts.get(row.itemId) ?? 0) + 1);
    positives += 1;
  }
  return Float32Array.from(rows, (row) => (positives === 0 ? 0 : (counts.get(row.itemId) ?? 0) / positives));
}
