import os from 'node:os';
import { checkInteger, type Item, LanguageModelError, silentLogger, type LanguageModel, type RerankCandidate, type Reranker, type RerankResult, type RetrievedUser, type RetrievalTarget, type ScoreYesNoOptions, type UserRetriever, type YesNoScore } from '@score/core';
import type { LanguageModelOverrides } from '@score/llm-clients';
import type { ScorePromptWriterOptions } from '@score/prompt-kit';
import { createRunLanguageModel, loadRunDataset, type LoadRunComponentsOptions, type RunComponents } from './run-components';
import { DEFAULT_WORKER_NICE, lowerOtherThreadsPriority, WorkerPool } from './worker-pool';
import { checkRunDir } from './verify-run';

/** What each scoring worker gets: enough to load the run's components itself. */
export interface ScoringWorkerData {
  /** The run folder. */
  readonly runDir: string;
  /** The `--llm` spec. */
  readonly llm: string;
  /** Backend settings for client specs. */
  readonly llmOverrides?: LanguageModelOverrides;
  /** Whether each worker loads the language model (only the in-process one: see {@link loadPooledRunComponents}). */
  readonly languageModel: boolean;
  /** Nice steps each worker thread lowers its CPU priority by (Linux), so the event loop stays responsive. @defaultValue 10 */
  readonly nice?: number;
}

/** Options of {@link loadPooledRunComponents}. */
export interface LoadPooledRunComponentsOptions extends Omit<LoadRunComponentsOptions, 'loaders'> {
  /**
   * Worker threads, each with its own copy of the run's retriever, reranker and language model.
   * @defaultValue the machine's cores (`os.availableParallelism()`)
   */
  readonly workers?: number;
  /** Nice steps each worker thread lowers its CPU priority by (Linux), so the event loop stays responsive. @defaultValue 10 */
  readonly workerNice?: number;
}

/** Run components whose work runs on a {@link WorkerPool}, and the pool. */
export interface PooledRunComponents extends RunComponents {
  readonly pool: WorkerPool;
  /** Whether the language model runs in the workers (true for "inprocess") or on the calling thread. */
  readonly languageModelInWorkers: boolean;
  /**
   * Writes a prompt in a worker, fitted to the run's token budget (`rec.maxPromptTokens`) with the
   * worker's in-process LM tokenizer, so tokenizing never holds the event loop; present when the
   * language model runs in the workers.
   */
  readonly writePrompt?: RemotePromptWriter;
}

/** One prompt for a worker to write: the writer's settings (its token budget is the worker's) and the pair. */
export interface RemotePromptJob {
  /** `createScorePromptWriter` options without the token budget and custom templates. */
  readonly writer: Omit<ScorePromptWriterOptions, 'tokenBudget' | 'promptSet'>;
  readonly history: readonly Item[];
  readonly target: Item;
  /** The kept similar users' behaviour texts, best first. */
  readonly behaviours: readonly string[];
}

/** Writes one prompt in a worker thread (see {@link PooledRunComponents.writePrompt}). */
export type RemotePromptWriter = (job: RemotePromptJob, signal?: AbortSignal) => Promise<string>;

/** A reranker call that can be cancelled while it waits for a worker. */
export type CancellableRerank = (query: string, candidates: readonly RerankCandidate[], topK: number, signal?: AbortSignal) => Promise<RerankResult[]>;

/**
 * Loads the run's dataset on the calling thread (to validate requests and write prompts) and its
 * retriever and reranker in `workers` worker threads (the default loaders of `loadRunComponents`,
 * so custom loaders cannot be used); the returned retriever and reranker send each call to the
 * pool, so they never run on the event loop, and disposing either stops the pool.
 * The in-process language model ("inprocess", TensorFlow.js, which computes on the thread that
 * calls it) is loaded in every worker too, and Yes/No scoring goes to the pool. Client specs
 * (llama.cpp, whose evaluation runs on its own native threads, and HTTP servers) already compute
 * off the event loop: their model is loaded once, on the calling thread, rather than once per
 * worker (a large GGUF would otherwise be held N times and its threads oversubscribed).
 */
export async function loadPooledRunComponents(options: LoadPooledRunComponentsOptions): Promise<PooledRunComponents> {
  checkRunDir(options?.runDir);
  const workers = checkInteger('workers', options.workers ?? os.availableParallelism(), 1, 256);
  const llm = options.llm ?? 'inprocess';
  const logger = options.logger ?? silentLogger;
  const dataset = await loadRunDataset(options.runDir);
  const languageModelInWorkers = llm === 'inprocess';
  const nice = options.workerNice ?? DEFAULT_WORKER_NICE;
  const workerData: ScoringWorkerData = { runDir: options.runDir, llm, languageModel: languageModelInWorkers, nice, ...(options.llmOverrides ? { llmOverrides: options.llmOverrides } : {}) };
  const entry = new URL(import.meta.url.endsWith('.ts') ? './scoring-worker.ts' : './scoring-worker.js', import.meta.url);
  const pool = new WorkerPool({ entry, size: workers, workerData, logger });
  let info: { retriever: string; reranker: string; provider?: string; modelId?: string };
  try {
    info = (await pool.ready())[0] as typeof info;
  } catch (error) {
    await pool.dispose();
    throw error;
  }
  // Only the event loop's thread keeps its priority: the workers lowered themselves, and V8's, libuv's
  // and the native libraries' helper threads go down with them (see lowerOtherThreadsPriority).
  const lowered = nice > 0 ? lowerOtherThreadsPriority(nice) : 0;
  logger.info('scoring workers loaded', { workers, ...info, helperThreadsLowered: lowered });
  const dispose = () => pool.dispose();
  const retriever: UserRetriever = {
    variant: info.retriever,
    retrieve: (target: RetrievalTarget, k: number) =>
      pool.run<RetrievedUser[]>('retrieve', { target: { ...(target.userId === undefined ? {} : { userId: target.userId }), history: [...target.history], before: target.before }, k }),
    dispose,
  };
  const rerank: CancellableRerank = (query, candidates, topK, signal) =>
    pool.run<RerankResult[]>('rerank', { query, candidates: candidates.map((candidate) => ({ id: candidate.id, text: candidate.text })), topK }, signal);
  const reranker: Reranker = { modelId: info.reranker, rerank, dispose };
  if (!languageModelInWorkers) {
    try {
      const languageModel = await createRunLanguageModel({ ...options, llm }, { runDir: options.runDir, dataset, logger });
      return { dataset, retriever, reranker, languageModel, pool, languageModelInWorkers };
    } catch (error) {
      await pool.dispose();
      throw error;
    }
  }
  const provider = info.provider ?? 'inprocess';
  const modelId = info.modelId ?? 'unknown';
  const languageModel: LanguageModel = {
    provider,
    modelId,
    generate: async () => {
      throw new LanguageModelError('generate is not served by the scoring workers.', { provider, modelId });
    },
    scoreYesNo: (prompts: readonly string[], callOptions?: ScoreYesNoOptions) => pool.run<YesNoScore[]>('score', [...prompts], callOptions?.signal),
    dispose,
  };
  const writePrompt: RemotePromptWriter = (job, signal) => pool.run<string>('write', job, signal);
  return { dataset, retriever, reranker, languageModel, pool, languageModelInWorkers, writePrompt };
}
