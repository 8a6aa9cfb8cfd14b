import { DimensionMismatchError, InvalidOptionError, type Float32Matrix, type ItemId, type RetrievalTarget, type RetrievedUser, type UserId, checkInteger, offerTopK } from '@score/core';
import type { BehaviourCorpus } from './behaviour-corpus';
import type { CorpusRetriever } from './corpus-retriever';

/**
 * The CRM's e_u = CRM(H(u)) of each input history (oldest first), one matrix row per input, e.g.
 * a trained SASRec's `userEmbeddings`.
 */
export type EmbedUsers = (inputs: readonly { readonly history: readonly ItemId[]; readonly userId?: UserId }[]) => Promise<Float32Matrix>;

/** Options of {@link createEmbeddingNeighbourRetriever}. */
export interface EmbeddingNeighbourRetrieverOptions {
  /**
   * Fixed CRM user embeddings e_u (e.g. SASRec's `user-embeddings.safetensors`, over each user's
   * whole training history), one row per user. Give these with `userIds`, or `embedUsers`.
   * @defaultValue none
   */
  readonly embeddings?: Float32Matrix;
  /**
   * The user of each row of `embeddings`.
   * @defaultValue none
   */
  readonly userIds?: readonly UserId[];
  /**
   * The CRM itself: the target's e_ut is computed from its history before the row
   * (`target.history`), and each candidate's e_ui from its behaviour in the row's snapshot (the
   * entry's items, once per snapshot), so the choice of users, like the texts, uses only
   * interactions before the row. Takes precedence over `embeddings`.
   * @defaultValue none
   */
  readonly embedUsers?: EmbedUsers;
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
 * the largest cosine cos(e_ut, e_ui) are returned (best first, ties to the earlier user), each
 * with its behaviour as of that snapshot; never the target. Before the first boundary, or for a
 * target without an embedding, it returns nobody.
 *
 * With fixed `embeddings` (over each user's whole training history, as the paper's N_c(u), Eq.
 * 3-4), the *choice* of users for a train row may reflect later train likes; the behaviour texts
 * shown never do. With `embedUsers` the choice too uses only interactions before the row.
 */
export function createEmbeddingNeighbourRetriever(options: EmbeddingNeighbourRetrieverOptions): CorpusRetriever {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'must be an object.');
  const { corpus, embedUsers } = options;
  if (corpus === undefined || corpus === null) throw new InvalidOptionError('corpus', 'is required.');
  if (embedUsers !== undefined && typeof embedUsers !== 'function') throw new InvalidOptionError('embedUsers', 'must be a function from histories to a matrix of user embeddings.');
  const variant = options.variant ?? 'cf';
  const source: NeighbourSource = { corpus, embedUsers, fixed: embedUsers === undefined ? fixedVectors(options) : undefined, members: new Map() };
  const check = (target: RetrievalTarget, k: number, field: string) => {
    checkInteger('k', k, 1);
    if (target.userId === undefined) throw new InvalidOptionError(`${field}.userId`, 'is required by the "cf" retriever, whose embeddings are looked up by user id.');
    if (!Number.isFinite(target.before)) throw new InvalidOptionError(`${field}.before`, `must be a finite time in seconds, got ${String(target.before)}.`, target.before);
  };
  return {
    variant,
    async retrieve(target: RetrievalTarget, k: number): Promise<RetrievedUser[]> {
      check(target, k, 'target');
      return nearest(source, (await queries(source, [target]))[0], target, k);
    },
    async retrieveBatch(targets: readonly RetrievalTarget[], k: number): Promise<RetrievedUser[][]> {
      targets.forEach((target, i) => check(target, k, `targets[${i}]`));
      const vectors = await queries(source, targets);
      const results: RetrievedUser[][] = [];
      for (const [i, target] of targets.entries()) results.push(await nearest(source, vectors[i], target, k));
      return results;
    },
    dispose(): void {},
  };
}

/** The users of one snapshot and their unit CRM vectors (row-major, `cols` wide). */
interface SnapshotMembers {
  readonly userIds: readonly UserId[];
  readonly unit: Float32Array;
  readonly cols: number;
}

/** Where a retriever's vectors come from, and its per-snapshot cache. */
interface NeighbourSource {
  readonly corpus: BehaviourCorpus;
  readonly embedUsers: EmbedUsers | undefined;
  readonly fixed: ReturnType<typeof fixedVectors> | undefined;
  /** Per snapshot: its users and their unit vectors (computed once). */
  readonly members: Map<number, Promise<SnapshotMembers>>;
}

