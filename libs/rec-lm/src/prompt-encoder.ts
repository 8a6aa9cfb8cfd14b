import { InvalidOptionError } from '@score/core';
import type { LlamaConfig } from './llama-config';
import type { RecLmTokenizer } from './rec-lm-tokenizer';

/** Turns prompts into model inputs: `<bos> prompt tokens`, cut from the left to fit. */
export interface PromptEncoder {
  /** The BOS id that starts every sequence. */
  readonly bos: number;
  /** Longest sequence, BOS included. */
  readonly maxTokens: number;
  /** `[bos, ...tokens]` (no BOS with `addBos: false`); when too long, the oldest prompt tokens are dropped (BOS kept). */
  encode(prompt: string): number[];
}

/** Options of {@link createPromptEncoder}. */
export interface PromptEncoderOptions {
  /** Start every sequence with BOS (false for models that are not trained with it, e.g. a chat-formatted SmolLM2 prompt). @defaultValue true */
  readonly addBos?: boolean;
  /** Turns a prompt into the text that is tokenized (e.g. a chat template). @defaultValue the prompt unchanged */
  readonly format?: (prompt: string) => string;
}

/** Builds the {@link PromptEncoder} of a tokenizer and model config. */
export function createPromptEncoder(tokenizer: RecLmTokenizer, config: LlamaConfig, maxTokens = config.maxPositionEmbeddings, options: PromptEncoderOptions = {}): PromptEncoder {
  if (!Number.isInteger(maxTokens) || maxTokens < 2 || maxTokens > config.maxPositionEmbeddings) {
    throw new InvalidOptionError('maxPromptTokens', `must be an integer in [2, ${config.maxPositionEmbeddings}] (the model's max_position_embeddings), got ${maxTokens}.`, maxTokens);
  }
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new InvalidOptionError('tokenizer', `has ${tokenizer.vocabSize} tokens, more than the model's vocabulary of ${config.vocabSize}.`, tokenizer.vocabSize);
  }
  const bos = config.bosTokenId ?? tokenizer.specialTokens.bos ?? tokenizer.specialTokens.cls;
  if (bos === undefined) throw new InvalidOptionError('tokenizer', 'has no BOS (or CLS) token and the model config names no bos_token_id; one is needed to start prompts.');
  return {
    bos,
    maxTokens,
    encode(prompt: string): number[] {
      const text = options.format ? options.format(prompt) : prompt;
      const ids = tokenizer.encode(text, { addSpecialTokens: false }).ids;
      if (options.addBos === false) {
        if (ids.length === 0) throw new InvalidOptionError('prompt', `${JSON.stringify(prompt)} has no tokens, and this model adds no BOS.`, prompt);
        return ids.length > maxTokens ? ids.slice(ids.length - maxTokens) : [...ids];
      }
      const kept = ids.length > maxTokens - 1 ? ids.slice(ids.length - (maxTokens - 1)) : ids;
      return [bos, ...kept];
    },
  };
}
