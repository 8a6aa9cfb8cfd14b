import { InvalidOptionError, type LanguageModel } from '@score/core';
import { openThreadedRecLm, type RecLmSource } from '@score/rec-lm';
import { zeroShotRecProblem } from '../config/load-config';
import type { StageContext } from '../pipeline/stage';
import { checkpointLoadOptions } from './rec';

/**
 * Where the eval stage loads a tuned LM from: `dir` is a rec-stage model folder (the from-scratch
 * LM, a Hugging Face checkpoint) or, with `rec.model: { base, lora }`, an adapter folder on that base.
 */
export function evalLmSource(context: StageContext, dir: string): RecLmSource {
  const { rec } = context.config;
  if (typeof rec.model === 'string') return { kind: 'hugging-face', dir, options: { maxPromptTokens: evalMaxPromptTokens(context) } };
  return { kind: 'rec-lm', base: rec.model.base, options: { ...baseLoadOptions(context), adapterDir: dir } };
}

/** The token limit the rec stage tuned with (rec.maxPromptTokens + 8). */
function evalMaxPromptTokens(context: StageContext): number {
  return context.config.rec.maxPromptTokens + 8;
}

/** The loader options of rec.model's base in the eval stage (no adapter): its token limit, topBlocks and prefixBackend. */
function baseLoadOptions(context: StageContext) {
  const { rec } = context.config;
  return { maxPromptTokens: evalMaxPromptTokens(context), ...(typeof rec.model === 'string' ? {} : checkpointLoadOptions(rec.model)) };
}

/**
 * Where `eval.zeroShot.llm: rec` loads the untuned LLM from: rec.model's base with the loader
 * options of a tuned variant ({@link evalLmSource}) but no adapter, and `eval.zeroShot.answers`
 * when set. With `topBlocks` the loader
 * attaches fresh LoRA adapters, whose zero B matrices leave every output the base's.
 * @throws InvalidOptionError naming eval.zeroShot.llm when rec.model is "scratch" or a backend spec.
 */
export function evalBaseLmSource(context: StageContext): RecLmSource {
  const model = context.config.rec.model;
  if (typeof model === 'string') throw new InvalidOptionError('eval.zeroShot.llm', `${zeroShotRecProblem(model)}.`, 'rec');
  const answers = context.config.eval.zeroShot?.answers;
  return { kind: 'rec-lm', base: model.base, options: { ...baseLoadOptions(context), ...(answers === undefined ? {} : { answers }) } };
}

/**
 * Opens the eval stage's in-process LM of `dir` for scoring on `eval.scoreWorkers` threads (the
 * stage's thread and scoreWorkers - 1 worker threads, each with its own copy of the LM; issue 15
 * point 8). One thread is the plain LM; the scores are bitwise the same either way.
 */
export function openEvalLm(context: StageContext, dir: string): Promise<LanguageModel> {
  return openThreadedRecLm(evalLmSource(context, dir), { threads: context.config.eval.scoreWorkers });
}

/** Opens the untuned base of {@link evalBaseLmSource} on `eval.scoreWorkers` threads, as {@link openEvalLm} opens a tuned variant. */
export function openEvalBaseLm(context: StageContext): Promise<LanguageModel> {
  return openThreadedRecLm(evalBaseLmSource(context), { threads: context.config.eval.scoreWorkers });
}
