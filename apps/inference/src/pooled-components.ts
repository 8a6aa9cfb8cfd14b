import os from 'node:os';
import { InvalidOptionError, LanguageModelError, silentLogger, type LanguageModel, type RerankCandidate, type Reranker, type RerankResult, type RetrievedUser, type RetrievalTarget, type ScoreYesNoOptions, type UserRetriever, type YesNoScore } from '@score/core';
import type { LanguageModelOverrides } from '@score/llm-clients';
import { loadRunDataset, type LoadRunComponentsOptions, type RunComponents } from './run-components';
import { WorkerPool } from './worker-pool';

/** What each scoring worker gets: enough to load the run's components itself. */
export interface ScoringWorkerData {
  readonly runDir: string;
  readonly llm: string;
  readonly llmOverrides?: LanguageModelOverrides;
}

/** Options of {@link loadPooledRunComponents}. */
export interface LoadPooledRunComponentsOptions extends Omit<LoadRunComponentsOptions, 'loaders'> {
  /**
   * Worker threads, each with its own copy of the run's retriever, reranker and language model.
   * @defaultValue the machine's cores (`os.availableParallelism()`)
   */
  readonly workers?: number;
}

/** Run components whose work runs on a {@link WorkerPool}, and the pool. */
export interface PooledRunComponents extends RunComponents {
  readonly pool: WorkerPool;
}

/** A reranker call that can be cancelled while it waits for a worker. */
export type CancellableRerank = (query: string, candidates: readonly RerankCandidate[], topK: number, signal?: AbortSignal) => Promise<RerankResult[]>;

/**
 * Loads the run's dataset on the calling thread (to validate requests and write prompts) and its
 * retriever, reranker and language model in `workers` worker threads (the default loaders of
 * `loadRunComponents`, so custom loaders cannot be used). The returned components send each call
 * to the pool: retrieval, reranking and Yes/No scoring never run on the event loop. Disposing any
 * of them stops the pool.
 */
export async function loadPooledRunComponents(options: LoadPooledRunComponentsOptions): Promise<PooledRunComponents> {
  if (typeof options?.runDir !== 'string' || options.runDir.length === 0) {
    throw new InvalidOptionError('runDir', `must be the path of a run folder, got ${JSON.stringify(options?.runDir)}.`, options?.runDir);
  }
  const workers = options.workers ?? os.availableParallelism();
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new InvalidOptionError('workers', `must be an integer from 1 to 256, got ${workers}.`, workers);
  const llm = options.llm ?? 'inprocess';
  const logger = options.logger ?? silentLogger;
  const dataset = await loadRunDataset(options.runDir);
  const workerData: ScoringWorkerData = { runDir: options.runDir, llm, ...(options.llmOverrides ? { llmOverrides: options.llmOverrides } : {}) };
  const entry = new URL(import.meta.url.endsWith('.ts') ? './scoring-worker.ts' : './scoring-worker.js', import.meta.url);
  const pool = new WorkerPool({ entry, size: workers, workerData, logger });
  let info: { retriever: string; reranker: string; provider: string; modelId: string };
  try {
    info = (await pool.ready())[0] as typeof info;
  } catch (error) {
    await pool.dispose();
    throw error;
  }
  logger.info('scoring workers loaded', { workers, ...info });
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
  const languageModel: LanguageModel = {
    provider: info.provider,
    modelId: info.modelId,
    generate: async () => {
      throw new LanguageModelError('generate is not served by the scoring workers.', { provider: info.provider, modelId: info.modelId });
    },
    scoreYesNo: (prompts: readonly string[], callOptions?: ScoreYesNoOptions) => pool.run<YesNoScore[]>('score', [...prompts], callOptions?.signal),
    dispose,
  };
  return { dataset, retriever, reranker, languageModel, pool };
}
