import { createHash } from 'node:crypto';
import { checkInteger, checkNumber, integerOption, InvalidOptionError, LruCache, silentLogger, type Item, type ItemId, type LanguageModel, type Logger, type RetrievedUser, type UserId, type YesNoScore } from '@score/core';
import { createScorePromptWriter, describeHistory, type DescribeHistoryOptions, resolveDomain, type ScorePromptWriter, type ScorePromptWriterOptions, type TokenBudget } from '@score/prompt-kit';
import { InProcessLanguageModel } from '@score/rec-lm';
import { createChunkedBatchScorer, type ChunkedBatchScorer } from './batch-chunks';
import { mapConcurrently } from './map-concurrently';
import { NonFiniteScoreError } from './errors';
import { createRequestResolver, type Target } from './request-targets';
import { checkRunFolder, type VerifyMode } from './verify-run';
import { LmBatcher, type LmBatcherOptions } from './lm-batcher';
import { loadPooledRunComponents, type CancellableRerank, type RemotePromptWriter } from './pooled-components';
import { loadRunComponents, type LoadRunComponentsOptions, type RunComponents } from './run-components';
import { DEFAULT_WORKER_NICE, type WorkerPool, type WorkerPoolStats } from './worker-pool';
import { readRunPromptSettings } from './run-language-model';
import type { RankRequest, ScoreRequest } from './schemas';
import type { RankedItem, RankResult, ScoreCallOptions, ScoreResult, ScoringService, SimilarUser } from './scoring-service';

/** Options of {@link createScoringService}. */
export interface ScoringServiceOptions {
  /**
   * K_s: similar users put in the prompt when a request gives no `ks` (method.md Stage 3).
   * @defaultValue 2
   */
  readonly ks?: number;
  /**
   * K_e: users CAR retrieves before SARE reranks them; at least the largest `ks` (10).
   * @defaultValue 10
   */
  readonly retrieved?: number;
  /**
   * How histories and items are written into prompts (see prompt-kit's `describeHistory`).
   * @defaultValue {} (the 20 most recent items, titles only)
   */
  readonly description?: DescribeHistoryOptions;
  /**
   * Time (seconds) that serving happens at: only behaviour strictly before it is retrieved.
   * @defaultValue one second after the dataset's last row
   */
  readonly asOf?: number;
  /**
   * Retrieval results cached (LRU, keyed by a hash of the user id and history).
   * @defaultValue 10000
   */
  readonly cacheSize?: number;
  /**
   * Most recent items of each similar user's behaviour written into P^s (as the rec stage trimmed
   * its prompts).
   * @defaultValue every item of the behaviour text
   */
  readonly behaviourItems?: number;
  /**
   * Token budget of the prompts (prompt-kit's `fitPromptToBudget` rule: oldest history and
   * similar-user items are dropped until a prompt fits), as the rec and eval stages trimmed them.
   * @defaultValue none (no token limit); {@link createRunScoringService} sets the in-process LM's
   *   tokenizer and the run's `rec.maxPromptTokens` when that LM runs on the calling thread (`workers: 0`);
   *   with the LM in worker threads the workers fit the prompts the same way
   */
  readonly tokenBudget?: TokenBudget;
  /** Micro-batching of language-model calls. @defaultValue {} (16 prompts or 2 ms) */
  readonly batching?: LmBatcherOptions;
  /**
   * Pairs of one `scoreBatch` call that are in flight at once (retrieving, reranking, writing or
   * waiting for the language model); the next pair starts when one finishes. Bounding it keeps the
   * event loop's bursts and the objects alive on it small, so `/healthz` stays fast while a large batch
   * runs, and costs no throughput while it is at least the pairs the language model takes at once
   * (workers x `batching.maxBatchSize`). Not used when the in-process language model runs in worker
   * threads: a batch then goes to the workers in chunks of up to `batching.maxBatchSize` pairs, one
   * job each (see batch-chunks.ts).
   * @defaultValue 64
   */
  readonly batchConcurrency?: number;
  /** @defaultValue silentLogger */
  readonly logger?: Logger;
}

