import type { Dataset, RetrievalTarget, RetrievedUser, UserRetriever } from '@score/core';
import { describeHistory } from '@score/prompt-kit';

/**
 * A small leakage-safe collaborative retriever for tests: candidates are the users with liked
 * items strictly before `target.before`, scored by how many of those items are in the target's
 * history (ties: dataset user order); each behaviour is d(H(u_i)) of those items.
 */
export function createCoLikeRetriever(dataset: Dataset): UserRetriever {
  return {
    variant: 'test-co-like',
    async retrieve(target: RetrievalTarget, k: number): Promise<RetrievedUser[]> {
      const history = new Set(target.history);
      const scored: RetrievedUser[] = [];
      for (const userId of dataset.users) {
        if (userId === target.userId) continue;
        const items = dataset.positives(userId);
        const times = dataset.positiveTimes(userId);
        const before = items.filter((_, i) => times[i] < target.before);
        if (before.length === 0) continue;
        const shared = before.filter((id) => history.has(id)).length;
        scored.push({ userId, score: shared, behaviour: describeHistory(before.map((id) => dataset.items.get(id)!)) });
      }
      return scored.sort((a, b) => b.score - a.score).slice(0, k);
    },
    dispose() {},
  };
}
