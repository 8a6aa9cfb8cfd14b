import path from 'node:path';
import { writeFileAtomic } from '@score/core';
import type { Row } from '@score/core';
import { loadDataset, type PreparedDataset } from '@score/data';
import { createRandom } from '@score/metrics';
import {
  createInProcessLanguageModel,
  createScratchRecLm,
  type InProcessLanguageModel,
  loadRecLm,
  loadLlamaCheckpoint,
  pretrainRecLm,
  type RecLmExample,
  type RecLmSource,
  type RecLmTokenizer,
  type RecLmTrainingReport,
  type RecLmTuningSettings,
  saveLlamaCheckpoint,
  saveLoraAdapter,
  trainRecLm,
  tuneRecLmOnThread,
} from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import type { StageContext, StageResult } from '../pipeline/stage';
import { promptFilePath, writePromptFile } from '../rec/prompt-files';
import { basicPrompt, buildPromptSet, evaluationPromptSets, type PromptVariantId, promptSetName, type ResolvedPromptSetSpec, resolvePromptSetSpec, RetrievalCache } from '@score/prompt-kit';
import { fallbackRate, type FallbackRate } from '../rec/fallback-rates';
import { pretrainingCorpus, titleTokens } from '../rec/pretraining-texts';
import { templateTokens } from '../rec/template-tokens';
import type { ScoreConfig } from '../config/config-schema';
import { openPromptComponents, type PromptComponents } from './rec-components';

/**
 * Folder of a variant's tuned LM inside the rec stage folder, or of the shared base LM: `pretrained`
 * (next-token pretraining) and `warmup` (then tuned to answer P^b, the base every variant starts from).
 */
export function recModelDir(recStageDir: string, variant: PromptVariantId | 'pretrained' | 'warmup'): string {
  return path.join(recStageDir, 'models', variant);
}

/**
 * Folder of the full-SCoRe LM tuned at one sweep point (`eval.retrainSweeps`) inside the rec stage
 * folder: `models/<prompt set name>`, e.g. `models/score-k15-s2`.
 */
export function sweepModelDir(recStageDir: string, spec: ResolvedPromptSetSpec): string {
  return path.join(recStageDir, 'models', promptSetName(spec));
}

/**
 * The sweep points that get their own full-SCoRe LM when `eval.retrainSweeps` is set: every
 * `score` prompt set of the K_e/K_s sweeps except the main (car.retrieved, K_s) one. Empty when
 * the option is off, the `score` variant is not run or the LM is a scoring-only backend.
 */
export function retrainedSweepSpecs(context: StageContext): ResolvedPromptSetSpec[] {
  const { eval: evaluation, rec, car } = context.config;
  if (!evaluation.retrainSweeps || !rec.variants.includes('score') || scoringBackend(context)) return [];
  const kept = keptOf(context);
  return evaluationPromptSets({ retrieved: car.retrieved, kept, retrievedSweep: evaluation.retrievedSweep, keptSweep: evaluation.keptSweep }).filter(
    (spec) => spec.variant === 'score' && !(spec.retrieved === car.retrieved && spec.kept === kept),
  );
}

/** A seeded sample of at most `count` rows, in their original order. */
export function sampleRows(rows: readonly Row[], count: number, seed: number): Row[] {
  if (rows.length <= count) return [...rows];
  const random = createRandom(seed);
  const keys = rows.map((row) => ({ row, key: random() }));
  return keys
    .sort((a, b) => a.key - b.key)
    .slice(0, count)
    .map((entry) => entry.row)
    .sort((a, b) => a.index - b.index);
}

/**
 * The answer warm-up rows: a seeded sample of at most `count` train rows that are not among the
 * variants' own sample (`tuning`); the variants' rows when the split has no others.
 */
export function warmupRows(split: readonly Row[], tuning: readonly Row[], count: number, seed: number): Row[] {
  const taken = new Set(tuning.map((row) => row.index));
  const rest = split.filter((row) => !taken.has(row.index));
  return rest.length > 0 ? sampleRows(rest, count, seed) : [...tuning];
}

