import { InvalidOptionError } from '@score/core';
import { resolveModelPath } from '@score/model-hub';
import type { AnswerWords } from './answer-tokens';
import type { InProcessLanguageModel } from './in-process-language-model';
import { loadGgufRecLm } from './load-gguf-rec-lm';
import { loadHuggingFaceRecLm } from './load-hugging-face-rec-lm';
import type { LoraOptions } from './lora-config';

/** Options of {@link loadRecLm}. */
export interface LoadRecLmOptions {
  /** A PEFT adapter folder to load. @defaultValue none */
  readonly adapterDir?: string;
  /** Fresh LoRA adapters to attach (ignored with `adapterDir`). @defaultValue none */
  readonly lora?: LoraOptions;
  /** GGUF only: adapters on the top k blocks, the blocks below cached ({@link loadGgufRecLm}). @defaultValue every block */
  readonly topBlocks?: number;
  /** GGUF with `topBlocks` only: what computes the cached frozen blocks, "tfjs" or "onnx" ({@link loadGgufRecLm}). @defaultValue "tfjs" */
  readonly prefixBackend?: 'tfjs' | 'onnx';
  /** Longest prompt in tokens. @defaultValue the loader's default */
  readonly maxPromptTokens?: number;
  /**
   * The answer words whose single tokens `scoreYesNo` compares (method.md, Eq. 14), e.g.
   * `{ yes: " Yes", no: " No" }` for an untuned model after a raw prompt (see the README, "Which
   * answer tokens are scored").
   * @defaultValue { yes: "Yes", no: "No" }
   */
  readonly answers?: AnswerWords;
}

/**
 * Opens the recommender LM from either kind of base: a path ending in `.gguf` goes to
 * {@link loadGgufRecLm}, anything else to {@link loadHuggingFaceRecLm} (a checkpoint folder); a
 * `model:NAME` spec is first pulled into the models cache (`resolveModelPath` of `@score/model-hub`).
 * @param baseSpec A Hugging Face checkpoint folder, a llama-architecture `.gguf` file, or a `model:NAME` spec of `@score/model-hub` (e.g. `model:smollm2-135m-instruct`).
 */
export async function loadRecLm(baseSpec: string, options: LoadRecLmOptions = {}): Promise<InProcessLanguageModel> {
  // A model:NAME spec is pulled (once) by @score/model-hub; its GGUF models are files.
  const base = await resolveModelPath(baseSpec);
  const shared = {
    ...(options.adapterDir === undefined ? {} : { adapterDir: options.adapterDir }),
    ...(options.lora === undefined ? {} : { lora: options.lora }),
    ...(options.maxPromptTokens === undefined ? {} : { maxPromptTokens: options.maxPromptTokens }),
    ...(options.answers === undefined ? {} : { answers: options.answers }),
  };
  if (/\.gguf$/i.test(base)) {
    return loadGgufRecLm(base, { ...shared, ...(options.topBlocks === undefined ? {} : { topBlocks: options.topBlocks }), ...(options.prefixBackend === undefined ? {} : { prefixBackend: options.prefixBackend }) });
  }
  if (options.topBlocks !== undefined) throw new InvalidOptionError('topBlocks', 'applies to GGUF bases only (a path ending in .gguf).', options.topBlocks);
  if (options.prefixBackend !== undefined) throw new InvalidOptionError('prefixBackend', 'applies to GGUF bases with topBlocks only (a path ending in .gguf).', options.prefixBackend);
  return loadHuggingFaceRecLm(base, shared);
}
