import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError } from '@score/core';
import { loadTokenizer } from '@score/text-encoders';
import type { AnswerWords } from './answer-tokens';
import { adoptLanguageModel, type InProcessLanguageModel } from './in-process-language-model';
import { loadLlamaCheckpoint } from './llama-checkpoint';
import { type LoraOptions } from './lora-config';
import { loadLoraAdapter } from './peft-adapter';

/** Options of {@link loadHuggingFaceRecLm}. */
export interface LoadHuggingFaceRecLmOptions {
  /** The model's name, checked against adapters' base model. @defaultValue the folder's name */
  readonly name?: string;
  /** A PEFT adapter folder to load onto the model. @defaultValue none */
  readonly adapterDir?: string;
  /** Fresh LoRA adapters to attach for tuning (ignored when `adapterDir` is given). @defaultValue none */
  readonly lora?: LoraOptions;
  /** The answer words; each must be one token of the model's tokenizer. @defaultValue { yes: "Yes", no: "No" } */
  readonly answers?: AnswerWords;
  /** Longest prompt in tokens (BOS included). @defaultValue the config's max_position_embeddings */
  readonly maxPromptTokens?: number;
}

/**
 * The Hugging Face route: a Llama-family checkpoint (weights by their Hugging Face names, shapes
 * checked against `config.json`) with its `tokenizer.json`, optionally with a PEFT adapter
 * loaded or fresh LoRA adapters attached (then {@link trainRecLm} trains only them).
 * @param dir Model folder: `config.json`, `model.safetensors` (or sharded) and `tokenizer.json`.
 */
export async function loadHuggingFaceRecLm(dir: string, options: LoadHuggingFaceRecLmOptions = {}): Promise<InProcessLanguageModel> {
  const tokenizerPath = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(tokenizerPath)) throw new ArtifactNotFoundError(tokenizerPath, 'The tokenizer (tokenizer.json)');
  const tokenizer = await loadTokenizer(tokenizerPath);
  const model = loadLlamaCheckpoint(dir, options.name === undefined ? {} : { name: options.name });
  return adoptLanguageModel(model, () => {
    if (options.adapterDir !== undefined) loadLoraAdapter(model, options.adapterDir);
    else if (options.lora) model.attachLora(options.lora);
    return { tokenizer, answers: options.answers, maxPromptTokens: options.maxPromptTokens };
  });
}