/** The backend spec of `rec.model` when it only scores (no training), else undefined. */
export function scoringBackend(context: StageContext): string | undefined {
  const model = context.config.rec.model;
  return typeof model === 'string' && model !== 'scratch' ? model : undefined;
}

/** K_s of the rec prompts: `rec.kept`, else `sare.kept`. */
export function keptOf(context: StageContext): number {
  return context.config.rec.kept ?? context.config.sare.kept;
}

/**
 * Trains the tokenizer of the from-scratch LM on P^b prompts of sampled train rows (titles and
 * the template words), so every prompt variant shares one vocabulary; "Yes" and "No" are single tokens.
 */
function trainPromptTokenizer(dataset: PreparedDataset, rows: readonly Row[], options: { vocabSize: number; maxHistoryItems: number; titleTokens: boolean; templateTokens: boolean }) {
  const texts = rows.slice(0, 3000).map((row) => {
    const history = dataset.history(row, options.maxHistoryItems).map((id) => dataset.items.get(id)!);
    return basicPrompt({ domain: dataset.domain, history, target: dataset.items.get(row.itemId)! });
  });
  const addedTokens = [...(options.templateTokens ? templateTokens(dataset.domain) : []), ...(options.titleTokens ? titleTokens(dataset) : [])];
  return trainTokenizer({ texts, vocabSize: options.vocabSize, kind: 'bpe', requiredTokens: ['Yes', 'No'], addedTokens });
}

/** Learning rate of the from-scratch rec LM when `rec.learningRate` is not set. */
export const SCRATCH_LEARNING_RATE = 5e-4;
/** Learning rate of LoRA tuning when `rec.learningRate` is not set (TALLRec/SCoRe). */
export const LORA_LEARNING_RATE = 1e-4;

/** The rows and settings every step of the rec stage works with. */
interface RecRun {
  readonly context: StageContext;
  readonly dataset: PreparedDataset;
  /** The seeded sample of train rows the variants are tuned on. */
  readonly trainRows: readonly Row[];
  /** The seeded sample of valid rows early stopping scores. */
  readonly validRows: readonly Row[];
  /** Prompt length the LMs are built for: `rec.maxPromptTokens` plus room for the answer. */
  readonly maxPromptTokens: number;
}

/** How the rec stage opens and saves each variant's LM, and what preparing their shared base did. */
interface VariantLms {
  /** The tokenizer the prompts are budgeted with. */
  readonly tokenizer: RecLmTokenizer;
  /** Opens the LM a variant's tuning starts from. */
  open(variant: PromptVariantId): Promise<InProcessLanguageModel>;
  /** Saves a tuned LM into `dir`. */
  save(lm: InProcessLanguageModel, dir: string): Promise<void>;
  /** Where a tuning thread (`rec.workers` > 1) loads the LM every variant's tuning starts from: the same weights {@link open} gives. */
  readonly source: RecLmSource;
  /** Writes what {@link save} puts beside the weights a tuning thread saved into `dir` (the from-scratch tokenizer). */
  finish(dir: string): Promise<void>;
  /** Figures of the base LM's next-token pretraining (from-scratch LM with `rec.pretrainEpochs` > 0). */
  readonly pretraining?: Record<string, unknown>;
  /** Figures of the base LM's answer warm-up (from-scratch LM with `rec.warmupEpochs` > 0). */
  readonly warmup?: Record<string, unknown>;
}

/** `rec.model` when it names a Hugging Face checkpoint tuned with LoRA. */
export type LoraCheckpoint = Exclude<ScoreConfig['rec']['model'], string>;

/**
 * The options of `loadRecLm` that `rec.model` sets besides the adapters: `topBlocks` and, with it,
 * `prefixBackend`; the rec stage tunes and the eval stage scores the checkpoint loaded the same way.
 */
