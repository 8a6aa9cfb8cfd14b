import path from 'node:path';
import type { LanguageModel } from '@score/core';
import { createLanguageModel, createResponseCache, withCache } from '@score/llm-clients';

/**
 * The run's language-model response cache lives in `<run>/cache/`, outside every stage folder, so a
 * killed or redone stage repeats no LLM call (stage folders are replaced atomically; the cache is not).
 */
export function runCacheDir(runDir: string): string {
  return path.join(runDir, 'cache');
}

/** Opens the backend a spec names (`openai:URL#MODEL`, `llamacpp:PATH`, ...) behind the run's cache. */
export async function openCachedLanguageModel(spec: string, runDir: string): Promise<LanguageModel> {
  const model = await createLanguageModel(spec);
  const cache = await createResponseCache({ dir: runCacheDir(runDir) });
  return withCache(model, cache, { closeCache: true });
}
