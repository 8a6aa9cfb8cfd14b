import { DimensionMismatchError, InvalidOptionError, type Float32Matrix, type RetrievalTarget, type RetrievedUser, type UserId, type UserRetriever } from '@score/core';
import type { BehaviourCorpus } from './behaviour-corpus';

/** Options of {@link createEmbeddingNeighbourRetriever}. */
export interface EmbeddingNeighbourRetrieverOptions {
  /** The CRM's user embeddings e_u (e.g. SASRec's `user-embeddings.safetensors`), one row per user. */
  readonly embeddings: Float32Matrix;
  /** The user of each row of `embeddings`. */
  readonly userIds: readonly UserId[];
  /** Supplies each user's behaviour text as of the target's snapshot. */
  readonly corpus: BehaviourCorpus;
  /**
   * Name of the variant.
   * @defaultValue 'cf'
   */
  readonly variant?: string;
}

/**
 * The `cf` ablation (SCoRe-cf) as a retriever over CRM embeddings, the counterpart of CAR's text
 * retrieval: for a target at time t, the snapshot of the latest boundary strictly before t
 * (`corpus.snapshotIndex(t)`) is searched, and among the users with behaviour in it the K_e with
 * the largest cosine cos(e_ut, e_ui) are returned (best first, ties to the earlier row), each with
 * its behaviour as of that snapshot; never the target. A target without an embedding (no
 * training positives) or before the first boundary gets nobody.
 *
 * Caveat: e_u is the CRM's embedding over the user's whole training history (as the paper's
 * N_c(u), Eq. 3-4), so for a train row the *choice* of users may reflect the target's later train
 * likes; the behaviour texts shown never do.
 */
export function createEmbeddingNeighbourRetriever(options: EmbeddingNeighbourRetrieverOptions): UserRetriever {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'must be an object.');
  const { embeddings, userIds, corpus } = options;
  if (!embeddings || !(embeddings.data instanceof Float32Array)) throw new InvalidOptionError('embeddings', 'must be a Float32Matrix of user embeddings.');
  if (!Array.isArray(userIds)) throw new InvalidOptionError('userIds', 'must list the user of each embedding row.');
  if (userIds.length !== embeddings.rows) throw new DimensionMismatchError('The user ids of the embeddings (one per row)', embeddings.rows, userIds.length);
  if (embeddings.data.length !== embeddings.rows * embeddings.cols) throw new DimensionMismatchError('The embeddings data', embeddings.rows * embeddings.cols, embeddings.data.length);
  if (corpus === undefined || corpus === null) throw new InvalidOptionError('corpus', 'is required.');
  const variant = options.variant ?? 'cf';
  const { rows, cols } = embeddings;
  const unit = new Float32Array(embeddings.data.length);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let c = 0; c < cols; c++) norm += embeddings.data[r * cols + c] ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < cols; c++) unit[r * cols + c] = embeddings.data[r * cols + c] * scale;
  }
  const rowOf = new Map<UserId, number>();
  userIds.forEach((userId, r) => {
    if (!rowOf.has(userId)) rowOf.set(userId, r);
  });
  // Rows whose user has behaviour in each snapshot, computed once per snapshot.
  const members = new Map<number, { readonly row: number; readonly userId: UserId }[]>();
  const snapshotMembers = (snapshot: number) => {
    let list = members.get(snapshot);
    if (!list) {
      list = [];
      for (const [userId, row] of rowOf) if (corpus.snapshotEntry(userId, snapshot)) list.push({ row, userId });
      list.sort((a, b) => a.row - b.row);
      members.set(snapshot, list);
    }
    return list;
  };
  return {
    variant,
    async retrieve(target: RetrievalTarget, k: number): Promise<RetrievedUser[]> {
      if (!Number.isInteger(k) || k < 1) throw new InvalidOptionError('k', `must be a positive integer, got ${String(k)}.`, k);
      if (target.userId === undefined) throw new InvalidOptionError('target.userId', 'is required by the "cf" retriever, whose embeddings are looked up by user id.');
      if (!Number.isFinite(target.before)) throw new InvalidOptionError('target.before', `must be a finite time in seconds, got ${String(target.before)}.`, target.before);
      const query = rowOf.get(target.userId);
      const snapshot = corpus.snapshotIndex(target.before);
      if (query === undefined || snapshot < 0) return [];
      const best: { userId: UserId; score: number }[] = [];
      for (const { row, userId } of snapshotMembers(snapshot)) {
        if (userId === target.userId) continue;
        let dot = 0;
        for (let c = 0; c < cols; c++) dot += unit[query * cols + c] * unit[row * cols + c];
        if (best.length === k && dot <= best[k - 1].score) continue;
        let position = Math.min(best.length, k - 1);
        if (best.length < k) best.push({ userId, score: dot });
        while (position > 0 && best[position - 1].score < dot) {
          best[position] = best[position - 1];
          position -= 1;
        }
        best[position] = { userId, score: dot };
      }
      return best.map((user) => ({ userId: user.userId, behaviour: (corpus.snapshotEntry(user.userId, snapshot) as { text: string }).text, score: user.score }));
    },
    dispose(): void {},
  };
}
