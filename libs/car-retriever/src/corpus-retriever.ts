import {
  InvalidOptionError,
  matrixRow,
  type RetrievalTarget,
  type RetrievedUser,
  type UserRetriever,
  type VectorHit,
  type VectorIndex,
  checkInteger,
} from '@score/core';
import type { BehaviourCorpus } from './behaviour-corpus';
import type { EmbedTexts } from './index-behaviour-corpus';
import type { SnapshotIndexes } from './snapshot-indexes';

/** Options of {@link createCorpusRetriever}. */
export interface CorpusRetrieverOptions {
  /**
   * Name of the variant, e.g. `car` (fine-tuned encoder) or `base` (untuned encoder).
   * @defaultValue 'car'
   */
  readonly variant?: string;
  /**
   * The index holding the corpus as snapshot chains, embedded by the same encoder (see
   * `indexBehaviourCorpus`): a target at time t sees each user's newest entry with `asOf < t`.
   * Give this or `snapshots`.
   * @defaultValue none
   */
  readonly index?: VectorIndex;
  /**
   * One table per corpus snapshot (see `writeSnapshotIndexes`): a target at time t searches only
   * the snapshot of the latest boundary strictly before t (`corpus.snapshotIndex(t)`) and sees
   * each user's behaviour as of that boundary; before the first boundary it sees nobody. Takes
   * precedence over `index`.
   * @defaultValue none
   */
  readonly snapshots?: SnapshotIndexes;
  /** The corpus: describes target histories and supplies texts the index lacks. */
  readonly corpus: BehaviourCorpus;
  /** The text encoder that embeds d(H(u_t)). */
  readonly embed: EmbedTexts;
}

/** A {@link UserRetriever} that can also embed many targets in one encoder call. */
export interface CorpusRetriever extends UserRetriever {
  /** `retrieve` for each target, with one `embed` call for all their histories. */
  retrieveBatch(targets: readonly RetrievalTarget[], k: number): Promise<RetrievedUser[][]>;
}

/** Index searches of one `retrieveBatch` call in flight at once. */
const SEARCHES_IN_FLIGHT = 8;

function checkRequest(target: RetrievalTarget, k: number, field = 'target'): void {
  checkInteger('k', k, 1);
  if (!Number.isFinite(target.before)) {
    throw new InvalidOptionError(`${field}.before`, `must be a finite time in seconds, got ${String(target.before)}.`, target.before);
  }
}

/**
 * CAR retrieval (method.md, Stage 1): h_t = Enc(d(H(u_t))), then the K_e users whose behaviour
 * embeddings are closest, following the leakage rule: only entries with `asOf < target.before`
 * (at most one per user), never the target user. Scores are the index's similarities.
 * `dispose()` leaves the index open (the caller owns it).
 */
export function createCorpusRetriever(options: CorpusRetrieverOptions): CorpusRetriever {
  const variant = options.variant ?? 'car';
  if (typeof variant !== 'string' || variant.length === 0) {
    throw new InvalidOptionError('variant', `must be a non-empty name such as "car" or "base", got ${JSON.stringify(variant)}.`, variant);
  }
  for (const field of ['corpus', 'embed'] as const) {
    if (options[field] === undefined || options[field] === null) throw new InvalidOptionError(field, 'is required.');
  }
  if (!options.index && !options.snapshots) throw new InvalidOptionError('index', 'is required (or "snapshots", one index per corpus snapshot).');
  const { corpus, embed, snapshots } = options;
  const index = options.index as VectorIndex;

  async function nearestInSnapshot(vector: Float32Array, target: RetrievalTarget, k: number, excludeIds: readonly string[]): Promise<RetrievedUser[]> {
    const snapshot = corpus.snapshotIndex(target.before);
    if (snapshot < 0 || !snapshots) return [];
    const boundary = corpus.boundaries[snapshot];
    const users: RetrievedUser[] = [];
    for (const hit of await snapshots.search(snapshot, vector, { limit: k, excludeIds })) {
      // Re-checked: one entry per user, never the target, every item before the snapshot's boundary.
      if (hit.id === target.userId || users.some((user) => user.userId === hit.id) || !(hit.asOf !== undefined && hit.asOf < boundary)) continue;
      const behaviour = hit.text ?? corpus.snapshotEntry(hit.id, snapshot)?.text;
      if (behaviour !== undefined) users.push({ userId: hit.id, behaviour, score: hit.score });
    }
    return users;
  }

  async function nearest(vector: Float32Array, target: RetrievalTarget, k: number): Promise<RetrievedUser[]> {
    const excludeIds = target.userId === undefined ? [] : [target.userId];
    if (snapshots) return nearestInSnapshot(vector, target, k, excludeIds);
    let limit = k;
    for (;;) {
      const hits: VectorHit[] = await index.search(vector, { limit, before: target.before, excludeIds });
      const users: RetrievedUser[] = [];
      const seen = new Set<string>();
      for (const hit of hits) {
        // The index applies the rule; this re-check keeps other VectorIndex implementations honest.
        if (seen.has(hit.id) || hit.id === target.userId || !(hit.asOf !== undefined && hit.asOf < target.before)) continue;
        const behaviour = hit.text ?? corpus.visibleEntry(hit.id, target.before)?.text;
        if (behaviour === undefined) continue;
        seen.add(hit.id);
        users.push({ userId: hit.id, behaviour, score: hit.score });
        if (users.length === k) return users;
      }
      // Fewer distinct users than asked: an index without snapshot chains returned several
      // entries of one user. Over-fetch until the index has nothing more to give.
      if (hits.length < limit) return users;
      limit *= 2;
    }
  }

  return {
    variant,
    async retrieve(target: RetrievalTarget, k: number): Promise<RetrievedUser[]> {
      checkRequest(target, k);
      const vectors = await embed([corpus.describe(target.history)]);
      return nearest(matrixRow(vectors, 0), target, k);
    },
    async retrieveBatch(targets: readonly RetrievalTarget[], k: number): Promise<RetrievedUser[][]> {
      targets.forEach((target, i) => checkRequest(target, k, `targets[${i}]`));
      if (targets.length === 0) return [];
      const vectors = await embed(targets.map((target) => corpus.describe(target.history)));
      // The searches run a few at once (LanceDB answers on its own threads); each target's result is its own search's.
      const results = new Array<RetrievedUser[]>(targets.length);
      let next = 0;
      const searcher = async (): Promise<void> => {
        while (next < targets.length) {
          const i = next++;
          results[i] = await nearest(matrixRow(vectors, i), targets[i]!, k);
        }
      };
      await Promise.all(Array.from({ length: Math.min(SEARCHES_IN_FLIGHT, targets.length) }, searcher));
      return results;
    },
    dispose(): void {},
  };
}
