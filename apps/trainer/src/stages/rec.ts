import path from 'node:path';
import { InvalidOptionError, type Row } from '@score/core';
import { loadDataset, type PreparedDataset } from '@score/data';
import { createRandom } from '@score/metrics';
import { basicPrompt } from '@score/prompt-kit';
import { createScratchRecLm, type RecLmExample, saveLlamaCheckpoint, trainRecLm } from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';
import { writeFileAtomic } from '../pipeline/atomic-write';
import { initTensorflow } from '@score/tfjs-runtime';
import type { StageContext, StageResult } from '../pipeline/stage';
import { buildPromptSet } from '../rec/build-prompts';
import { promptFilePath, writePromptFile } from '../rec/prompt-files';
import { type PromptVariantId, resolvePromptSetSpec } from '../rec/prompt-variants';
import { RetrievalCache } from '../rec/retrieval-cache';
import { openPromptComponents } from './rec-components';

/** Folder of a variant's tuned LM inside the rec stage folder. */
export function recModelDir(recStageDir: string, variant: PromptVariantId): string {
  return path.join(recStageDir, 'models', variant);
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
function trainPromptTokenizer(dataset: PreparedDataset, rows: readonly Row[], vocabSize: number, maxHistoryItems: number) {
  const texts = rows.slice(0, 3000).map((row) => {
    const history = dataset.history(row, maxHistoryItems).map((id) => dataset.items.get(id)!);
    return basicPrompt({ domain: dataset.domain, history, target: dataset.items.get(row.itemId)! });
  });
  return trainTokenizer({ texts, vocabSize, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
}

/**
 * Stage 3 (method.md, "CI-augmented recommendation"): for every prompt variant (P^b; P^s from CRM
 * neighbours, the untuned retriever, CAR, CAR + SARE) builds the train and valid prompts (leakage
 * rule: only behaviour before each row's time), and tunes one recommender LM per variant on a
 * seeded sample of train rows with early stopping on valid AUC. A backend spec in `rec.model`
 * scores without training (the eval stage calls it).
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
  if (typeof rec.model !== 'string') {
    throw new InvalidOptionError('rec.model', `LoRA tuning of a Hugging Face checkpoint (${rec.model.base}) is not available in the rec stage; use "scratch", or serve the tuned model and give its backend spec (e.g. "vllm:URL#MODEL").`, rec.model);
  }
  const trainRows = sampleRows(dataset.split('train'), rec.trainRows, context.seed);
  const validRows = sampleRows(dataset.split('valid'), rec.validRows, context.seed + 1);
  const tokenizer = trainPromptTokenizer(dataset, trainRows, rec.vocabSize, rec.maxHistoryItems);
  const components = await openPromptComponents(context, dataset);
  const cache = new RetrievalCache();
  const results: Record<string, unknown>[] = [];
  try {
    for (const variant of rec.variants) {
      const spec = resolvePromptSetSpec({ variant, retrieved: car.retrieved, kept });
      const sets: Record<'train' | 'valid', RecLmExample[]> = { train: [], valid: [] };
      for (const [split, rows] of [['train', trainRows], ['valid', validRows]] as const) {
        const records = await buildPromptSet({
          dataset,
          rows,
          variant,
          retrievers: components.retrievers,
          reranker: components.reranker,
          retrieved: spec.retrieved,
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
        sets[split] = records.map((record) => ({ prompt: record.prompt, label: record.label }));
      }
      const lm = createScratchRecLm({ tokenizer, seed: context.seed, maxPromptTokens: rec.maxPromptTokens + 8, modelId: `rec-lm-${variant}` });
      try {
        const report = await trainRecLm(lm, {
          train: sets.train,
          valid: sets.valid,
          epochs: rec.epochs,
          patience: rec.patience,
          batchSize: rec.batchSize,
          learningRate: rec.learningRate,
          seed: context.seed,
          onProgress: (event) => context.onProgress({ ...event, task: `rec.${variant}` }),
          logger: context.logger,
          signal: context.signal,
        });
        const dir = recModelDir(context.outputDir, variant);
        await saveLlamaCheckpoint(lm.model, dir);
        await tokenizer.save(path.join(dir, 'tokenizer.json'));
        results.push({ variant, promptSet: spec, bestEpoch: report.bestEpoch, bestValidAuc: report.bestValidation, tokensPerSecond: report.tokensPerSecond, epochs: report.epochs });
        context.logger.info(`rec: ${variant} LM tuned (best valid AUC ${Number(report.bestValidation).toFixed(4)}), saved to ${path.join(context.runDir, 'rec', 'models', variant)}`);
      } finally {
        lm.dispose();
      }
    }
  } finally {
    await components.dispose();
  }
  const summary = { model: 'scratch', kept, retrieved: car.retrieved, trainRows: trainRows.length, validRows: validRows.length, variants: results };
  await writeFileAtomic(path.join(context.outputDir, 'rec.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return { summary };
}