/** A snapshot's users with an embedding and their unit vectors: the fixed rows, or the CRM over each entry's items; cached. */
function snapshotMembers(source: NeighbourSource, snapshot: number): Promise<SnapshotMembers> {
  let found = source.members.get(snapshot);
  if (!found) {
    const { corpus, fixed, embedUsers } = source;
    found = (async () => {
      const entries = corpus.snapshotEntries(snapshot);
      if (fixed) {
        const kept = entries.filter((entry) => fixed.rowOf.has(entry.userId));
        const unit = new Float32Array(kept.length * fixed.cols);
        kept.forEach((entry, i) => unit.set(fixed.unit.subarray(fixed.rowOf.get(entry.userId)! * fixed.cols, (fixed.rowOf.get(entry.userId)! + 1) * fixed.cols), i * fixed.cols));
        return { userIds: kept.map((entry) => entry.userId), unit, cols: fixed.cols };
      }
      const matrix = entries.length === 0 ? { rows: 0, cols: 0, data: new Float32Array(0) } : await (embedUsers as EmbedUsers)(entries.map((entry) => ({ userId: entry.userId, history: entry.itemIds })));
      if (matrix.rows !== entries.length) throw new DimensionMismatchError(`The CRM embeddings of snapshot ${snapshot}'s ${entries.length} users (rows)`, entries.length, matrix.rows);
      return { userIds: entries.map((entry) => entry.userId), unit: normalise(matrix), cols: matrix.cols };
    })();
    source.members.set(snapshot, found);
  }
  return found;
}

/** The K_e users of the target's snapshot with the largest cosine to `query` (best first, ties to the earlier user), never the target. */
async function nearest(source: NeighbourSource, query: Float32Array | undefined, target: RetrievalTarget, k: number): Promise<RetrievedUser[]> {
  const snapshot = source.corpus.snapshotIndex(target.before);
  if (query === undefined || snapshot < 0 || query.some((value) => Number.isNaN(value))) return [];
  const { userIds, unit, cols } = await snapshotMembers(source, snapshot);
  if (cols !== query.length) return [];
  const bestRows = new Int32Array(k);
  const bestScores = new Float64Array(k);
  let filled = 0;
  userIds.forEach((userId, row) => {
    if (userId === target.userId) return;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += query[c] * unit[row * cols + c];
    if (!Number.isNaN(dot)) filled = offerTopK(bestRows, bestScores, filled, k, row, dot);
  });
  return Array.from(bestRows.subarray(0, filled), (row, i) => {
    const userId = userIds[row]!;
    return { userId, behaviour: (source.corpus.snapshotEntry(userId, snapshot) as { text: string }).text, score: bestScores[i]! };
  });
}

/** Each target's unit query vector: its fixed row, or the CRM over its history (targets before the first snapshot get none). */
async function queries(source: NeighbourSource, targets: readonly RetrievalTarget[]): Promise<(Float32Array | undefined)[]> {
  const { fixed, corpus, embedUsers } = source;
  if (fixed) {
    return targets.map((target) => {
      const row = fixed.rowOf.get(target.userId as UserId);
      return row === undefined ? undefined : fixed.unit.subarray(row * fixed.cols, (row + 1) * fixed.cols);
    });
  }
  const wanted = targets.map((target, i) => ({ target, i })).filter(({ target }) => corpus.snapshotIndex(target.before) >= 0);
  const found = new Array<Float32Array | undefined>(targets.length);
  if (wanted.length === 0) return found;
  const matrix = await (embedUsers as EmbedUsers)(wanted.map(({ target }) => ({ userId: target.userId, history: target.history })));
  if (matrix.rows !== wanted.length) throw new DimensionMismatchError(`The CRM embeddings of ${wanted.length} targets (rows)`, wanted.length, matrix.rows);
  const unit = normalise(matrix);
  wanted.forEach(({ i }, r) => (found[i] = unit.subarray(r * matrix.cols, (r + 1) * matrix.cols)));
  return found;
}

/** Rows scaled to unit length (a zero row stays zero). */
function normalise(matrix: Float32Matrix): Float32Array {
  const { rows, cols, data } = matrix;
  if (data.length !== rows * cols) throw new DimensionMismatchError('The embeddings data', rows * cols, data.length);
  const unit = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let c = 0; c < cols; c++) norm += data[r * cols + c] ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < cols; c++) unit[r * cols + c] = data[r * cols + c] * scale;
  }
  return unit;
}

function fixedVectors(options: EmbeddingNeighbourRetrieverOptions) {
  const { embeddings, userIds } = options;
  if (!embeddings || !(embeddings.data instanceof Float32Array)) throw new InvalidOptionError('embeddings', 'must be a Float32Matrix of user embeddings (or give embedUsers).');
  if (!Array.isArray(userIds)) throw new InvalidOptionError('userIds', 'must list the user of each embedding row.');
  if (userIds.length !== embeddings.rows) throw new DimensionMismatchError('The user ids of the embeddings (one per row)', embeddings.rows, userIds.length);
  const rowOf = new Map<UserId, number>();
  userIds.forEach((userId, r) => {
    if (!rowOf.has(userId)) rowOf.set(userId, r);
  });
  return { unit: normalise(embeddings), cols: embeddings.cols, rowOf };
}
