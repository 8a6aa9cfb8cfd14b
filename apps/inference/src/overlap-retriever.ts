import {
  checkInteger,
  integerOption,
  InvalidOptionError,
  type Dataset,
  type Item,
  type ItemId,
  type RetrievalTarget,
  type RetrievedUser,
  type UserId,
  type UserRetriever,
} from '@score/core';
import { describeHistory } from '@score/prompt-kit';

/** Options of {@link createOverlapRetriever}. */
export interface OverlapRetrieverOptions {
  /**
   * Most recent items of a retrieved user written into its behaviour text.
   * @defaultValue 20
   */
  readonly behaviourItems?: number;
}

interface Liked {
  readonly itemId: ItemId;
  readonly timestamp: number;
}

/**
 * A real, model-free {@link UserRetriever} over a dataset's training positives: the fallback used
 * until CAR's artifacts are plugged in (see `loadRunComponents`). A candidate's score is the
 * cosine overlap of liked-item sets, |H_t ∩ H_u| / sqrt(|H_t| |H_u|), where H_u holds only the
 * candidate's training positives strictly before `target.before` (method.md, leakage rule). Users
 * without any shared item are never returned; the target user is excluded; ties go to the smaller
 * user id (string order). Behaviour texts are d(H_u) of the last `behaviourItems` items.
 */
export function createOverlapRetriever(dataset: Dataset, options: OverlapRetrieverOptions = {}): UserRetriever {
  const behaviourItems = integerOption('behaviourItems', options.behaviourItems, 20, 1);
  // Training positives per user (in time order) and, per item, who liked it and when.
  const likedBy = new Map<UserId, Liked[]>();
  const usersOfItem = new Map<ItemId, { userId: UserId; timestamp: number }[]>();
  for (const row of dataset.split('train')) {
    if (row.label !== 1) continue;
    let liked = likedBy.get(row.userId);
    if (!liked) likedBy.set(row.userId, (liked = []));
    liked.push({ itemId: row.itemId, timestamp: row.timestamp });
    let users = usersOfItem.get(row.itemId);
    if (!users) usersOfItem.set(row.itemId, (users = []));
    users.push({ userId: row.userId, timestamp: row.timestamp });
  }
  for (const liked of likedBy.values()) liked.sort((a, b) => a.timestamp - b.timestamp);

  const likedBefore = (userId: UserId, before: number): number => {
    const liked = likedBy.get(userId) ?? [];
    let low = 0;
    let high = liked.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (liked[middle].timestamp < before) low = middle + 1;
      else high = middle;
    }
    return low;
  };

  let disposed = false;
  return {
    variant: 'overlap',
    async retrieve(target: RetrievalTarget, k: number): Promise<RetrievedUser[]> {
      if (disposed) throw new InvalidOptionError('retriever', 'was disposed; create a new one.');
      checkInteger('k', k, 0);
      const historySet = new Set(target.history);
      if (k === 0 || historySet.size === 0) return [];
      const shared = new Map<UserId, number>();
      for (const itemId of historySet) {
        for (const { userId, timestamp } of usersOfItem.get(itemId) ?? []) {
          if (userId === target.userId || timestamp >= target.before) continue;
          shared.set(userId, (shared.get(userId) ?? 0) + 1);
        }
      }
      const scored: { userId: UserId; score: number; count: number }[] = [];
      for (const [userId, overlap] of shared) {
        const count = likedBefore(userId, target.before);
        scored.push({ userId, count, score: overlap / Math.sqrt(historySet.size * count) });
      }
      scored.sort((a, b) => b.score - a.score || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
      return scored.slice(0, k).map(({ userId, score, count }) => {
        const liked = likedBy.get(userId) ?? [];
        const items: Item[] = [];
        for (let i = Math.max(0, count - behaviourItems); i < count; i++) {
          const item = dataset.items.get(liked[i].itemId);
          if (item) items.push(item);
        }
        return { userId, score, behaviour: describeHistory(items, { maxItems: behaviourItems }) };
      });
    },
    dispose() {
      disposed = true;
    },
  };
}
