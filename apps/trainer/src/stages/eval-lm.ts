import type { LanguageModel } from '@score/core';
import { openThreadedRecLm, type RecLmSource } from '@score/rec-lm';
import type { StageContext } from '../pipeline/stage';
import { checkpointLoadOptions } from './rec';

/**
 * Where the eval stage loads a tuned LM from: `dir` is a rec-stage model folder (the from-scratch
 * LM, a Hugging Face checkpoint) or, with `rec.model: { base, lora }`, an adapter folder on that base.
 */
export function evalLmSource(context: StageContext, dir: string): RecLmSource {
  const { rec } = context.config;
  // The token limit the rec stage tuned with (rec.maxPromptTokens + 8).
  const maxPromptTokens = rec.maxPromptTokens + 8;
  if (typeof rec.model === 'string') return { kind: 'hugging-face', dir, options: { maxPromptTokens } };
  return { kind: 'rec-lm', base: rec.model.base, options: { adapterDir: dir, maxPromptTokens, ...checkpointLoadOptions(rec.model) } };
}

/**
 * Opens the eval stage's in-process LM of `dir` for scoring on `eval.scoreWorkers` threads (the
 * stage's thread and scoreWorkers - 1 worker threads, each with its own copy of the LM; issue 15
 * point 8). One thread is the plain LM; the scores are bitwise the same either way.
 */
export function openEvalLm(context: StageContext, dir: string): Promise<LanguageModel> {
  return openThreadedRecLm(evalLmSource(context, dir), { threads: context.config.eval.scoreWorkers });
}
