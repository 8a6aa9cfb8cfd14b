import { InvalidOptionError, type ItemId, type UserId, checkInteger } from '@score/core';
import { cosineTopK } from './cosine-top-k';
import type { EmbedTexts } from './index-behaviour-corpus';
import type { CollaborativeNeighbour } from './neighbour-retriever';
import { annRecallAtK } from './ann-recall-at-k';

/** One user's text in a retrieval corpus (a `BehaviourEntry` fits). */
export interface CorpusText {
  readonly userId: UserId;
  /** d(H(u)), what the encoder embeds. */
  readonly text: string;
  /** The items the text describes (used by {@link futureOverlap}). */
  readonly itemIds: readonly ItemId[];
}

/**
 * The ids of a user's CRM neighbours N_c(u), best score first, at most `neighboursPerUser` of them,
 * without `exclude` (the user itself), duplicates, and ids `keep` rejects (e.g. users outside the corpus).
 */
export function topNeighbours(
  list: readonly CollaborativeNeighbour[] | undefined,
  neighboursPerUser: number,
  exclude?: UserId,
  keep: (userId: UserId) => boolean = () => true,
): UserId[] {
  if (!list) return [];
  return [...list]
    .sort((a, b) => b.score - a.score)
    .map((neighbour) => neighbour.userId)
    .filter((id, i, all) => id !== exclude && keep(id) && all.indexOf(id) === i)
    .slice(0, neighboursPerUser);
}

/**
 * Recall@k of the CRM neighbours: for each user with at least one neighbour, the share of its top
 * `neighboursPerUser` CRM neighbours N_c(u) (at most k of them) that are among its first `k`
 * retrieved users; the mean over those users (1 when there is none). Users missing from `retrieved`
 * count as retrieving nobody.
 */
export function neighbourRecall(
  retrieved: ReadonlyMap<UserId, readonly UserId[]>,
  neighbours: ReadonlyMap<UserId, readonly CollaborativeNeighbour[]>,
  options: { readonly users: readonly UserId[]; readonly k: number; readonly neighboursPerUser?: number },
): number {
  const neighboursPerUser = options.neighboursPerUser ?? 5;
  const truth: UserId[][] = [];
  const found: UserId[][] = [];
  for (const userId of options.users) {
    truth.push(topNeighbours(neighbours.get(userId), neighboursPerUser, userId));
    found.push([...(retrieved.get(userId) ?? [])]);
  }
  return annRecallAtK(found, truth, options.k);
}

/** Options of {@link futureOverlap}. */
export interface FutureOverlapOptions {
  /** The targets. */
  readonly users: readonly UserId[];
  /** Retrieved users taken per target (K_e). */
  readonly k: number;
  /** The items of each retrieved user's behaviour text. */
  readonly itemsOf: (userId: UserId) => readonly ItemId[];
  /** Each target's future positives: the items it liked in the valid and test splits. */
  readonly futurePositives: ReadonlyMap<UserId, ReadonlySet<ItemId>>;
}

/** {@link futureOverlap}'s result. */
export interface FutureOverlap {
  /** The mean share over the counted targets (0 when none is counted). */
  readonly value: number;
  /** Targets counted: those with a future positive and at least one retrieved behaviour item. */
  readonly users: number;
}

/**
 * Future overlap of retrieved behaviour: for a target u with future positives F(u) (items it liked
 * after the corpus was taken: its valid and test positives) and retrieved users R_k(u) (the first
 * k), the share of the retrieved users' behaviour items that are in F(u):
 *
 *   overlap(u) = sum_{r in R_k(u)} |I(r) ∩ F(u)| / sum_{r in R_k(u)} |I(r)|
 *
 * where I(r) is the item list of r's behaviour text (each retrieved user's items count once per
 * user, so an item two neighbours liked counts twice). The result is the mean over targets with
 * F(u) non-empty and at least one retrieved item: how much of the collaborative information shown
 * to the LLM points at what the target will actually like.
 */
