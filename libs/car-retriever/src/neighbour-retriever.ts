import { InvalidOptionError, type RetrievalTarget, type RetrievedUser, type UserId, type UserRetriever, checkInteger } from '@score/core';
import type { BehaviourCorpus } from './behaviour-corpus';

/** A collaborative neighbour of a user, with the CRM's similarity (e_ut . e_ui). */
export interface CollaborativeNeighbour {
  readonly userId: UserId;
  readonly score: number;
}

/** Options of {@link createNeighbourRetriever}. */
export interface NeighbourRetrieverOptions {
  /** N_c(u) per user (method.md, Eq. 3-4), any order; the best are taken first. */
  readonly neighbours: ReadonlyMap<UserId, readonly CollaborativeNeighbour[]>;
  /** Supplies each neighbour's behaviour text as of the target's time. */
  readonly corpus: BehaviourCorpus;
  /**
   * Name of the variant.
   * @defaultValue 'cf'
   */
  readonly variant?: string;
  /**
   * Which behaviour of a neighbour a target at time t sees: `chain`, the neighbour's newest corpus
   * entry with `asOf < t`; `snapshot`, its entry in the snapshot of the latest boundary strictly
   * before t (`corpus.snapshotIndex(t)`), as the snapshot-indexed CAR retriever sees it.
   * @defaultValue 'chain'
   */
  readonly visibility?: 'chain' | 'snapshot';
}

/**
 * The `cf` ablation (SCoRe-cf): the target's CRM neighbours, best score first, without a text
 * model. Same leakage rule as CAR: a neighbour appears only with its newest corpus entry whose
 * `asOf` is before the target's time (neighbours without one are skipped), never the target.
 */
export function createNeighbourRetriever(options: NeighbourRetrieverOptions): UserRetriever {
  if (!(options.neighbours instanceof Map)) {
    throw new InvalidOptionError('neighbours', 'must be a Map from user id to that user\'s neighbours.');
  }
  if (options.corpus === undefined || options.corpus === null) throw new InvalidOptionError('corpus', 'is required.');
  const { neighbours, corpus } = options;
  const variant = options.variant ?? 'cf';
  const visibility = options.visibility ?? 'chain';
  if (visibility !== 'chain' && visibility !== 'snapshot') throw new InvalidOptionError('visibility', `must be "chain" or "snapshot", got ${JSON.stringify(visibility)}.`, visibility);
  const sorted = new Map<UserId, readonly CollaborativeNeighbour[]>();
  for (const [userId, list] of neighbours) sorted.set(userId, [...list].sort((a, b) => b.score - a.score));
  return {
    variant,
    async retrieve(target: RetrievalTarget, k: number): Promise<RetrievedUser[]> {
      checkInteger('k', k, 1);
      if (target.userId === undefined) {
        throw new InvalidOptionError('target.userId', 'is required by the "cf" retriever, whose neighbours are looked up by user id.');
      }
      if (!Number.isFinite(target.before)) {
        throw new InvalidOptionError('target.before', `must be a finite time in seconds, got ${String(target.before)}.`, target.before);
      }
      const users: RetrievedUser[] = [];
      const seen = new Set<UserId>([target.userId]);
      const snapshot = visibility === 'snapshot' ? corpus.snapshotIndex(target.before) : -1;
      if (visibility === 'snapshot' && snapshot < 0) return users;
      for (const neighbour of sorted.get(target.userId) ?? []) {
        if (seen.has(neighbour.userId)) continue;
        const entry = visibility === 'snapshot' ? corpus.snapshotEntry(neighbour.userId, snapshot) : corpus.visibleEntry(neighbour.userId, target.before);
        if (!entry) continue;
        seen.add(neighbour.userId);
        users.push({ userId: neighbour.userId, behaviour: entry.text, score: neighbour.score });
        if (users.length === k) break;
      }
      return users;
    },
    dispose(): void {},
  };
}