export function checkpointLoadOptions(checkpoint: LoraCheckpoint) {
  return {
    ...(checkpoint.topBlocks === undefined ? {} : { topBlocks: checkpoint.topBlocks }),
    ...(checkpoint.topBlocks === undefined || checkpoint.prefixBackend === undefined ? {} : { prefixBackend: checkpoint.prefixBackend }),
  };
}

/** LoRA: every variant tunes fresh adapters on the same Hugging Face checkpoint (TALLRec/SCoRe). */
async function loraVariantLms(checkpoint: LoraCheckpoint, maxPromptTokens: number, seed: number): Promise<VariantLms> {
  const probe = await loadRecLm(checkpoint.base, { maxPromptTokens });
  const tokenizer = probe.tokenizer;
  await probe.dispose();
  const lora = { rank: checkpoint.lora.rank, alpha: checkpoint.lora.alpha, dropout: checkpoint.lora.dropout, targetModules: checkpoint.lora.targets.map((target) => `${target}_proj` as const), seed };
  const options = { maxPromptTokens, lora, ...checkpointLoadOptions(checkpoint) };
  return {
    tokenizer,
    open: () => loadRecLm(checkpoint.base, options),
    save: async (lm, dir) => saveLoraAdapter(lm.model, dir),
    source: { kind: 'rec-lm', base: checkpoint.base, options },
    finish: async () => undefined,
  };
}

/**
 * The from-scratch LMs: a tokenizer trained on P^b prompts, a base LM (random weights, then by
 * default next-token pretraining and an answer warm-up) saved in the stage folder, from which
 * every variant starts.
 */
async function scratchVariantLms(run: RecRun): Promise<VariantLms> {
  const { context, dataset, trainRows, maxPromptTokens } = run;
  const { rec } = context.config;
  const tokenizer = trainPromptTokenizer(dataset, trainRows, { vocabSize: rec.vocabSize, maxHistoryItems: rec.maxHistoryItems, titleTokens: rec.titleTokens, templateTokens: rec.templateTokens });
  // A checkpoint folder: the weights and the tokenizer (the base LMs' and every variant's).
  const finish = (dir: string) => tokenizer.save(path.join(dir, 'tokenizer.json'));
  const save = async (lm: InProcessLanguageModel, dir: string) => {
    await saveLlamaCheckpoint(lm.model, dir);
    await finish(dir);
  };
  const baseDir = recModelDir(context.outputDir, 'pretrained');
  const pretraining = await pretrainBaseLm(run, tokenizer, baseDir, save);
  let startDir = baseDir;
  let warmup: Record<string, unknown> | undefined;
  if (rec.warmupEpochs > 0) {
    const warmDir = recModelDir(context.outputDir, 'warmup');
    warmup = await warmUpBaseLm(run, tokenizer, baseDir, warmDir, save);
    startDir = warmDir;
  }
  return {
    tokenizer,
    open: async (variant) => createInProcessLanguageModel({ model: loadLlamaCheckpoint(startDir), tokenizer, maxPromptTokens, modelId: `rec-lm-${variant}` }),
    save,
    // The same checkpoint folder with the tokenizer saved beside it (tokenizer.json).
    source: { kind: 'hugging-face', dir: startDir, options: { maxPromptTokens } },
    finish,
    ...(pretraining ? { pretraining } : {}),
    ...(warmup ? { warmup } : {}),
  };
}

/**
 * The base LM every variant starts from: random weights, then (with `rec.pretrainEpochs` > 0)
 * next-token pretraining on behaviour and item texts, as an LLM is pretrained before tuning; saved
 * to `baseDir`. Returns the pretraining figures, or `undefined` when it was not pretrained.
 */
