import {
  InvalidOptionError,
  silentLogger,
  type Dataset,
  type Item,
  type ItemId,
  type Logger,
  type ProgressCallback,
  type Reranker,
  type RetrievalTarget,
  type RetrievedUser,
  type Row,
  type UserId,
  type UserRetriever,
  checkInteger,
} from '@score/core';
import type { PromptSet } from './prompt-set';
import { PROMPT_VARIANTS, resolvePromptSetSpec, type PromptVariantId, type RetrieverKind } from './prompt-variants';
import { RetrievalCache, snapshotOf } from './retrieval-cache';
import { createScorePromptWriter } from './score-prompt-writer';
import type { TokenBudget } from './token-budget';

/** A similar user shown in a prompt, with the score that ranked it (retriever's or SARE's). */
export interface SimilarUser {
  /** The similar user. */
  readonly userId: UserId;
  /** The retriever's similarity, or SARE's cos(p_t, e_i) for the `score` variant. */
  readonly score: number;
}

/** One prompt of a prompt set: a dataset row, its label and the filled prompt. */
export interface PromptRecord {
  /** `Row.index` in the dataset. */
  readonly rowIndex: number;
  /** The target user u_t. */
  readonly userId: UserId;
  /** The target item v_t. */
  readonly itemId: ItemId;
  /** The row's interaction label (1 = liked), the LM's Yes/No answer. */
  readonly label: 0 | 1;
  /** The filled P^b or P^s. */
  readonly prompt: string;
  /** The K_s users whose behaviours fill P^s, best first; empty for P^b. */
  readonly similarUsers: readonly SimilarUser[];
}

/** A retriever that can embed many targets in one call (CAR's `CorpusRetriever`). */
interface BatchRetriever extends UserRetriever {
  retrieveBatch(targets: readonly RetrievalTarget[], k: number): Promise<RetrievedUser[][]>;
}

/** Options of {@link buildPromptSet}. */
export interface BuildPromptSetOptions {
  /** The prepared dataset the rows belong to. */
  readonly dataset: Dataset;
  /** Rows to build prompts for (usually one split). */
  readonly rows: readonly Row[];
  /** Which prompt variant (see `PROMPT_VARIANTS`). */
  readonly variant: PromptVariantId;
  /**
   * Retrievers by kind (from `loadCarRetriever`); the variant's one is required.
   * @defaultValue {}
   */
  readonly retrievers?: Partial<Record<RetrieverKind, UserRetriever>>;
  /**
   * SARE (from `loadSareReranker`); required by the `score` variant.
   * @defaultValue none
   */
  readonly reranker?: Reranker;
  /**
   * K_e: users retrieved per row.
   * @defaultValue 10
   */
  readonly retrieved?: number;
  /**
   * Users to retrieve per row when several calls differ only in K_e (a K_e sweep): each row is
   * retrieved once at this K, cached, and every call takes the first K_e (`retrieved`). With exact
   * search (every snapshot table below the ANN threshold) that equals a top-K_e search, ties
   * aside; with an ANN index the first K_e of an approximate top-K can differ from an approximate
   * top-K_e within the index's recall.
   * @defaultValue `retrieved`
   */
  readonly retrievedMax?: number;
  /**
   * The reranker scores each candidate on its own (SARE: cos(p_t, e_i), method.md Eq. 10), so the
   * order of the first K_e candidates is its order of all `retrievedMax` candidates restricted to
   * them: with `retrievedMax`, each row is then reranked once over all of them and every K_e takes
   * the restriction. Leave it off for a reranker that compares candidates with each other.
   * @defaultValue false
   */
  readonly pointwiseReranker?: boolean;
  /**
   * K_s: similar users kept in P^s.
   * @defaultValue 2
   */
  readonly kept?: number;
  /**
   * Most recent items of the target's history in the prompt (retrieval always gets the whole
   * history; the retriever applies its own limit).
   * @defaultValue 20
   */
  readonly maxHistoryItems?: number;
  /**
   * Most recent items of each similar user's list in P^s (`Infinity` keeps the retriever's text).
   * @defaultValue Infinity
   */
  readonly maxBehaviourItems?: number;
  /**
   * When given, each prompt is shortened to fit (see `fitPromptToBudget` for the rule).
   * @defaultValue none (no token limit)
   */
  readonly tokenBudget?: TokenBudget;
  /**
   * Ascending times at which the retriever's visible corpus changes (`corpusSnapshotTimes`):
   * rows of a user with the same history length between two such times share one retrieval.
   * Without them only rows with the same timestamp share one.
   * @defaultValue none
   */
  readonly snapshotTimes?: readonly number[];
  /**
   * Retrieval results shared with other calls over the same dataset and retrievers.
   * @defaultValue a cache for this call only
   */
  readonly cache?: RetrievalCache;
  /**
   * Rows per retrieval batch (one `retrieveBatch` call for a CAR retriever).
   * @defaultValue 64
   */
  readonly batchSize?: number;
  /**
   * Retrieval or rerank calls in flight at once.
   * @defaultValue 4
   */
  readonly concurrency?: number;
  /**
   * Custom templates (prompt-kit `createPromptSet`).
   * @defaultValue the paper's P^b and P^s
   */
  readonly promptSet?: Pick<PromptSet, 'basicPrompt' | 'ciPrompt'>;
  /**
   * Stops between batches when aborted.
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
  /**
   * Receives `rec.prompts` progress (rows).
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
  /**
   * Receives a warning when rows got no similar user (they get P^b).
   * @defaultValue silentLogger
   */
  readonly logger?: Logger;
}

