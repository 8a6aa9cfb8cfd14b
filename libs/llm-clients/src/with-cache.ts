import type { GenerateOptions, GenerateResult, LanguageModel, ScoreYesNoOptions, YesNoScore } from '@score/core';
import { cacheKey, type ResponseCache } from './response-cache';

/** Options of {@link withCache}. */
export interface WithCacheOptions {
  /**
   * Extra parameters added to every key (e.g. a prompt-template version).
   * @defaultValue none
   */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /**
   * Close the cache when the wrapper is disposed (the wrapped model is always disposed).
   * @defaultValue false
   */
  readonly closeCache?: boolean;
}

/** A model that may list the settings that change its answers. */
interface WithCacheKeyParameters {
  readonly cacheKeyParameters?: Readonly<Record<string, unknown>>;
}

function isYesNoScore(value: unknown): value is YesNoScore {
  const score = value as YesNoScore;
  return typeof score === 'object' && score !== null && typeof score.probability === 'number' && typeof score.yesLogit === 'number' && typeof score.noLogit === 'number';
}

/**
 * Wraps a model so that every answer is stored in `cache`, keyed by (provider, model id, call
 * kind, prompt, parameters), and a repeated call is answered from the cache without reaching the
 * model. The parameters are the call's options (minus `signal` and `batchSize`), the model's
 * `cacheKeyParameters` when it has them, and `options.parameters`. Sampled generations
 * (temperature > 0) are cached too, so a rerun replays them exactly.
 */
export function withCache(model: LanguageModel, cache: ResponseCache, options: WithCacheOptions = {}): LanguageModel {
  const modelParameters = (model as WithCacheKeyParameters).cacheKeyParameters ?? {};
  const key = (kind: string, prompt: string, callParameters: Record<string, unknown>): string =>
    cacheKey({ provider: model.provider, modelId: model.modelId, kind, prompt, parameters: { ...modelParameters, ...options.parameters, ...callParameters } });

  return {
    provider: model.provider,
    modelId: model.modelId,

    async generate(prompt: string, generateOptions: GenerateOptions = {}): Promise<GenerateResult> {
      const { signal: _signal, ...parameters } = generateOptions;
      const id = key('generate', prompt, parameters);
      const stored = cache.get(id) as GenerateResult | undefined;
      if (stored !== undefined && typeof stored.text === 'string') return stored;
      const result = await model.generate(prompt, generateOptions);
      await cache.set(id, result);
      return result;
    },

    async scoreYesNo(prompts: readonly string[], scoreOptions: ScoreYesNoOptions = {}): Promise<YesNoScore[]> {
      const ids = prompts.map((prompt) => key('scoreYesNo', prompt, {}));
      const results: (YesNoScore | undefined)[] = ids.map((id) => {
        const stored = cache.get(id);
        return isYesNoScore(stored) ? stored : undefined;
      });
      // Distinct prompts not in the cache, scored in chunks of `batchSize` so that each chunk is
      // stored as soon as it is answered (a crash later loses no finished chunk).
      const missing = [...new Set(results.flatMap((result, index) => (result === undefined ? [ids[index]] : [])))];
      const promptOf = new Map(ids.map((id, index) => [id, prompts[index]]));
      const chunkSize = Math.max(1, Math.floor(scoreOptions.batchSize ?? 8));
      const chunks: string[][] = [];
      for (let start = 0; start < missing.length; start += chunkSize) chunks.push(missing.slice(start, start + chunkSize));
      const outcomes = await Promise.allSettled(
        chunks.map(async (chunk) => {
          const scores = await model.scoreYesNo(chunk.map((id) => promptOf.get(id) as string), scoreOptions);
          await Promise.all(chunk.map((id, position) => cache.set(id, scores[position])));
        }),
      );
      const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failure) throw failure.reason;
      ids.forEach((id, index) => {
        results[index] ??= cache.get(id) as YesNoScore;
      });
      return results as YesNoScore[];
    },

    async dispose(): Promise<void> {
      await model.dispose();
      if (options.closeCache) await cache.close();
    },
  };
}