async function pretrainBaseLm(run: RecRun, tokenizer: RecLmTokenizer, baseDir: string, save: VariantLms['save']): Promise<Record<string, unknown> | undefined> {
  const { context, dataset, maxPromptTokens } = run;
  const { rec } = context.config;
  const base = createScratchRecLm({ tokenizer, seed: context.seed, maxPromptTokens, modelId: 'rec-lm-pretrained' });
  try {
    let pretraining: Record<string, unknown> | undefined;
    if (rec.pretrainEpochs > 0) {
      const corpus = pretrainingCorpus(dataset, { behaviour: rec.pretrainBehaviourTexts, items: rec.pretrainItemTexts });
      const report = await pretrainRecLm(base, {
        texts: corpus.texts,
        validTexts: corpus.validTexts,
        epochs: rec.pretrainEpochs,
        windowTokens: Math.min(128, maxPromptTokens),
        seed: context.seed,
        onProgress: context.onProgress,
        logger: context.logger,
        signal: context.signal,
      });
      context.logger.info(`rec: base LM pretrained on ${corpus.behaviourTexts} behaviour texts and ${corpus.itemTexts} item texts (${report.windows} windows, best held-out token loss ${(-report.bestValidation).toFixed(4)}, ${Math.round(report.tokensPerSecond)} tokens/s)`);
      pretraining = { texts: corpus.behaviourTexts + corpus.itemTexts, behaviourTexts: corpus.behaviourTexts, itemTexts: corpus.itemTexts, windows: report.windows, bestEpoch: report.bestEpoch, bestValidLoss: -report.bestValidation, tokensPerSecond: report.tokensPerSecond, epochs: report.epochs, dir: 'models/pretrained' };
    }
    await save(base, baseDir);
    return pretraining;
  } finally {
    base.dispose();
  }
}

/**
 * Answer warm-up: the shared base (in `baseDir`) learns to answer Yes/No on P^b prompts of train
 * rows outside the variants' sample, as the paper's base (an instruction-tuned LLM) already answers
 * such questions; saved to `warmDir`, from which every variant, P^b included, starts. Returns its figures.
 */
async function warmUpBaseLm(run: RecRun, tokenizer: RecLmTokenizer, baseDir: string, warmDir: string, save: VariantLms['save']): Promise<Record<string, unknown>> {
  const { context, dataset, trainRows, validRows, maxPromptTokens } = run;
  const { rec } = context.config;
  const rows = warmupRows(dataset.split('train'), trainRows, rec.warmupRows, context.seed + 2);
  const basicPrompts = async (split: readonly Row[]): Promise<RecLmExample[]> =>
    (await buildPromptSet({ dataset, rows: split, variant: 'basic', maxHistoryItems: rec.maxHistoryItems, tokenBudget: { tokenizer, maxTokens: rec.maxPromptTokens }, signal: context.signal, logger: context.logger })).map((record) => ({ prompt: record.prompt, label: record.label }));
  const lm = createInProcessLanguageModel({ model: loadLlamaCheckpoint(baseDir), tokenizer, maxPromptTokens, modelId: 'rec-lm-warmup' });
  try {
    const report = await trainRecLm(lm, {
      train: await basicPrompts(rows),
      valid: await basicPrompts(validRows),
      epochs: rec.warmupEpochs,
      patience: rec.warmupEpochs,
      batchSize: rec.batchSize,
      learningRate: rec.learningRate ?? SCRATCH_LEARNING_RATE,
      loss: 'answers',
      seed: context.seed + 2,
      onProgress: (event) => context.onProgress({ ...event, task: 'rec.warmup' }),
      logger: context.logger,
      signal: context.signal,
    });
    await save(lm, warmDir);
    context.logger.info(`rec: base LM warmed up on P^b answers of ${rows.length} train rows outside the variants' sample (${report.epochs} epoch(s), valid AUC ${Number(report.bestValidation).toFixed(4)}), saved to ${path.join(context.runDir, 'rec', 'models', 'warmup')}`);
    return { rows: rows.length, epochs: report.epochs, bestEpoch: report.bestEpoch, validAuc: report.bestValidation, dir: 'models/warmup' };
  } finally {
    await lm.dispose();
  }
}

