import path from 'node:path';
import type { LanguageModel } from '@score/core';
import { createLanguageModel, createResponseCache, type LanguageModelOverrides, withCache } from '@score/llm-clients';

/**
 * The run's language-model response cache lives in `<run>/cache/`, outside every stage folder, so a
 * killed or redone stage repeats no LLM call (stage folders are replaced atomically; the cache is not).
 */
export function runCacheDir(runDir: string): string {
  return path.join(runDir, 'cache');
}

/**
 * Opens the backend a spec names (`openai:URL#MODEL`, `llamacpp:PATH`, ...) behind the run's cache;
 * `overrides` are backend settings (e.g. llama.cpp threads). @defaultValue overrides: none
 */
export async function openCachedLanguageModel(spec: string, runDir: string, overrides: LanguageModelOverrides = {}): Promise<LanguageModel> {
  const model = await createLanguageModel(spec, overrides);
  const cache = await createResponseCache({ dir: runCacheDir(runDir) });
  return withCache(model, cache, { closeCache: true });
}
