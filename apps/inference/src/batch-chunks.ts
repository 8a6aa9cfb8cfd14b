import { setMaxListeners } from 'node:events';
import type { DescribeHistoryOptions } from '@score/prompt-kit';
import type { ScoreRequest } from './schemas';
import type { ScoreResult } from './scoring-service';
import type { WorkerPool } from './worker-pool';

/** The worker-pool op that scores a chunk of a batch (see scoring-worker.ts and chunk-scorer.ts). */
export const SCORE_CHUNK_OP = 'scoreChunk';

/**
 * The options of a scoring service that a worker needs to score pairs exactly as the service does
 * (structured-cloneable; the worker resolves them against its own copy of the run's dataset).
 */
export interface ChunkServiceOptions {
  /** K_s when a request gives none. */
  readonly ks: number;
  /** K_e. */
  readonly retrieved: number;
  readonly description: DescribeHistoryOptions;
  /** Most recent items of each similar user's behaviour in P^s (undefined: all). */
  readonly behaviourItems?: number;
  /** Serving time. */
  readonly asOf: number;
  /** Entries of the worker's own retrieval cache. */
  readonly cacheSize: number;
}

/** One job of {@link SCORE_CHUNK_OP}: consecutive pairs of a batch, already validated by the main thread. */
export interface ScoreChunkJob {
  readonly options: ChunkServiceOptions;
  readonly requests: readonly ScoreRequest[];
  /** Whether the worker answers with the results' JSON (UTF-8, transferred) instead of the objects. */
  readonly serialize: boolean;
}

/** What a worker answers to a {@link ScoreChunkJob}. */
export interface ScoreChunkOutcome {
  /** The results (when not serialised), in the chunk's order. */
  readonly results?: ScoreResult[];
  /** `JSON.stringify(results)` without its brackets, UTF-8 (when serialised). */
  readonly json?: Uint8Array;
  /** The worker's retrieval-cache hits and misses while scoring the chunk. */
  readonly cache: { readonly hits: number; readonly misses: number };
}

/**
 * How a batch of `pairs` is cut into chunks: enough chunks that none exceeds `maxChunkPairs` (one
 * language-model call each) and, for a small batch, at least one per worker; sizes differ by at most 1.
 */
export function chunkSizes(pairs: number, maxChunkPairs: number, workers: number): number[] {
  if (pairs === 0) return [];
  const count = Math.min(pairs, Math.max(Math.ceil(pairs / maxChunkPairs), workers));
  const base = Math.floor(pairs / count);
  const larger = pairs % count;
  return Array.from({ length: count }, (_, index) => base + (index < larger ? 1 : 0));
}

/** Options of {@link createChunkedBatchScorer}. */
export interface ChunkedBatchScorerOptions {
  /** The scoring workers (their language model is in-process). */
  readonly pool: WorkerPool;
  /** The service's options, sent with every chunk. */
  readonly service: ChunkServiceOptions;
  /** Most pairs per chunk: the language model's batch size. */
  readonly maxChunkPairs: number;
  /** Called when a worker takes a chunk of `pairs` queued at `queuedAt` (`performance.now()`): its language-model call is under way. */
  readonly onStart?: (pairs: number, queuedAt: number) => void;
}

/** Scores whole batches in worker jobs of one chunk each (see {@link createChunkedBatchScorer}). */
export interface ChunkedBatchScorer {
  /** The results of `requests`, in order. */
  scoreBatch(requests: readonly ScoreRequest[], signal?: AbortSignal): Promise<ScoreResult[]>;
  /** The UTF-8 JSON of `{ "results": [...] }`, as `JSON.stringify` writes it, put together from the workers' bytes. */
  scoreBatchJson(requests: readonly ScoreRequest[], signal?: AbortSignal): Promise<Uint8Array>;
  /** The workers' retrieval-cache hits and misses so far. */
  readonly cache: { readonly hits: number; readonly misses: number };
}

const RESULTS_OPEN = Buffer.from('{"results":[');
const RESULTS_CLOSE = Buffer.from(']}');
const COMMA = Buffer.from(',');

/**
 * Scores a batch with one worker job per chunk of pairs (issue 18.1: keep the event loop's work per
 * batch small): the worker retrieves, reranks and writes the prompt of every pair of its chunk,
 * scores the chunk's prompts in one language-model call and answers with the finished results, or
 * their JSON as bytes moved (not copied) to the main thread. So the main thread exchanges two
 * messages per chunk instead of about four per pair, and builds no result object of its own.
 * When `signal` aborts, chunks no worker has taken are dropped (a running chunk finishes, its result
 * unused); when a chunk fails, the chunks still queued are dropped and the batch rejects with its error.
 */
export function createChunkedBatchScorer(options: ChunkedBatchScorerOptions): ChunkedBatchScorer {
  const { pool, service, maxChunkPairs, onStart } = options;
  const cache = { hits: 0, misses: 0 };
  const run = async (requests: readonly ScoreRequest[], serialize: boolean, signal: AbortSignal | undefined): Promise<ScoreChunkOutcome[]> => {
    signal?.throwIfAborted();
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // one listener per queued chunk
    const forward = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    try {
      let offset = 0;
      const jobs = chunkSizes(requests.length, maxChunkPairs, pool.size).map((size) => {
        const job: ScoreChunkJob = { options: service, requests: requests.slice(offset, (offset += size)), serialize };
        const queuedAt = performance.now();
        return pool.run<ScoreChunkOutcome>(SCORE_CHUNK_OP, job, controller.signal, onStart && (() => onStart(size, queuedAt))).then((outcome) => {
          cache.hits += outcome.cache.hits;
          cache.misses += outcome.cache.misses;
          return outcome;
        });
      });
      // The first failure drops the chunks still queued.
      for (const job of jobs) job.catch((error: unknown) => controller.abort(error));
      return await Promise.all(jobs);
    } finally {
      signal?.removeEventListener('abort', forward);
    }
  };
  return {
    cache,
    async scoreBatch(requests, signal) {
      return (await run(requests, false, signal)).flatMap((outcome) => outcome.results ?? []);
    },
    async scoreBatchJson(requests, signal) {
      const parts: Uint8Array[] = [RESULTS_OPEN];
      for (const outcome of await run(requests, true, signal)) {
        if (!outcome.json || outcome.json.byteLength === 0) continue;
        if (parts.length > 1) parts.push(COMMA);
        parts.push(outcome.json);
      }
      parts.push(RESULTS_CLOSE);
      return Buffer.concat(parts);
    },
  };
}