/** One LM the rec stage tunes: a prompt set, the folder its LM is saved to and its progress task. */
interface RecJob {
  readonly spec: ResolvedPromptSetSpec;
  readonly dir: string;
  readonly task: string;
}

/** Every variant at (K_e, K_s), then (`eval.retrainSweeps`) full SCoRe at each other sweep point. */
function recJobs(context: StageContext, kept: number): RecJob[] {
  const { rec, car } = context.config;
  return [
    ...rec.variants.map((variant) => ({ spec: resolvePromptSetSpec({ variant, retrieved: car.retrieved, kept }), dir: recModelDir(context.outputDir, variant), task: `rec.${variant}` })),
    ...retrainedSweepSpecs(context).map((spec) => ({ spec, dir: sweepModelDir(context.outputDir, spec), task: `rec.${promptSetName(spec)}` })),
  ];
}

/** What building a job's prompts shares across jobs: the components, the retrieval cache and the largest K_e. */
interface PromptSources {
  readonly components: PromptComponents;
  readonly cache: RetrievalCache;
  /** The largest K_e of the jobs: CAR rows are retrieved and reranked once at it, each K_e a prefix. */
  readonly retrievedMax: number;
  readonly tokenizer: RecLmTokenizer;
}

/**
 * Builds and writes a job's train and valid prompts (leakage rule: only behaviour before each row's
 * time), adds the variant's retrieval fallback rates to `retrievalFallback` and returns the examples.
 */
async function buildJobPrompts(run: RecRun, spec: ResolvedPromptSetSpec, sources: PromptSources, retrievalFallback: FallbackRate[]): Promise<Record<'train' | 'valid', RecLmExample[]>> {
  const { context, dataset } = run;
  const { rec } = context.config;
  const { components } = sources;
  const variant = spec.variant;
  const sets: Record<'train' | 'valid', RecLmExample[]> = { train: [], valid: [] };
  for (const [split, rows] of [['train', run.trainRows], ['valid', run.validRows]] as const) {
    const records = await buildPromptSet({
      dataset,
      rows,
      variant,
      retrievers: components.retrievers,
      reranker: components.reranker,
      retrieved: spec.retrieved,
      // CAR rows retrieved and reranked (SARE is pointwise) once at the largest K_e of the jobs; each K_e a prefix (see eval).
      ...(variant === 'car' || variant === 'score' ? { retrievedMax: sources.retrievedMax, pointwiseReranker: true } : {}),
      kept: spec.kept,
      maxHistoryItems: rec.maxHistoryItems,
      maxBehaviourItems: rec.maxBehaviourItems,
      tokenBudget: { tokenizer: sources.tokenizer, maxTokens: rec.maxPromptTokens },
      snapshotTimes: components.snapshotTimes,
      cache: sources.cache,
      signal: context.signal,
      onProgress: context.onProgress,
      logger: context.logger,
    });
    await writePromptFile(promptFilePath(context.outputDir, spec, split), records);
    const fallback = fallbackRate(variant, split, rows, records, components.snapshotTimes);
    if (fallback) {
      retrievalFallback.push(fallback);
      context.logger.info(`rec: ${variant} ${split}: ${fallback.fallbackRows} of ${fallback.rows} rows found no similar user and got P^b (${(100 * fallback.rate).toFixed(1)}%; ${fallback.beforeFirstSnapshot ?? 0} rows precede the first snapshot)`);
    }
    sets[split] = records.map((record) => ({ prompt: record.prompt, label: record.label }));
  }
  return sets;
}

/**
 * The tuning settings of every job: the same for each (seed included), so a job's LM does not
 * depend on which jobs ran before it or beside it (`rec.workers`).
 */
function tuningSettings(run: RecRun, lora: boolean): RecLmTuningSettings {
  const { rec } = run.context.config;
  return {
    epochs: rec.epochs,
    patience: rec.patience,
    batchSize: rec.batchSize,
    learningRate: rec.learningRate ?? (lora ? LORA_LEARNING_RATE : SCRATCH_LEARNING_RATE),
    ...(lora ? {} : { loss: 'answers' as const }),
    seed: run.context.seed,
  };
}

