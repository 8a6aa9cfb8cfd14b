import type { LanguageModel } from '@score/core';
import { modelNameOfSpec, resolveModelSpec } from '@score/model-hub';
import { pullProgressCallback } from '../cli/pull-progress';
import type { StageContext } from '../pipeline/stage';
import type { ModelMetrics } from '../report';
import type { PromptVariantId, ResolvedPromptSetSpec } from '@score/prompt-kit';
import type { ScoreConfig } from '../config/config-schema';
import { openEvalBaseLm } from './eval-lm';
import { openCachedLanguageModel } from './llm-cache';

/** The id of the zero-shot row of a prompt variant in metrics.json, e.g. "zero-shot-basic". */
export function zeroShotModelId(variant: PromptVariantId): string {
  return `zero-shot-${variant}`;
}

const PROMPT_NAMES: Readonly<Record<PromptVariantId, string>> = {
  basic: 'P^b',
  cf: 'P^s from CRM neighbours',
  base: 'P^s from the untuned retriever',
  car: 'P^s from CAR without SARE',
  score: 'P^s from CAR + SARE',
};

const VARIANT_FIELDS: Readonly<Record<PromptVariantId, Pick<ModelMetrics, 'prompt' | 'retriever' | 'reranker'>>> = {
  basic: { prompt: 'basic' },
  cf: { prompt: 'ci', retriever: 'cf', reranker: 'none' },
  base: { prompt: 'ci', retriever: 'base', reranker: 'none' },
  car: { prompt: 'ci', retriever: 'car', reranker: 'none' },
  score: { prompt: 'ci', retriever: 'car', reranker: 'sare' },
};

/** The name of the LLM in a spec, for labels: the registry name, else the part after "#" or the file name. */
export function zeroShotModelName(spec: string): string {
  const registry = modelNameOfSpec(spec);
  if (registry !== undefined) return registry;
  const hash = spec.lastIndexOf('#');
  if (hash >= 0 && !spec.startsWith('llamacpp:')) return spec.slice(hash + 1);
  const file = spec.replace(/^llamacpp:/, '').split('#')[0]!;
  return file.split(/[\\/]/).pop() ?? file;
}

/** The fields of the zero-shot row of a variant (metrics not included). */
export function zeroShotRow(variant: PromptVariantId, spec: string): Pick<ModelMetrics, 'id' | 'label' | 'family' | 'prompt' | 'retriever' | 'reranker' | 'tuning'> {
  return { id: zeroShotModelId(variant), label: `Zero-shot ${zeroShotModelName(spec)}, ${PROMPT_NAMES[variant]} (no tuning)`, family: 'llm', tuning: 'zero-shot', ...VARIANT_FIELDS[variant] };
}

/**
 * The extra paired differences of the zero-shot rows beyond those every LM row gets (to the tuned
 * P^b and full SCoRe): each zero-shot P^s row minus the zero-shot P^b row, what the collaborative
 * information adds without tuning.
 */
export function zeroShotDifferences(models: readonly ModelMetrics[]): [string, string][] {
  const basic = zeroShotModelId('basic');
  if (!models.some((model) => model.id === basic)) return [];
  return models.filter((model) => model.tuning === 'zero-shot' && model.id !== basic).map((model) => [model.id, basic]);
}

/**
 * The model spec of `eval.zeroShot.llm` for labels and notes: the spec itself, or for "rec" the
 * base of `rec.model` (e.g. "model:smollm2-135m-instruct"); undefined when the option is off.
 */
export function zeroShotSpec(config: Pick<ScoreConfig, 'rec' | 'eval'>): string | undefined {
  const llm = config.eval.zeroShot?.llm;
  if (llm !== 'rec') return llm;
  return typeof config.rec.model === 'string' ? llm : config.rec.model.base;
}

/**
 * Opens the untuned LLM of `eval.zeroShot`: with "rec", rec.model's base without adapters, in
 * process on eval.scoreWorkers threads exactly as a tuned variant is opened ({@link openEvalBaseLm});
 * any other spec through the run's response cache, a `model:NAME` in it pulled first.
 */
async function openZeroShotLm(context: StageContext, settings: NonNullable<ScoreConfig['eval']['zeroShot']>): Promise<LanguageModel> {
  if (settings.llm === 'rec') return openEvalBaseLm(context);
  const resolved = await resolveModelSpec(settings.llm, { logger: context.logger, signal: context.signal, onProgress: pullProgressCallback(context.onProgress, context.logger) });
  return openCachedLanguageModel(resolved, context.runDir, settings.threads === undefined ? {} : { llamacpp: { threads: settings.threads } });
}

/** What {@link scoreZeroShot} needs from the eval stage. */
export interface ZeroShotScoring {
  /** The prompt set of a variant at the run's main K_e and K_s. */
  readonly mainSpec: (variant: PromptVariantId) => ResolvedPromptSetSpec;
  /** Scores one prompt set with an LM: the eval stage's own prompt building and metrics. */
  readonly score: (spec: ResolvedPromptSetSpec, lm: LanguageModel) => Promise<Omit<ModelMetrics, 'id' | 'label' | 'family' | 'prompt'> & { scores: readonly number[] }>;
}

/**
 * `eval.zeroShot` (issue 17, point 2): the pretrained LLM scores P^b and P^s of the chosen variants
 * without any tuning (the paper's starting point), through the run's response cache; a
 * `model:NAME` in the spec is pulled first. With `llm: rec`, rec.model's base without adapters
 * scores in process, the way the tuned variants are scored. Returns one row per variant, with its
 * scores for the paired bootstrap; empty when the option is off.
 * @throws InvalidOptionError naming eval.zeroShot.llm for "rec" when rec.model is "scratch" or a backend spec.
 */
export async function scoreZeroShot(context: StageContext, scoring: ZeroShotScoring): Promise<{ model: ModelMetrics; scores: readonly number[] }[]> {
  const settings = context.config.eval.zeroShot;
  if (!settings) return [];
  const lm = await openZeroShotLm(context, settings);
  // "rec": the rows are named after rec.model's base.
  const spec = zeroShotSpec(context.config) ?? settings.llm;
  const rows: { model: ModelMetrics; scores: readonly number[] }[] = [];
  try {
    for (const variant of settings.variants) {
      const { scores, ...metrics } = await scoring.score(scoring.mainSpec(variant), lm);
      const model: ModelMetrics = { ...zeroShotRow(variant, spec), ...metrics };
      rows.push({ model, scores });
      context.logger.info(`eval: ${model.label} AUC ${model.auc.toFixed(4)}, UAUC ${model.uauc.toFixed(4)}`);
    }
  } finally {
    await lm.dispose();
  }
  return rows;
}