/** Options of {@link createRunScoringService}: how to load the run, and how to serve it. */
export interface RunScoringServiceOptions extends LoadRunComponentsOptions, ScoringServiceOptions {
  /**
   * Worker threads that run retrieval and reranking off the event loop, each with its own copy of
   * the run's models (the default loaders only: custom `loaders` need 0). With `llm: "inprocess"`
   * they also run the language model, the micro-batcher feeding them one batch each; client specs
   * (llama.cpp, HTTP) compute off the event loop already and are loaded once on the calling thread.
   * 0 runs everything on the calling thread.
   * @defaultValue 0
   */
  readonly workers?: number;
  /**
   * Nice steps (0 to 19) by which each worker thread lowers its CPU priority (Linux, where a nice
   * value is per thread), so that the event loop gets a core back at once while every worker
   * scores: `/healthz` and new requests are answered between batches, not after them.
   * @defaultValue 10
   */
  readonly workerNice?: number;
  /**
   * How the run's artifacts are checked against `manifest.json` before loading: "size" (existence
   * and size) or "hash" (also sha256; reads every file). See {@link checkRunFolder}.
   * @defaultValue "size"
   */
  readonly verify?: VerifyMode;
}

/** A scoring service with the statistics of its cache and batcher (for tests and benchmarks). */
export interface RunScoringService extends ScoringService {
  /** Retrieval-cache hits and misses; language-model calls and prompts. */
  readonly stats: {
    readonly cache: { hits: number; misses: number };
    readonly lm: { calls: number; prompts: number };
    /** The worker pool's jobs (absent when the service runs on the calling thread). */
    readonly workers?: WorkerPoolStats;
  };
}

/** The checked settings of a scoring service and the prompt writer they make. */
export interface ServiceSettings {
  /** K_s when a request gives none. */
  readonly ks: number;
  /** Pairs of one `scoreBatch` call in flight at once. */
  readonly batchConcurrency: number;
  /** K_e. */
  readonly retrieved: number;
  readonly description: DescribeHistoryOptions;
  /** Options of prompt-kit's writer (sent to the workers when they write the prompts). */
  readonly writerOptions: ScorePromptWriterOptions;
  /** The writer on the calling thread (with the token budget, when one is set). */
  readonly writer: ScorePromptWriter;
  /** Serving time: only behaviour strictly before it is retrieved. */
  readonly asOf: number;
  /** Retrieval-cache entries. */
  readonly cacheSize: number;
}

/**
 * Checks a service's options against its run (each failure an InvalidOptionError naming the field)
 * and builds the prompt writer: the prompts of the rec and eval stages (prompt-kit's writer), with
 * the same history and behaviour cuts and token budget.
 */
export function resolveServiceSettings(dataset: RunComponents['dataset'], options: ScoringServiceOptions): ServiceSettings {
  const ks = checkInteger('ks', options.ks ?? 2, 1, 10);
  const batchConcurrency = checkInteger('batchConcurrency', options.batchConcurrency ?? DEFAULT_BATCH_CONCURRENCY, 1, 100_000);
  const retrieved = checkInteger('retrieved', options.retrieved ?? 10, 10, 1000);
  const description = options.description ?? {};
  const behaviourItems = options.behaviourItems === undefined ? Number.POSITIVE_INFINITY : checkInteger('behaviourItems', options.behaviourItems, 1, 10_000);
  describeHistory([], description); // validates the description options once (InvalidOptionError naming the field)
  const { maxItems: historyItems = 20, ...itemDescription } = description;
  const writerOptions = { domain: dataset.domain, maxHistoryItems: historyItems, maxBehaviourItems: behaviourItems, description: itemDescription };
  const writer = createScorePromptWriter({ ...writerOptions, ...(options.tokenBudget === undefined ? {} : { tokenBudget: options.tokenBudget }) });
  try {
    resolveDomain(dataset.domain); // a run whose prompts cannot be written fails here, not on every request
  } catch (error) {
    throw new InvalidOptionError(
      'dataset.domain',
      `of the run is ${JSON.stringify(dataset.domain)}, which no prompt can be written for: ${error instanceof Error ? error.message : String(error)} Re-prepare the run with a valid --domain.`,
      dataset.domain,
    );
  }
  const asOf = checkNumber('asOf', options.asOf ?? defaultAsOf(dataset.rows));
  const cacheSize = checkInteger('cacheSize', options.cacheSize ?? 10_000, 0, 10_000_000);
  return { ks, batchConcurrency, retrieved, description, writerOptions, writer, asOf, cacheSize };
}