/** Logs a tuned job's line and returns its figures for rec.json. */
function tunedJobFigures(context: StageContext, job: RecJob, report: RecLmTrainingReport): Record<string, unknown> {
  const { spec, dir } = job;
  context.logger.info(`rec: ${promptSetName(spec)} LM tuned (best valid AUC ${Number(report.bestValidation).toFixed(4)}), saved to ${path.join('rec', path.relative(context.outputDir, dir))}`);
  return { variant: spec.variant, promptSet: spec, bestEpoch: report.bestEpoch, bestValidAuc: report.bestValidation, tokensPerSecond: report.tokensPerSecond, epochs: report.epochs, dir: path.relative(context.outputDir, dir).split(path.sep).join('/') };
}

/** Tunes a job's LM on its prompts with early stopping on valid AUC on the stage's thread, saves it and returns its figures. */
async function tuneJobLm(run: RecRun, job: RecJob, sets: Record<'train' | 'valid', RecLmExample[]>, lms: VariantLms, lora: boolean): Promise<Record<string, unknown>> {
  const { context } = run;
  const { spec, dir, task } = job;
  const lm = await lms.open(spec.variant);
  try {
    const report = await trainRecLm(lm, {
      train: sets.train,
      valid: sets.valid,
      ...tuningSettings(run, lora),
      onProgress: (event) => context.onProgress({ ...event, task }),
      logger: context.logger,
      signal: context.signal,
    });
    await lms.save(lm, dir);
    return tunedJobFigures(context, job, report);
  } finally {
    await lm.dispose();
  }
}

/**
 * Tunes a job's LM as {@link tuneJobLm} does, on a worker thread of its own (`rec.workers` > 1):
 * the thread loads the shared base from {@link VariantLms.source} and tunes with the same
 * settings, so the weights and figures are bitwise the same; its log lines are prefixed with the job's task.
 */
async function tuneJobOnThread(run: RecRun, job: RecJob, sets: Record<'train' | 'valid', RecLmExample[]>, lms: VariantLms, lora: boolean, signal: AbortSignal): Promise<Record<string, unknown>> {
  const { context } = run;
  const { dir, task } = job;
  const prefixed = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => context.logger[level](`${task}: ${message}`, fields);
  const report = await tuneRecLmOnThread(
    { source: lms.source, train: sets.train, valid: sets.valid, settings: tuningSettings(run, lora), saveDir: dir },
    { onProgress: (event) => context.onProgress({ ...event, task }), logger: { debug: prefixed('debug'), info: prefixed('info'), warn: prefixed('warn'), error: prefixed('error') }, signal },
  );
  await lms.finish(dir);
  return tunedJobFigures(context, job, report);
}

/**
 * Builds every job's prompts in job order on the stage's thread (as one thread does: the same
 * retrieval cache, the same records) and tunes up to `workers` LMs at once on worker threads,
 * each starting as soon as its prompts are written. Returns the figures in job order. The first
 * failure stops the other threads and is thrown.
 */
async function tuneJobsOnThreads(run: RecRun, jobs: readonly RecJob[], sources: PromptSources, lms: VariantLms, lora: boolean, workers: number, retrievalFallback: FallbackRate[]): Promise<Record<string, unknown>[]> {
  const { context } = run;
  const controller = new AbortController();
  const stop = () => controller.abort(context.signal.reason);
  context.signal.addEventListener('abort', stop, { once: true });
  const results = new Array<Record<string, unknown>>(jobs.length);
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  try {
    for (const [index, job] of jobs.entries()) {
      const sets = await buildJobPrompts(run, job.spec, sources, retrievalFallback);
      while (running.size >= workers) await Promise.race(running);
      if (failure) throw failure.error;
      const tuning: Promise<void> = tuneJobOnThread(run, job, sets, lms, lora, controller.signal).then(
        (figures) => void (results[index] = figures),
        (error: unknown) => {
          failure ??= { error };
          throw error;
        },
      );
      const tracked: Promise<void> = tuning.finally(() => running.delete(tracked));
      // Handled here; a failure is also seen by the next Promise.race/all below.
      tracked.catch(() => undefined);
      running.add(tracked);
    }
    await Promise.all(running);
  } catch (error) {
    controller.abort(error);
    await Promise.allSettled(running);
    throw failure?.error ?? error;
  } finally {
    context.signal.removeEventListener('abort', stop);
  }
  return results;
}

