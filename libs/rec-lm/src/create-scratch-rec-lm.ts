import { InvalidOptionError } from '@score/core';
import type { AnswerWords } from './answer-tokens';
import { adoptLanguageModel, type InProcessLanguageModel } from './in-process-language-model';
import { createLlamaConfig, type LlamaConfigInput } from './llama-config';
import { LlamaModel } from './llama-model';
import type { RecLmTokenizer } from './rec-lm-tokenizer';

/** Options of {@link createScratchRecLm}. */
export interface ScratchRecLmOptions {
  /** A tokenizer trained on the corpus and templates (e.g. text-encoders' `trainTokenizer` with requiredTokens ["Yes", "No"]). */
  readonly tokenizer: RecLmTokenizer;
  /** Model shape; `vocabSize` comes from the tokenizer. @defaultValue {@link DEFAULT_SCRATCH_CONFIG} */
  readonly config?: Partial<Omit<LlamaConfigInput, 'vocabSize'>>;
  /** Seed of the random weights. @defaultValue 0 */
  readonly seed?: number;
  /** Standard deviation of the random weights. @defaultValue 0.02 */
  readonly initStd?: number;
  /** The answer words. @defaultValue { yes: "Yes", no: "No" } */
  readonly answers?: AnswerWords;
  /** Longest prompt in tokens (BOS included). @defaultValue the config's maxPositionEmbeddings */
  readonly maxPromptTokens?: number;
  /** `modelId` of the language model. @defaultValue "rec-lm-scratch" */
  readonly modelId?: string;
}

/**
 * A small from-scratch recommender LM (random weights, sized by {@link DEFAULT_SCRATCH_CONFIG})
 * over a project-trained tokenizer, ready for {@link trainRecLm}. Throws when "Yes" or "No" is not
 * a single token of the tokenizer.
 */
export function createScratchRecLm(options: ScratchRecLmOptions): InProcessLanguageModel {
  const tokenizer = options.tokenizer;
  if (!tokenizer || typeof tokenizer.encode !== 'function') throw new InvalidOptionError('tokenizer', 'must be a tokenizer with encode(), decode() and vocabSize.');
  const bos = tokenizer.specialTokens.bos ?? tokenizer.specialTokens.cls;
  const config = createLlamaConfig({
    ...options.config,
    vocabSize: tokenizer.vocabSize,
    ...(bos === undefined ? {} : { bosTokenId: bos }),
    ...(tokenizer.specialTokens.eos === undefined ? {} : { eosTokenId: tokenizer.specialTokens.eos }),
  });
  const modelId = options.modelId ?? 'rec-lm-scratch';
  const model = LlamaModel.create({ config, seed: options.seed ?? 0, initStd: options.initStd ?? 0.02, name: modelId });
  return adoptLanguageModel(model, () => ({ tokenizer, modelId, answers: options.answers, maxPromptTokens: options.maxPromptTokens }));
}