/** The similar users of a target and the time retrieval and reranking took. */
export type SimilarUsersOf = (
  target: Pick<Target, 'userId' | 'history' | 'historyItems' | 'ks'> & { readonly item?: Item },
  signal?: AbortSignal,
) => Promise<{ users: SimilarUser[]; retrieveMs: number; rerankMs: number }>;

/**
 * Retrieval and reranking (method.md Stage 3): CAR retrieves K_e users before `asOf` (cached by a
 * hash of the user id and history), SARE reranks them against P^b of the target pair (or, when
 * ranking, the user's history) and keeps K_s.
 */
export function createSimilarUsers(components: Pick<RunComponents, 'retriever' | 'reranker'>, settings: ServiceSettings, cache: LruCache<string, Promise<RetrievedUser[]>>): SimilarUsersOf {
  const { retriever, reranker } = components;
  const { writer, description, asOf, retrieved } = settings;
  const retrieveCandidates = (target: Pick<Target, 'userId' | 'history'>): Promise<RetrievedUser[]> => {
    const key = createHash('sha256').update(JSON.stringify([target.userId ?? null, target.history])).digest('base64url');
    const cached = cache.get(key);
    if (cached) return cached;
    const pending = Promise.resolve(retriever.retrieve({ userId: target.userId, history: target.history, before: asOf }, retrieved));
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
    return pending;
  };
  return async (target, signal) => {
    const start = performance.now();
    const candidates = await retrieveCandidates(target);
    signal?.throwIfAborted();
    const retrieveMs = performance.now() - start;
    if (candidates.length === 0) return { users: [], retrieveMs, rerankMs: 0 };
    // SARE's query: P^b of the target pair, or (ranking: one query for every candidate) the user's history.
    const query = target.item ? writer.query(target.historyItems, target.item) : describeHistory(target.historyItems, description);
    const carScores = new Map(candidates.map((candidate) => [candidate.userId, candidate.score]));
    const rerank = reranker.rerank.bind(reranker) as CancellableRerank;
    const reranked = await rerank(query, candidates.map((candidate) => ({ id: candidate.userId, text: candidate.behaviour })), Math.min(target.ks, candidates.length), signal);
    signal?.throwIfAborted();
    const users = reranked.map((result) => ({ userId: result.id, behaviour: result.text, carScore: carScores.get(result.id) ?? Number.NaN, sareScore: result.score }));
    return { users, retrieveMs, rerankMs: performance.now() - start - retrieveMs };
  };
}

/** Writes P^s of a target pair and scores it with the language model. */
interface PromptScorer {
  /** P^s of the pair, written on this thread or (LM in worker threads, no token budget here) by the workers. */
  write(historyItems: readonly Item[], item: Item, users: readonly SimilarUser[], signal?: AbortSignal): Promise<string>;
  /** P(yes) and the logits of a prompt (micro-batched); a non-finite score fails with NonFiniteScoreError. */
  score(prompt: string, signal?: AbortSignal): ReturnType<LmBatcher['score']>;
}

/** The prompt writer and the batched, checked LM scoring of a service. */
function createPromptScorer(components: RunComponents, settings: ServiceSettings, options: ScoringServiceOptions, batcher: LmBatcher): PromptScorer {
  const { languageModel } = components;
  const { writer, writerOptions } = settings;
  // With the LM in worker threads, the workers write the prompts (fitting them tokenizes; the event loop stays free).
  const remoteWriter = options.tokenBudget === undefined ? (components as { writePrompt?: RemotePromptWriter }).writePrompt : undefined;
  return {
    async write(historyItems, item, users, signal) {
      const behaviours = users.map((user) => user.behaviour);
      return remoteWriter ? remoteWriter({ writer: writerOptions, history: historyItems, target: item, behaviours }, signal) : writer.write(historyItems, item, behaviours);
    },
    async score(prompt, signal) {
      return checkFiniteScore(languageModel, await batcher.score(prompt, signal));
    },
  };
}