/** Runs `work` over `inputs` with at most `limit` calls pending; results in input order. */
async function mapBounded<T, R>(inputs: readonly T[], limit: number, work: (input: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(inputs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      results[i] = await work(inputs[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}

function itemsOf(dataset: Dataset, ids: readonly ItemId[], row: Row): Item[] {
  return ids.map((id) => {
    const item = dataset.items.get(id);
    if (!item) throw new InvalidOptionError('rows', `row ${row.index} (user ${JSON.stringify(row.userId)}) names item ${JSON.stringify(id)}, which the dataset's items lack.`, id);
    return item;
  });
}

function hasBatch(retriever: UserRetriever): retriever is BatchRetriever {
  return typeof (retriever as Partial<BatchRetriever>).retrieveBatch === 'function';
}

/**
 * Builds the prompts of one variant for `rows` (method.md Stage 3). Per row: the history is
 * `dataset.history(row, maxHistoryItems)`; P^b is filled for `basic`; otherwise K_e users are
 * retrieved with `before = row.timestamp` (leakage rule: behaviour strictly before the row, the
 * target user never returned, and dropped here should a retriever return it), SARE reorders them
 * for `score` with the filled P^b as query, the top K_s are kept and P^s is filled. A row whose
 * retrieval finds nobody gets P^b (logged). Retrievals are batched, deduplicated per (user,
 * history length, snapshot) and cached; a row's whole reranked order is cached too (per retrieval,
 * row and `maxHistoryItems`), so calls that differ only in K_s rerank each row once and take
 * prefixes (the reranker must return its top K as the first K of its whole order, as SARE does).
 */
export async function buildPromptSet(options: BuildPromptSetOptions): Promise<PromptRecord[]> {
  const run = promptSetRun(options);
  const { dataset, rows } = options;
  const records: PromptRecord[] = [];
  let withoutSimilar = 0;
  for (let start = 0; start < rows.length; start += run.batchSize) {
    options.signal?.throwIfAborted();
    const batch = rows.slice(start, start + run.batchSize);
    const retrieval = run.retriever === undefined ? undefined : await retrieveBatch(run, run.retriever, batch);
    // A reranker with rerankMany orders the batch's rows in one call (one encoder call for all their texts).
    if (retrieval !== undefined && typeof run.reranker?.rerankMany === 'function') await rerankBatch(run, batch, retrieval);
    const built = await mapBounded(batch.map((row, i) => i), run.concurrency, async (i) => {
      const row = batch[i];
      const target = dataset.items.get(row.itemId);
      if (!target) throw new InvalidOptionError('rows', `row ${row.index} names item ${JSON.stringify(row.itemId)}, which the dataset's items lack.`, row.itemId);
      const fullHistory = itemsOf(dataset, dataset.history(row), row);
      const similar = retrieval === undefined ? [] : await similarUsers(run, row, retrieval.keys[i], retrieval.users[i], fullHistory, target);
      if (retrieval !== undefined && similar.length === 0) withoutSimilar += 1;
      const texts = similar.map((user) => user.behaviour);
      const prompt = run.writer.write(fullHistory, target, texts);
      return {
        rowIndex: row.index,
        userId: row.userId,
        itemId: row.itemId,
        label: row.label,
        prompt,
        similarUsers: similar.map((user) => ({ userId: user.userId, score: user.score })),
      } satisfies PromptRecord;
    });
    records.push(...built);
    options.onProgress?.({ task: 'rec.prompts', done: records.length, total: rows.length, unit: 'rows', finished: records.length === rows.length });
  }
  if (withoutSimilar > 0) {
    run.logger.warn(`rec: ${withoutSimilar} of ${rows.length} rows found no similar user with behaviour before their time and got the basic prompt P^b.`, { variant: run.spec.variant, rows: withoutSimilar });
  }
  return records;
}

/** The checked settings of one {@link buildPromptSet} call. */
interface PromptSetRun {
  readonly options: BuildPromptSetOptions;
  readonly spec: ReturnType<typeof resolvePromptSetSpec>;
  readonly writer: ReturnType<typeof createScorePromptWriter>;
  readonly batchSize: number;
  /** Users retrieved per row and cached (retrievedMax, at least K_e). */
  readonly fetched: number;
  readonly concurrency: number;
  readonly logger: Logger;
  readonly cache: RetrievalCache;
  /** The variant's retriever and its kind; undefined for `basic`. */
  readonly retriever: { readonly source: UserRetriever; readonly name: RetrieverKind } | undefined;
  readonly reranker: Reranker | undefined;
}

/** Checks the options of {@link buildPromptSet} and resolves the variant's writer, retriever and reranker. */
function promptSetRun(options: BuildPromptSetOptions): PromptSetRun {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'must be an object.');
  const { dataset, rows } = options;
  if (!dataset || typeof dataset.history !== 'function') throw new InvalidOptionError('dataset', 'must be a prepared dataset.');
  if (!Array.isArray(rows)) throw new InvalidOptionError('rows', 'must be an array of dataset rows.', rows);
  const spec = resolvePromptSetSpec({ variant: options.variant, retrieved: options.retrieved, kept: options.kept });
  const definition = PROMPT_VARIANTS[spec.variant];
  const writer = createScorePromptWriter({
    domain: dataset.domain,
    maxHistoryItems: options.maxHistoryItems,
    maxBehaviourItems: options.maxBehaviourItems,
    ...(options.tokenBudget === undefined ? {} : { tokenBudget: options.tokenBudget }),
    ...(options.promptSet === undefined ? {} : { promptSet: options.promptSet }),
  });
  const batchSize = checkInteger('batchSize', options.batchSize ?? 64, 1);
  const fetched = options.retrievedMax === undefined ? spec.retrieved : checkInteger('retrievedMax', options.retrievedMax, 1);
  if (fetched < spec.retrieved) throw new InvalidOptionError('retrievedMax', `must be at least K_e (retrieved, ${spec.retrieved}), got ${fetched}.`, fetched);
  const concurrency = checkInteger('concurrency', options.concurrency ?? 4, 1);
  const logger = options.logger ?? silentLogger;
  const cache = options.cache ?? new RetrievalCache();
  if (options.snapshotTimes !== undefined && !options.snapshotTimes.every((time, i, all) => Number.isFinite(time) && (i === 0 || all[i - 1] <= time))) {
    throw new InvalidOptionError('snapshotTimes', 'must be finite times in ascending order (see corpusSnapshotTimes).');
  }
  const retriever = definition.retriever === undefined ? undefined : options.retrievers?.[definition.retriever];
  if (definition.retriever !== undefined && (!retriever || typeof retriever.retrieve !== 'function')) {
    throw new InvalidOptionError(`retrievers.${definition.retriever}`, `is required by the "${spec.variant}" variant: a UserRetriever from loadCarRetriever(stageDir, { variant: "${definition.retriever}" }).`);
  }
  const reranker = definition.rerank ? options.reranker : undefined;
  if (definition.rerank && (!reranker || typeof reranker.rerank !== 'function')) {
    throw new InvalidOptionError('reranker', `is required by the "${spec.variant}" variant: the SARE reranker from loadSareReranker.`);
  }
  return {
    options,
    spec,
    writer,
    batchSize,
    fetched,
    concurrency,
    logger,
    cache,
    retriever: retriever === undefined || definition.retriever === undefined ? undefined : { source: retriever, name: definition.retriever },
    reranker,
  };
}

/**
 * A row's similar users: its retrieved `candidates` (K_e), reordered by the reranker for `score`,
 * the top K_s kept. One whole order per row and retrieval is cached and shared by every K_s (a K_s
 * sweep takes its prefixes); a pointwise reranker orders all retrievedMax candidates once and each
 * K_e keeps its own among them.
 */
async function similarUsers(
  run: PromptSetRun,
  row: Row,
  key: string,
  candidates: readonly RetrievedUser[],
  fullHistory: readonly Item[],
  target: Item,
): Promise<readonly { readonly userId: UserId; readonly behaviour: string; readonly score: number }[]> {
  const { reranker, spec, cache } = run;
  if (reranker === undefined || candidates.length === 0) return candidates.slice(0, spec.kept);
  const { whole, pool, rerankKey } = rerankPool(run, row, key, candidates);
  let order = cache.getReranked(rerankKey);
  if (order === undefined) {
    const query = run.writer.query(fullHistory, target); // p_t = Enc(P^b(d(H(u_t)), d(v_t))), method.md Eq. 10
    const reranked = await reranker.rerank(query, pool.map((user) => ({ id: user.userId, text: user.behaviour })), pool.length);
    order = reranked.map((result) => ({ userId: result.id, behaviour: result.text, score: result.score }));
    cache.setReranked(rerankKey, order);
  }
  if (whole) {
    const own = new Set(candidates.map((user) => user.userId));
    order = order.filter((user) => own.has(user.userId));
  }
  return order.slice(0, spec.kept);
}

/**
 * The candidates a row's reranker orders and the cache key of that order: all retrievedMax
 * candidates of the row's retrieval with a pointwise reranker (`whole`), else its K_e.
 */
function rerankPool(run: PromptSetRun, row: Row, key: string, candidates: readonly RetrievedUser[]): { whole: boolean; pool: readonly RetrievedUser[]; rerankKey: string } {
  const { spec, cache, fetched } = run;
  const whole = run.options.pointwiseReranker === true && fetched > spec.retrieved;
  const pool = whole ? (cache.get(key) as readonly RetrievedUser[]) : candidates;
  return { whole, pool, rerankKey: RetrievalCache.rerankKey(key, whole ? fetched : spec.retrieved, row.index, run.writer.maxHistoryItems) };
}

/**
 * Reranks, with one `rerankMany` call, every row of `batch` whose whole order is not cached yet
 * (each rerank key once) and caches the orders, which {@link similarUsers} then takes. The rows
 * and their queries are those `similarUsers` would rerank one by one.
 */
async function rerankBatch(run: PromptSetRun, batch: readonly Row[], retrieval: { keys: string[]; users: RetrievedUser[][] }): Promise<void> {
  const { reranker, cache, options } = run;
  const keys: string[] = [];
  const requests: { query: string; candidates: { id: string; text: string }[]; topK: number }[] = [];
  batch.forEach((row, i) => {
    const target = options.dataset.items.get(row.itemId);
    if (target === undefined || retrieval.users[i].length === 0) return;
    const { pool, rerankKey } = rerankPool(run, row, retrieval.keys[i], retrieval.users[i]);
    if (cache.getReranked(rerankKey) !== undefined || keys.includes(rerankKey)) return;
    const query = run.writer.query(itemsOf(options.dataset, options.dataset.history(row), row), target); // p_t, method.md Eq. 10
    keys.push(rerankKey);
    requests.push({ query, candidates: pool.map((user) => ({ id: user.userId, text: user.behaviour })), topK: pool.length });
  });
  if (requests.length === 0) return;
  const orders = await reranker!.rerankMany!(requests);
  keys.forEach((key, i) => cache.setReranked(key, orders[i].map((result) => ({ userId: result.id, behaviour: result.text, score: result.score }))));
}

/**
 * The retrieved users (K_e, the target user dropped) of each row of `batch` and their cache keys:
 * rows whose (user, history length, snapshot) is not cached are retrieved (retrievedMax each), in
 * one batch when the retriever can, and cached.
 */
async function retrieveBatch(run: PromptSetRun, { source, name }: NonNullable<PromptSetRun['retriever']>, batch: readonly Row[]): Promise<{ keys: string[]; users: RetrievedUser[][] }> {
  const { cache, fetched, options } = run;
  const keys = batch.map((row) => RetrievalCache.key(name, fetched, row.userId, row.historyLength, snapshotOf(row.timestamp, options.snapshotTimes)));
  const missing = new Map<string, RetrievalTarget>();
  batch.forEach((row, i) => {
    if (cache.get(keys[i]) === undefined && !missing.has(keys[i])) missing.set(keys[i], { userId: row.userId, history: options.dataset.history(row), before: row.timestamp });
  });
  const targets = [...missing.values()];
  const found = hasBatch(source)
    ? await source.retrieveBatch(targets, fetched)
    : await mapBounded(targets, run.concurrency, (target) => source.retrieve(target, fetched));
  [...missing.keys()].forEach((key, i) => {
    const target = targets[i];
    cache.set(key, found[i].filter((user) => user.userId !== target.userId));
  });
  return { keys, users: keys.map((key) => (cache.get(key) as readonly RetrievedUser[]).slice(0, run.spec.retrieved)) };
}