/**
 * Stage 3 (method.md, "CI-augmented recommendation"): for every prompt variant (P^b; P^s from CRM
 * neighbours, the untuned retriever, CAR, CAR + SARE) builds the train and valid prompts (leakage
 * rule: only behaviour before each row's time), and tunes one recommender LM per variant on a
 * seeded sample of train rows with early stopping on valid AUC: from a from-scratch base LM
 * (pretrained on {@link pretrainingCorpus}, then warmed up on P^b answers) by default, or LoRA adapters on a Hugging Face checkpoint when
 * `rec.model` is `{ base, lora }`. A backend spec in `rec.model` scores without training (the eval
 * stage calls it). With `rec.workers` > 1 the LMs tune that many at a time on worker threads, to
 * the same weights and figures.
 */
export async function recStage(context: StageContext): Promise<StageResult> {
  const { rec, car } = context.config;
  await initTensorflow({ logger: context.logger });
  const dataset = await loadDataset(context.stageDir('prepare'));
  const kept = keptOf(context);
  const backend = scoringBackend(context);
  if (backend) {
    context.logger.info(`rec: scoring-only backend ${backend}; nothing to train (the eval stage scores with it).`);
    await writeFileAtomic(path.join(context.outputDir, 'rec.json'), `${JSON.stringify({ backend, variants: [] }, null, 2)}\n`);
    return { summary: { backend } };
  }
  const trainRows = sampleRows(dataset.split('train'), rec.trainRows, context.seed);
  const validRows = sampleRows(dataset.split('valid'), rec.validRows, context.seed + 1);
  const run: RecRun = { context, dataset, trainRows, validRows, maxPromptTokens: rec.maxPromptTokens + 8 };
  const checkpoint = typeof rec.model === 'string' ? undefined : rec.model;
  const lms = checkpoint ? await loraVariantLms(checkpoint, run.maxPromptTokens, context.seed) : await scratchVariantLms(run);
  const results: Record<string, unknown>[] = [];
  const components = await openPromptComponents(context, dataset);
  const retrievalFallback: FallbackRate[] = [];
  try {
    const jobs = recJobs(context, kept);
    const sources: PromptSources = { components, cache: new RetrievalCache(), retrievedMax: Math.max(...jobs.map((job) => job.spec.retrieved)), tokenizer: lms.tokenizer };
    const workers = rec.workers ?? 1;
    if (workers > 1) {
      context.logger.info(`rec: tuning ${jobs.length} LMs on ${Math.min(workers, jobs.length)} worker threads (rec.workers ${workers})`);
      results.push(...(await tuneJobsOnThreads(run, jobs, sources, lms, checkpoint !== undefined, workers, retrievalFallback)));
    } else {
      for (const job of jobs) {
        const sets = await buildJobPrompts(run, job.spec, sources, retrievalFallback);
        results.push(await tuneJobLm(run, job, sets, lms, checkpoint !== undefined));
      }
    }
  } finally {
    await components.dispose();
  }
  const { pretraining, warmup } = lms;
  const summary = { model: checkpoint ? { base: checkpoint.base, lora: checkpoint.lora } : 'scratch', kept, retrieved: car.retrieved, trainRows: trainRows.length, validRows: validRows.length, ...(pretraining ? { pretraining } : {}), ...(warmup ? { warmup } : {}), variants: results, retrievalFallback };
  await writeFileAtomic(path.join(context.outputDir, 'rec.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return { summary };
}