/** `score`, unless a probability or logit is not finite: then NonFiniteScoreError (HTTP 500, never 200 with `null`). */
export function checkFiniteScore(languageModel: Pick<LanguageModel, 'provider' | 'modelId'>, score: YesNoScore): YesNoScore {
  if (!Number.isFinite(score.probability) || !Number.isFinite(score.yesLogit) || !Number.isFinite(score.noLogit)) {
    throw new NonFiniteScoreError(languageModel.provider, languageModel.modelId, { probability: score.probability, yes: score.yesLogit, no: score.noLogit });
  }
  return score;
}

/** Milliseconds of one pair's steps (see {@link ScoreResult.timingsMs}), before rounding. */
export interface PairTimes {
  readonly retrieveMs: number;
  readonly rerankMs: number;
  readonly lmMs: number;
  readonly totalMs: number;
}

/** The {@link ScoreResult} of one pair (the one place its fields and their order are written). */
export function buildScoreResult(users: SimilarUser[], prompt: string, score: YesNoScore, times: PairTimes): ScoreResult {
  return {
    probability: score.probability,
    logits: { yes: score.yesLogit, no: score.noLogit },
    similarUsers: users,
    prompt,
    timingsMs: { retrieve: round(times.retrieveMs), rerank: round(times.rerankMs), lm: round(times.lmMs), total: round(times.totalMs) },
  };
}

/** Scores one target pair: its similar users, its prompt and the LM's P(yes), with the time each step took. */
async function scoreTarget(similarUsers: SimilarUsersOf, scorer: PromptScorer, target: Target, signal?: AbortSignal): Promise<ScoreResult> {
  const start = performance.now();
  const { users, retrieveMs, rerankMs } = await similarUsers(target, signal);
  const prompt = await scorer.write(target.historyItems, target.item, users, signal);
  const lmStart = performance.now();
  const score = await scorer.score(prompt, signal);
  const end = performance.now();
  return buildScoreResult(users, prompt, score, { retrieveMs, rerankMs, lmMs: end - lmStart, totalMs: end - start });
}

/**
 * Ranks a user's candidate items: one retrieval and reranking over the user's history, then every
 * candidate's prompt scored; the `topK` most probable first (ties in request order).
 */
async function rankCandidates(
  similarUsers: SimilarUsersOf,
  scorer: PromptScorer,
  user: Pick<Target, 'userId' | 'history' | 'historyItems'>,
  items: readonly Item[],
  request: Pick<RankRequest, 'topK'> & { readonly ks: number },
  signal?: AbortSignal,
): Promise<RankResult> {
  const start = performance.now();
  const { users, retrieveMs, rerankMs } = await similarUsers({ ...user, ks: request.ks }, signal);
  const lmStart = performance.now();
  const scored: RankedItem[] = await Promise.all(
    items.map(async (item) => {
      const prompt = await scorer.write(user.historyItems, item, users, signal);
      const score = await scorer.score(prompt, signal);
      return { itemId: item.id, probability: score.probability, logits: { yes: score.yesLogit, no: score.noLogit }, prompt };
    }),
  );
  const end = performance.now();
  const order = scored.map((entry, index) => ({ entry, index })).sort((a, b) => b.entry.probability - a.entry.probability || a.index - b.index);
  return {
    ranked: order.slice(0, request.topK ?? items.length).map(({ entry }) => entry),
    candidates: items.length,
    similarUsers: users,
    timingsMs: { retrieve: round(retrieveMs), rerank: round(rerankMs), lm: round(end - lmStart), total: round(end - start) },
  };
}

/**
 * The scoring pipeline of method.md Stage 3 over loaded components: CAR retrieves K_e users
 * (cached by history hash), SARE reranks them against P^b and keeps K_s, P^s is filled with their
 * behaviours, and the language model's Yes/No logits give P(yes) (Eq. 14), batched across
 * concurrent requests. The service owns the components and disposes them.
 */
