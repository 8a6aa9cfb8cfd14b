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
  type RecLmTokenizer,
  saveLlamaCheckpoint,
  saveLoraAdapter,
  trainRecLm,
} from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import type { StageContext, StageResult } from '../pipeline/stage';
import { promptFilePath, writePromptFile } from '../rec/prompt-files';
import { basicPrompt, buildPromptSet, evaluationPromptSets, type PromptVariantId, promptSetName, type ResolvedPromptSetSpec, resolvePromptSetSpec, RetrievalCache } from '@score/prompt-kit';
import { fallbackRate, type FallbackRate } from '../rec/fallback-rates';
import { pretrainingCorpus, titleTokens } from '../rec/pretraining-texts';
import { templateTokens } from '../rec/template-tokens';
import { openPromptComponents } from './rec-components';

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

/**
 * Stage 3 (method.md, "CI-augmented recommendation"): for every prompt variant (P^b; P^s from CRM
 * neighbours, the untuned retriever, CAR, CAR + SARE) builds the train and valid prompts (leakage
 * rule: only behaviour before each row's time), and tunes one recommender LM per variant on a
 * seeded sample of train rows with early stopping on valid AUC: from a from-scratch base LM
 * (pretrained on {@link pretrainingCorpus}, then warmed up on P^b answers) by default, or LoRA adapters on a Hugging Face checkpoint when
 * `rec.model` is `{ base, lora }`. A backend spec in `rec.model` scores without training (the eval
 * stage calls it).
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
  const results: Record<string, unknown>[] = [];
  let pretraining: Record<string, unknown> | undefined;
  let warmup: Record<string, unknown> | undefined;
  const maxPromptTokens = rec.maxPromptTokens + 8;
  const checkpoint = typeof rec.model === 'string' ? undefined : rec.model;
  let tokenizer: RecLmTokenizer;
  let openVariantLm: (variant: PromptVariantId) => Promise<InProcessLanguageModel>;
  let saveVariantLm: (lm: InProcessLanguageModel, dir: string) => Promise<void>;
  if (checkpoint) {
    // LoRA: every variant tunes fresh adapters on the same Hugging Face checkpoint (TALLRec/SCoRe).
    const probe = await loadRecLm(checkpoint.base, { maxPromptTokens });
    tokenizer = probe.tokenizer;
    await probe.dispose();
    const lora = { rank: checkpoint.lora.rank, alpha: checkpoint.lora.alpha, dropout: checkpoint.lora.dropout, targetModules: checkpoint.lora.targets.map((target) => `${target}_proj` as const), seed: context.seed };
    openVariantLm = () =>
      loadRecLm(checkpoint.base, {
        maxPromptTokens,
        lora,
        ...(checkpoint.topBlocks === undefined ? {} : { topBlocks: checkpoint.topBlocks }),
        ...(checkpoint.topBlocks === undefined || checkpoint.prefixBackend === undefined ? {} : { prefixBackend: checkpoint.prefixBackend }),
      });
    saveVariantLm = async (lm, dir) => saveLoraAdapter(lm.model, dir);
  } else {
    const trained = trainPromptTokenizer(dataset, trainRows, { vocabSize: rec.vocabSize, maxHistoryItems: rec.maxHistoryItems, titleTokens: rec.titleTokens, templateTokens: rec.templateTokens });
    tokenizer = trained;
    // A checkpoint folder: the weights and the tokenizer (the base LMs' and every variant's).
    saveVariantLm = async (lm, dir) => {
      await saveLlamaCheckpoint(lm.model, dir);
      await trained.save(path.join(dir, 'tokenizer.json'));
    };
    // The base LM every variant starts from: random weights, then (by default) next-token
    // pretraining on behaviour and item texts, as an LLM is pretrained before tuning.
    const baseDir = recModelDir(context.outputDir, 'pretrained');
    const base = createScratchRecLm({ tokenizer, seed: context.seed, maxPromptTokens, modelId: 'rec-lm-pretrained' });
    try {
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
      await saveVariantLm(base, baseDir);
    } finally {
      base.dispose();
    }
    let startDir = baseDir;
    if (rec.warmupEpochs > 0) {
      // Answer warm-up: the shared base learns to answer Yes/No on P^b prompts of train rows outside
      // the variants' sample, as the paper's base (an instruction-tuned LLM) already answers such
      // questions. Every variant, P^b included, starts from it.
      const rows = warmupRows(dataset.split('train'), trainRows, rec.warmupRows, context.seed + 2);
      const basicPrompts = async (split: readonly Row[]): Promise<RecLmExample[]> =>
        (await buildPromptSet({ dataset, rows: split, variant: 'basic', maxHistoryItems: rec.maxHistoryItems, tokenBudget: { tokenizer, maxTokens: rec.maxPromptTokens }, signal: context.signal, logger: context.logger })).map((record) => ({ prompt: record.prompt, label: record.label }));
      const warmDir = recModelDir(context.outputDir, 'warmup');
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
        await saveVariantLm(lm, warmDir);
        warmup = { rows: rows.length, epochs: report.epochs, bestEpoch: report.bestEpoch, validAuc: report.bestValidation, dir: 'models/warmup' };
        context.logger.info(`rec: base LM warmed up on P^b answers of ${rows.length} train rows outside the variants' sample (${report.epochs} epoch(s), valid AUC ${Number(report.bestValidation).toFixed(4)}), saved to ${path.join(context.runDir, 'rec', 'models', 'warmup')}`);
      } finally {
        await lm.dispose();
      }
      startDir = warmDir;
    }
    openVariantLm = async (variant) => createInProcessLanguageModel({ model: loadLlamaCheckpoint(startDir), tokenizer, maxPromptTokens, modelId: `rec-lm-${variant}` });
  }
  const components = await openPromptComponents(context, dataset);
  const cache = new RetrievalCache();
  const retrievalFallback: FallbackRate[] = [];
  try {
    // Every variant at (K_e, K_s), then (eval.retrainSweeps) full SCoRe at each other sweep point.
    const jobs = [
      ...rec.variants.map((variant) => ({ spec: resolvePromptSetSpec({ variant, retrieved: car.retrieved, kept }), dir: recModelDir(context.outputDir, variant), task: `rec.${variant}` })),
      ...retrainedSweepSpecs(context).map((spec) => ({ spec, dir: sweepModelDir(context.outputDir, spec), task: `rec.${promptSetName(spec)}` })),
    ];
    for (const { spec, dir, task } of jobs) {
      const variant = spec.variant;
      const sets: Record<'train' | 'valid', RecLmExample[]> = { train: [], valid: [] };
      for (const [split, rows] of [['train', trainRows], ['valid', validRows]] as const) {
        const records = await buildPromptSet({
          dataset,
          rows,
          variant,
          retrievers: components.retrievers,
          reranker: components.reranker,
          retrieved: spec.retrieved,
          // CAR rows retrieved and reranked (SARE is pointwise) once at the largest K_e of the jobs; each K_e a prefix (see eval).
          ...(variant === 'car' || variant === 'score' ? { retrievedMax: Math.max(...jobs.map((job) => job.spec.retrieved)), pointwiseReranker: true } : {}),
          kept: spec.kept,
          maxHistoryItems: rec.maxHistoryItems,
          maxBehaviourItems: rec.maxBehaviourItems,
          tokenBudget: { tokenizer, maxTokens: rec.maxPromptTokens },
          snapshotTimes: components.snapshotTimes,
          cache,
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
      const lm = await openVariantLm(variant);
      try {
        const report = await trainRecLm(lm, {
          train: sets.train,
          valid: sets.valid,
          epochs: rec.epochs,
          patience: rec.patience,
          batchSize: rec.batchSize,
          learningRate: rec.learningRate ?? (checkpoint ? LORA_LEARNING_RATE : SCRATCH_LEARNING_RATE),
          ...(checkpoint ? {} : { loss: 'answers' as const }),
          seed: context.seed,
          onProgress: (event) => context.onProgress({ ...event, task }),
          logger: context.logger,
          signal: context.signal,
        });
        await saveVariantLm(lm, dir);
        results.push({ variant, promptSet: spec, bestEpoch: report.bestEpoch, bestValidAuc: report.bestValidation, tokensPerSecond: report.tokensPerSecond, epochs: report.epochs, dir: path.relative(context.outputDir, dir).split(path.sep).join('/') });
        context.logger.info(`rec: ${promptSetName(spec)} LM tuned (best valid AUC ${Number(report.bestValidation).toFixed(4)}), saved to ${path.join('rec', path.relative(context.outputDir, dir))}`);
      } finally {
        await lm.dispose();
      }
    }
  } finally {
    await components.dispose();
  }
  const summary = { model: checkpoint ? { base: checkpoint.base, lora: checkpoint.lora } : 'scratch', kept, retrieved: car.retrieved, trainRows: trainRows.length, validRows: validRows.length, ...(pretraining ? { pretraining } : {}), ...(warmup ? { warmup } : {}), variants: results, retrievalFallback };
  await writeFileAtomic(path.join(context.outputDir, 'rec.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return { summary };
}