export function futureOverlap(retrieved: ReadonlyMap<UserId, readonly UserId[]>, options: FutureOverlapOptions): FutureOverlap {
  checkInteger('k', options.k, 1);
  let sum = 0;
  let users = 0;
  for (const userId of options.users) {
    const future = options.futurePositives.get(userId);
    if (!future || future.size === 0) continue;
    let hits = 0;
    let shown = 0;
    for (const other of (retrieved.get(userId) ?? []).slice(0, options.k)) {
      for (const itemId of options.itemsOf(other)) {
        shown += 1;
        if (future.has(itemId)) hits += 1;
      }
    }
    if (shown === 0) continue;
    sum += hits / shown;
    users += 1;
  }
  return { value: users === 0 ? 0 : sum / users, users };
}

/** Options of {@link evaluateRetrieval}. */
export interface EvaluateRetrievalOptions {
  /** The encoder under test (CAR, or the untuned base encoder). */
  readonly embed: EmbedTexts;
  /** Every corpus user's text, one per user; targets retrieve among all of them but themselves. */
  readonly corpus: readonly CorpusText[];
  /** N_c(u) of the CRM (method.md Eq. 3-4), the relevance truth of the recall. */
  readonly neighbours: ReadonlyMap<UserId, readonly CollaborativeNeighbour[]>;
  /** The targets (corpus users, typically held out of fine-tuning). */
  readonly users: readonly UserId[];
  /**
   * Users retrieved per target (K_e).
   * @defaultValue 10
   */
  readonly k?: number;
  /**
   * CRM neighbours per target that count as relevant (K_c).
   * @defaultValue 5
   */
  readonly neighboursPerUser?: number;
  /**
   * Future positives of each target, for {@link futureOverlap}.
   * @defaultValue none (the overlap is then 0 over 0 users)
   */
  readonly futurePositives?: ReadonlyMap<UserId, ReadonlySet<ItemId>>;
}

/** What {@link evaluateRetrieval} measures. */
export interface RetrievalEvaluation {
  readonly k: number;
  /** Targets evaluated. */
  readonly users: number;
  /** {@link neighbourRecall}: recall@k of the targets' CRM neighbours. */
  readonly recall: number;
  /** {@link futureOverlap}'s value. */
  readonly futureOverlap: number;
  /** Targets the future overlap counts. */
  readonly futureOverlapUsers: number;
  /** The retrieved users of each target, best first. */
  readonly retrieved: ReadonlyMap<UserId, readonly UserId[]>;
}

/**
 * Embeds every corpus text, retrieves for each target the k corpus users of largest cosine (exact
 * search, never the target itself), and measures the recall of the CRM neighbours and the future
 * overlap of the retrieved behaviour.
 * @throws InvalidOptionError when a target is not a corpus user or a user has two corpus texts.
 */
export async function evaluateRetrieval(options: EvaluateRetrievalOptions): Promise<RetrievalEvaluation> {
  const k = options.k ?? 10;
  checkInteger('k', k, 1);
  const neighboursPerUser = options.neighboursPerUser ?? 5;
  checkInteger('neighboursPerUser', neighboursPerUser, 1);
  const rowOf = new Map<UserId, number>();
  options.corpus.forEach((entry, row) => {
    if (rowOf.has(entry.userId)) throw new InvalidOptionError('corpus', `must hold one text per user; user "${entry.userId}" appears twice.`);
    rowOf.set(entry.userId, row);
  });
  const queryRows = options.users.map((userId) => {
    const row = rowOf.get(userId);
    if (row === undefined) throw new InvalidOptionError('users', `user "${userId}" is not in the corpus; targets must be corpus users.`, userId);
    return row;
  });
  const vectors = await options.embed(options.corpus.map((entry) => entry.text));
  const lists = cosineTopK(vectors, queryRows, k);
  const retrieved = new Map<UserId, UserId[]>();
  options.users.forEach((userId, i) => retrieved.set(userId, lists[i]!.map((row) => options.corpus[row]!.userId)));
  const recall = neighbourRecall(retrieved, options.neighbours, { users: options.users, k, neighboursPerUser });
  const itemsOf = (userId: UserId) => options.corpus[rowOf.get(userId)!]!.itemIds;
  const overlap = futureOverlap(retrieved, { users: options.users, k, itemsOf, futurePositives: options.futurePositives ?? new Map() });
  return { k, users: options.users.length, recall, futureOverlap: overlap.value, futureOverlapUsers: overlap.users, retrieved };
}