export function createScoringService(components: RunComponents, options: ScoringServiceOptions = {}): RunScoringService {
  const { dataset, retriever, reranker, languageModel } = components;
  const pool = (components as { pool?: WorkerPool }).pool;
  const settings = resolveServiceSettings(dataset, options);
  const { ks } = settings;
  const logger = options.logger ?? silentLogger;
  const cache = new LruCache<string, Promise<RetrievedUser[]>>({ maxEntries: settings.cacheSize });
  const batcher = new LmBatcher(languageModel, options.batching);
  const requests = createRequestResolver(dataset, settings.asOf);
  const similarUsers = createSimilarUsers(components, settings, cache);
  const scorer = createPromptScorer(components, settings, options, batcher);
  const chunks = createChunks(components, settings, options);
  let disposed = false;

  const assertOpen = () => {
    if (disposed) throw new InvalidOptionError('service', 'was disposed; create a new scoring service.');
  };
  const scoreBatch = async (batch: readonly ScoreRequest[], callOptions: ScoreCallOptions = {}): Promise<ScoreResult[]> => {
    assertOpen();
    const targets = batch.map((request, index) => requests.target(request, `requests[${index}]`, ks));
    // With the LM in the workers, each chunk of pairs is one worker job (the event loop's work per batch stays small).
    if (chunks) return chunks.scorer.scoreBatch(batch, callOptions.signal);
    return mapConcurrently(targets, settings.batchConcurrency, (target) => scoreTarget(similarUsers, scorer, target, callOptions.signal));
  };

  return {
    get ready() {
      return !disposed;
    },
    get stats() {
      const { hits, misses } = cache.stats;
      const lm = batcher.stats;
      return {
        cache: chunks ? { hits: hits + chunks.scorer.cache.hits, misses: misses + chunks.scorer.cache.misses } : { hits, misses },
        lm: chunks ? { calls: lm.calls + chunks.lm.calls, prompts: lm.prompts + chunks.lm.prompts } : lm,
        ...(pool ? { workers: pool.stats } : {}),
      };
    },
    async score(request: ScoreRequest, callOptions: ScoreCallOptions = {}) {
      assertOpen();
      return scoreTarget(similarUsers, scorer, requests.target(request, '', ks), callOptions.signal);
    },
    scoreBatch,
    async scoreBatchJson(batch: readonly ScoreRequest[], callOptions: ScoreCallOptions = {}) {
      if (!chunks) return Buffer.from(JSON.stringify({ results: await scoreBatch(batch, callOptions) }));
      assertOpen();
      for (const [index, request] of batch.entries()) requests.target(request, `requests[${index}]`, ks); // 404 naming the field
      return chunks.scorer.scoreBatchJson(batch, callOptions.signal);
    },
    async rank(request: RankRequest, callOptions: ScoreCallOptions = {}): Promise<RankResult> {
      assertOpen();
      const user = requests.user(request, '');
      const items = requests.candidates(request);
      return rankCandidates(similarUsers, scorer, user, items, { ks: request.ks ?? ks, ...(request.topK === undefined ? {} : { topK: request.topK }) }, callOptions.signal);
    },
    async retrieve(request: ScoreRequest, callOptions: ScoreCallOptions = {}) {
      assertOpen();
      return (await similarUsers(requests.target(request, '', ks), callOptions.signal)).users;
    },
    item(id: ItemId) {
      return dataset.items.get(id);
    },
    hasUser(id: UserId) {
      return requests.hasUser(id);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      cache.clear();
      const results = await Promise.allSettled([retriever.dispose(), reranker.dispose(), languageModel.dispose()]);
      for (const result of results) if (result.status === 'rejected') logger.warn('a component failed to dispose', { error: String(result.reason) });
    },
  };
}

/**
 * A service's batches scored in worker jobs of one chunk each (see batch-chunks.ts), and the
 * language-model calls they made: when the language model and the prompt writing run in the workers
 * (`workers > 0` with the in-process LM, and no token budget set on the calling thread). Else undefined.
 */
