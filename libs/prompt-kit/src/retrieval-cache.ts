import type { RetrievedUser, UserId } from '@score/core';

/**
 * Retrieval results shared by several `buildPromptSet` calls (e.g. the K_s sweep, which retrieves
 * the same K_e users for every K_s). Keys name the retriever, K_e, the target user, the length of
 * the target's history and the corpus snapshot visible at the row's time (see
 * `BuildPromptSetOptions.snapshotTimes`), so an entry is only reused where the retriever's answer
 * cannot differ.
 */
export class RetrievalCache {
  readonly #entries = new Map<string, readonly RetrievedUser[]>();
  /** One copy of each behaviour text: many rows see the same snapshot of a user. */
  readonly #texts = new Map<string, string>();
  /** Whole reranked candidate lists (every candidate, best first), see {@link RetrievalCache.rerankKey}. */
  readonly #reranked = new Map<string, readonly RetrievedUser[]>();

  /** The key of one retrieval. */
  static key(retriever: string, retrieved: number, userId: UserId, historyLength: number, snapshot: number): string {
    return JSON.stringify([retriever, retrieved, userId, historyLength, snapshot]);
  }

  /**
   * The key of one row's reranked list: the retrieval it reorders (a {@link RetrievalCache.key})
   * and the K_e of its prefix that was reranked, the row (its index fixes the query P^b's target
   * item and history) and the number of history items in the query. A cache serves one reranker only.
   */
  static rerankKey(retrievalKey: string, retrieved: number, rowIndex: number, maxHistoryItems: number): string {
    return JSON.stringify([retrievalKey, retrieved, rowIndex, maxHistoryItems]);
  }

  /** Number of cached reranked lists. */
  get rerankedSize(): number {
    return this.#reranked.size;
  }

  /**
   * A stored reranked list (every candidate, best first), or `undefined`. A K_s sweep takes
   * prefixes of it: the reranker sorts by score with ties in the given order, so its top K_s is
   * the first K_s of the whole order.
   */
  getReranked(key: string): readonly RetrievedUser[] | undefined {
    return this.#reranked.get(key);
  }

  /** Stores a whole reranked list (`score` is the reranker's). */
  setReranked(key: string, users: readonly RetrievedUser[]): void {
    this.#reranked.set(key, users);
  }

  /** Number of cached retrievals. */
  get size(): number {
    return this.#entries.size;
  }

  /** A stored retrieval, or `undefined`. */
  get(key: string): readonly RetrievedUser[] | undefined {
    return this.#entries.get(key);
  }

  /** Stores a retrieval (behaviour texts are shared between entries). */
  set(key: string, users: readonly RetrievedUser[]): void {
    this.#entries.set(
      key,
      users.map((user) => {
        let behaviour = this.#texts.get(user.behaviour);
        if (behaviour === undefined) {
          behaviour = user.behaviour;
          this.#texts.set(behaviour, behaviour);
        }
        return { userId: user.userId, behaviour, score: user.score };
      }),
    );
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
    this.#texts.clear();
    this.#reranked.clear();
  }
}

/**
 * The corpus snapshot a row at time `before` sees: how many of the sorted `snapshotTimes` are
 * strictly before it (the retriever only shows entries with `asOf < before`). Without snapshot
 * times, the time itself.
 */
export function snapshotOf(before: number, snapshotTimes: readonly number[] | undefined): number {
  if (snapshotTimes === undefined) return before;
  let low = 0;
  let high = snapshotTimes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (snapshotTimes[middle] < before) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The `snapshotTimes` of a corpus searched as snapshot chains (a row sees each user's newest entry
 * with `asOf` before it): every entry's `asOf`, unique and ascending. Between two of them the set
 * of entries a search may return does not change. For a corpus searched per snapshot (the CAR
 * stage's tables, `loadCarRetriever`), the snapshot times are the corpus boundaries themselves
 * (`car.json`'s `corpus.boundaries`).
 */
export function corpusSnapshotTimes(corpus: { readonly entries: readonly { readonly asOf: number }[] }): number[] {
  return [...new Set(corpus.entries.map((entry) => entry.asOf))].sort((a, b) => a - b);
}
