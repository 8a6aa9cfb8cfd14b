import { InvalidOptionError } from '@score/core';
import type { LlamaCppModelOptions } from './llama-cpp-model';
import type { OpenAICompatibleModelOptions } from './openai-compatible-model';

/** A parsed model spec: which backend, and its options. */
export type LlmSpec =
  | { readonly provider: 'openai'; readonly options: OpenAICompatibleModelOptions }
  | { readonly provider: 'llamacpp'; readonly options: LlamaCppModelOptions };

/** Default base URLs of the HTTP backends when a spec leaves the URL empty. */
export const DEFAULT_BASE_URLS: Readonly<Record<string, string>> = Object.freeze({
  openai: 'https://api.openai.com/v1',
  vllm: 'http://127.0.0.1:8000/v1',
  ollama: 'http://127.0.0.1:11434/v1',
  'llama-server': 'http://127.0.0.1:8080/v1',
});

const FORMS =
  '"openai:URL#MODEL", "openai-completions:URL#MODEL", "vllm:[URL]#MODEL", "ollama:[URL]#MODEL", "llama-server:[URL]#MODEL" or "llamacpp:MODEL.gguf[#LORA.gguf]" (MODEL.gguf may be model:NAME, a registry model)';

/**
 * Parses a command-line model spec into backend options:
 * - `openai:URL#MODEL` (chat endpoint), `openai-completions:URL#MODEL` (legacy completions endpoint);
 * - `vllm:URL#MODEL`, `ollama:URL#MODEL`, `llama-server:URL#MODEL`: the same OpenAI-compatible
 *   client, with the server's usual local URL when URL is empty (`vllm:#my-lora`);
 * - `llamacpp:PATH` or `llamacpp:PATH#LORA_PATH`: a local GGUF model, optionally with a LoRA adapter.
 *   PATH may be `model:NAME`, a model of the `@score/model-hub` registry: it is kept as is here
 *   (`modelPath: "model:NAME"`); the caller resolves it to the
 *   pulled file with `resolveModelSpec` from `@score/model-hub` before the model is created (this
 *   package sits below the registry and never downloads).
 */
export function parseLlmSpec(spec: string): LlmSpec {
  if (typeof spec !== 'string' || !spec.includes(':')) {
    throw new InvalidOptionError('llm', `must be one of ${FORMS}, got ${JSON.stringify(spec)}.`, spec);
  }
  const colon = spec.indexOf(':');
  const scheme = spec.slice(0, colon).toLowerCase();
  const rest = spec.slice(colon + 1);
  const hash = rest.lastIndexOf('#');
  const target = hash === -1 ? rest : rest.slice(0, hash);
  const fragment = hash === -1 ? undefined : rest.slice(hash + 1);

  if (scheme === 'llamacpp') {
    if (target.length === 0) throw new InvalidOptionError('llm', `"${spec}" names no GGUF file; write "llamacpp:/path/model.gguf".`, spec);
    if (fragment !== undefined && fragment.length === 0) throw new InvalidOptionError('llm', `"${spec}" has an empty LoRA path after "#".`, spec);
    return { provider: 'llamacpp', options: { modelPath: target, ...(fragment ? { loraPath: fragment } : {}) } };
  }
  const flavour = scheme === 'openai-completions' ? 'openai' : scheme;
  if (!(flavour in DEFAULT_BASE_URLS)) {
    throw new InvalidOptionError('llm', `the backend "${scheme}" is unknown; use ${FORMS}.`, spec);
  }
  if (fragment === undefined || fragment.length === 0) {
    throw new InvalidOptionError('llm', `"${spec}" names no model; add "#MODEL" after the URL, e.g. "${scheme}:${target || DEFAULT_BASE_URLS[flavour]}#my-model".`, spec);
  }
  const baseURL = target.length > 0 ? target : DEFAULT_BASE_URLS[flavour];
  try {
    const url = new URL(baseURL);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new InvalidOptionError('llm', `"${baseURL}" in "${spec}" is not an http(s) URL.`, spec);
  }
  return {
    provider: 'openai',
    options: { baseURL, model: fragment, endpoint: scheme === 'openai-completions' ? 'completions' : 'chat' },
  };
}