function createChunks(components: RunComponents, settings: ServiceSettings, options: ScoringServiceOptions): { scorer: ChunkedBatchScorer; lm: { calls: number; prompts: number } } | undefined {
  const pool = (components as { pool?: WorkerPool }).pool;
  const inWorkers = (components as { languageModelInWorkers?: boolean }).languageModelInWorkers === true && (components as { writePrompt?: RemotePromptWriter }).writePrompt !== undefined;
  if (!pool || !inWorkers || options.tokenBudget !== undefined) return undefined;
  const lm = { calls: 0, prompts: 0 };
  const onBatch = options.batching?.onBatch;
  const scorer = createChunkedBatchScorer({
    pool,
    service: {
      ks: settings.ks,
      retrieved: settings.retrieved,
      description: settings.description,
      ...(options.behaviourItems === undefined ? {} : { behaviourItems: options.behaviourItems }),
      asOf: settings.asOf,
      cacheSize: settings.cacheSize,
    },
    maxChunkPairs: options.batching?.maxBatchSize ?? 16,
    // A worker taking a chunk makes one language-model call of the chunk's prompts: counted (and
    // reported to the metrics) as the micro-batcher counts its calls.
    onStart: (pairs, queuedAt) => {
      lm.calls += 1;
      lm.prompts += pairs;
      if (onBatch) {
        const waited = performance.now() - queuedAt;
        onBatch({ size: pairs, queueWaitMs: Array.from({ length: pairs }, () => waited) });
      }
    },
  });
  return { scorer, lm };
}

/**
 * Loads a run folder's components ({@link loadRunComponents}) and serves them with
 * {@link createScoringService}. Options left out take the run's own prompt settings from its
 * manifest (K_s, K_e, history and behaviour items, as the rec stage tuned the LM), else the defaults.
 */
export async function createRunScoringService(options: RunScoringServiceOptions): Promise<RunScoringService> {
  const workers = integerOption('workers', options.workers, 0, 0, 256);
  const workerNice = integerOption('workerNice', options.workerNice, DEFAULT_WORKER_NICE, 0, 19);
  if (workers > 0 && options.loaders) throw new InvalidOptionError('workers', 'must be 0 with custom loaders (functions cannot be sent to worker threads).', workers);
  await checkRunFolder(options.runDir, { verify: options.verify, logger: options.logger, defaultRetriever: !options.loaders?.retriever, defaultReranker: !options.loaders?.reranker });
  const components = workers > 0 ? await loadPooledRunComponents({ ...options, workers, workerNice }) : await loadRunComponents(options);
  const lmInWorkers = 'languageModelInWorkers' in components && components.languageModelInWorkers === true;
  try {
    const run = readRunPromptSettings(options.runDir);
    // The in-process LM's prompts are trimmed to the run's token budget, as the rec and eval stages did.
    // (With the LM in worker threads the workers fit the prompts: see PooledRunComponents.writePrompt.)
    const tokenizer = components.languageModel instanceof InProcessLanguageModel ? components.languageModel.tokenizer : undefined;
    return createScoringService(components, {
      ...(run.ks === undefined ? {} : { ks: Math.min(run.ks, 10) }),
      ...(run.retrieved === undefined ? {} : { retrieved: Math.max(run.retrieved, 10) }),
      ...(run.historyItems === undefined ? {} : { description: { maxItems: run.historyItems } }),
      ...(run.behaviourItems === undefined ? {} : { behaviourItems: run.behaviourItems }),
      ...(tokenizer === undefined ? {} : { tokenBudget: { tokenizer, ...(run.maxPromptTokens === undefined ? {} : { maxTokens: run.maxPromptTokens }) } }),
      ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
      // One language-model batch per worker at a time: the batcher gathers what arrives meanwhile.
      ...(lmInWorkers ? { batching: { maxConcurrentBatches: workers, ...options.batching } } : {}),
    });
  } catch (error) {
    await Promise.allSettled([components.retriever.dispose(), components.reranker.dispose(), components.languageModel.dispose()]);
    throw error;
  }
}

/** {@link ScoringServiceOptions.batchConcurrency}'s default. */
export const DEFAULT_BATCH_CONCURRENCY = 64;

function defaultAsOf(rows: readonly { readonly timestamp: number }[]): number {
  let last = 0;
  for (const row of rows) if (row.timestamp > last) last = row.timestamp;
  return last + 1;
}

function round(milliseconds: number): number {
  return Math.round(milliseconds * 1000) / 1000;
}
