import type { LanguageModel } from '@score/core';
import { createLlamaCppModel, type LlamaCppModelOptions } from './llama-cpp-model';
import { createOpenAICompatibleModel, type OpenAICompatibleModelOptions } from './openai-compatible-model';
import { parseLlmSpec, type LlmSpec } from './parse-llm-spec';

/** Settings merged over those of a spec by {@link createLanguageModel}, per backend. */
export interface LanguageModelOverrides {
  /**
   * Extra options of the OpenAI-compatible backend (API key, timeouts, concurrency, ...).
   * @defaultValue none
   */
  readonly openai?: Partial<OpenAICompatibleModelOptions>;
  /**
   * Extra options of the llama.cpp backend (context size, threads, GPU, ...).
   * @defaultValue none
   */
  readonly llamacpp?: Partial<LlamaCppModelOptions>;
}

/** Builds the model a spec (see {@link parseLlmSpec}) or a parsed spec describes. */
export async function createLanguageModel(spec: string | LlmSpec, overrides: LanguageModelOverrides = {}): Promise<LanguageModel> {
  const parsed = typeof spec === 'string' ? parseLlmSpec(spec) : spec;
  if (parsed.provider === 'llamacpp') return createLlamaCppModel({ ...parsed.options, ...overrides.llamacpp });
  return createOpenAICompatibleModel({ ...parsed.options, ...overrides.openai });
}
