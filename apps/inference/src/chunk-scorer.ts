import { LruCache, type RetrievedUser } from '@score/core';
import type { ScorePromptWriter, ScorePromptWriterOptions } from '@score/prompt-kit';
import type { ScoreChunkJob, ScoreChunkOutcome } from './batch-chunks';
import { createRequestResolver, type RequestResolver } from './request-targets';
import type { RunComponents } from './run-components';
import { buildScoreResult, checkFiniteScore, createSimilarUsers, resolveServiceSettings, type ServiceSettings, type SimilarUsersOf } from './run-scoring-service';

/** Scores one {@link ScoreChunkJob} in a scoring worker. */
export type ChunkScorer = (job: ScoreChunkJob) => Promise<ScoreChunkOutcome>;

/** What a worker keeps per service options: the settings, the request resolver, its retrieval cache. */
interface ChunkService {
  readonly settings: ServiceSettings;
  readonly requests: RequestResolver;
  readonly cache: LruCache<string, Promise<RetrievedUser[]>>;
  readonly similarUsers: SimilarUsersOf;
  /** P^s's writer (fitted to the run's token budget by the worker's tokenizer). */
  readonly writer: ScorePromptWriter;
}

const encoder = new TextEncoder();

/**
 * The body of a worker's {@link ScoreChunkJob} (see batch-chunks.ts): every pair of the chunk is
 * retrieved, reranked and written as the service does it on one pair (the same settings, cache rule,
 * prompt writer and result fields), then the chunk's prompts are scored in one language-model call.
 * `writerFor` gives the worker's prompt writer for the service's writer options (fitted to the
 * run's token budget). A non-finite score fails the chunk with NonFiniteScoreError.
 */
export function createChunkScorer(components: RunComponents, writerFor: (options: Omit<ScorePromptWriterOptions, 'tokenBudget' | 'promptSet'>) => ScorePromptWriter): ChunkScorer {
  const services = new Map<string, ChunkService>();
  const serviceFor = (options: ScoreChunkJob['options']): ChunkService => {
    const key = JSON.stringify(options);
    let service = services.get(key);
    if (service === undefined) {
      const settings = resolveServiceSettings(components.dataset, options);
      const cache = new LruCache<string, Promise<RetrievedUser[]>>({ maxEntries: settings.cacheSize });
      service = {
        settings,
        requests: createRequestResolver(components.dataset, settings.asOf),
        cache,
        similarUsers: createSimilarUsers(components, settings, cache),
        writer: writerFor(settings.writerOptions),
      };
      services.set(key, service);
    }
    return service;
  };
  const { languageModel } = components;
  return async (job) => {
    const { settings, requests, cache, similarUsers, writer } = serviceFor(job.options);
    const cacheBefore = cache.stats;
    const pairs = await Promise.all(
      job.requests.map(async (request, index) => {
        const start = performance.now();
        const target = requests.target(request, `requests[${index}]`, settings.ks);
        const { users, retrieveMs, rerankMs } = await similarUsers(target);
        const prompt = writer.write(target.historyItems, target.item, users.map((user) => user.behaviour));
        return { start, users, retrieveMs, rerankMs, prompt };
      }),
    );
    const lmStart = performance.now();
    const scores = pairs.length === 0 ? [] : await languageModel.scoreYesNo(pairs.map((pair) => pair.prompt));
    const end = performance.now();
    if (!Array.isArray(scores) || scores.length !== pairs.length) {
      throw new RangeError(`${languageModel.provider} ${languageModel.modelId} returned ${Array.isArray(scores) ? scores.length : 'no'} scores for ${pairs.length} prompts.`);
    }
    const results = pairs.map((pair, index) =>
      buildScoreResult(pair.users, pair.prompt, checkFiniteScore(languageModel, scores[index]!), { retrieveMs: pair.retrieveMs, rerankMs: pair.rerankMs, lmMs: end - lmStart, totalMs: end - pair.start }),
    );
    const cacheAfter = cache.stats;
    const cacheDelta = { hits: cacheAfter.hits - cacheBefore.hits, misses: cacheAfter.misses - cacheBefore.misses };
    return job.serialize ? { json: encoder.encode(JSON.stringify(results).slice(1, -1)), cache: cacheDelta } : { results, cache: cacheDelta };
  };
}
