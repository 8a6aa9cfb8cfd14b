import type { Dataset, ItemId, UserId } from '@score/core';
import type { CollaborativeNeighbour } from '../neighbour-retriever';

/**
 * A simple collaborative signal standing in for the CRM in tests: each user's top-k users by the
 * cosine of their training positive item sets, |A ∩ B| / sqrt(|A| |B|), ties to the earlier user.
 */
export function itemSetNeighbours(dataset: Dataset, k: number): Map<UserId, CollaborativeNeighbour[]> {
  const sets = new Map<UserId, Set<ItemId>>();
  for (const row of dataset.split('train')) {
    if (row.label !== 1) continue;
    const set = sets.get(row.userId) ?? new Set<ItemId>();
    set.add(row.itemId);
    sets.set(row.userId, set);
  }
  const users = [...sets.keys()];
  const result = new Map<UserId, CollaborativeNeighbour[]>();
  for (const userId of users) {
    const own = sets.get(userId)!;
    const scored: CollaborativeNeighbour[] = [];
    for (const other of users) {
      if (other === userId) continue;
      const theirs = sets.get(other)!;
      let shared = 0;
      for (const itemId of own) if (theirs.has(itemId)) shared += 1;
      scored.push({ userId: other, score: shared / Math.sqrt(own.size * theirs.size) });
    }
    result.set(userId, scored.sort((a, b) => b.score - a.score).slice(0, k));
  }
  return result;
}
