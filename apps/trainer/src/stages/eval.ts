import fs from 'node:fs';
import path from 'node:path';
import type { LanguageModel, Row } from '@score/core';
import { itemPopularityScores, loadRecommender } from '@score/crm-sasrec';
import { computeStatistics, loadDataset, type PreparedDataset } from '@score/data';
import { evaluateCtr } from '@score/metrics';
import { InProcessLanguageModel, loadHuggingFaceRecLm } from '@score/rec-lm';
import { initTensorflow } from '@score/tfjs-runtime';
import type { StageContext, StageResult } from '../pipeline/stage';
import { readManifest } from '../pipeline/manifest';
import { buildPromptSet } from '../rec/build-prompts';
import { evaluationPromptSets, type PromptVariantId, type ResolvedPromptSetSpec } from '../rec/prompt-variants';
import { RetrievalCache } from '../rec/retrieval-cache';
import { type EvaluationMetrics, type ModelMetrics, MODEL_IDS, PAPER_REFERENCE, renderResultsTable, writeReport } from '../report';
import { openCachedLanguageModel } from './llm-cache';
import { openPromptComponents } from './rec-components';
import { keptOf, recModelDir, sampleRows, scoringBackend } from './rec';

const VARIANT_MODELS: Readonly<Record<PromptVariantId, Pick<ModelMetrics, 'id' | 'label' | 'prompt' | 'retriever' | 'reranker'>>> = {
  basic: { id: MODEL_IDS.basicPrompt, label: 'LM with P^b (no CI, TALLRec-like)', prompt: 'basic' },
  cf: { id: MODEL_IDS.scoreCf, label: 'SCoRe-cf (CRM neighbours)', prompt: 'ci', retriever: 'cf', reranker: 'none' },
  base: { id: MODEL_IDS.scoreBase, label: 'SCoRe-base (untuned retriever)', prompt: 'ci', retriever: 'base', reranker: 'none' },
  car: { id: MODEL_IDS.scoreNoSare, label: 'CAR without SARE', prompt: 'ci', retriever: 'car', reranker: 'none' },
  score: { id: MODEL_IDS.score, label: 'SCoRe (CAR + SARE)', prompt: 'ci', retriever: 'car', reranker: 'sare' },
};

function ctrMetrics(rows: readonly Row[], scores: ArrayLike<number>) {
  const result = evaluateCtr({ userIds: rows.map((row) => row.userId), labels: rows.map((row) => row.label), scores });
  return { auc: result.auc, uauc: result.uauc, uaucUsers: result.uaucUsers, uaucSkipped: result.uaucSkipped, logLoss: result.logLoss };
}

async function scorePromptSet(context: StageContext, dataset: PreparedDataset, rows: readonly Row[], spec: ResolvedPromptSetSpec, lm: LanguageModel, components: Awaited<ReturnType<typeof openPromptComponents>>, cache: RetrievalCache) {
  const { rec } = context.config;
  // The in-process LM's prompts are trimmed to its token budget, as in training.
  const tokenizer = lm instanceof InProcessLanguageModel ? lm.tokenizer : undefined;
  const records = await buildPromptSet({
    dataset,
    rows,
    variant: spec.variant,
    retrievers: components.retrievers,
    reranker: components.reranker,
    retrieved: spec.retrieved,
    kept: spec.kept,
    maxHistoryItems: rec.maxHistoryItems,
    maxBehaviourItems: rec.maxBehaviourItems,
    ...(tokenizer ? { tokenBudget: { tokenizer, maxTokens: rec.maxPromptTokens } } : {}),
    snapshotTimes: components.snapshotTimes,
    cache,
    signal: context.signal,
    onProgress: context.onProgress,
    logger: context.logger,
  });
  const scores = await lm.scoreYesNo(records.map((record) => record.prompt), { signal: context.signal });
  return ctrMetrics(rows, scores.map((score) => score.probability));
}

/**
 * The eval stage: scores a seeded sample of the evaluated split with item popularity, MF, SASRec
 * and the LM of every prompt variant, runs the K_e and K_s sweeps with the full-SCoRe LM, and
 * writes metrics.json, report.md and report.html. Every number comes from this run.
 */
export async function evalStage(context: StageContext): Promise<StageResult> {
  const { eval: evaluation, rec, car, crm } = context.config;
  await initTensorflow({ logger: context.logger });
  const dataset = await loadDataset(context.stageDir('prepare'));
  const rows = sampleRows(dataset.split(evaluation.split), evaluation.maxRows, context.seed + 2);
  const models: ModelMetrics[] = [];
  models.push({ id: MODEL_IDS.popularity, label: 'Item popularity', family: 'baseline', prompt: 'none', ...ctrMetrics(rows, itemPopularityScores(dataset, rows)) });
  for (const model of ['mf', 'sasrec'] as const) {
    const dir = path.join(context.stageDir('crm'), model);
    if (!fs.existsSync(dir)) continue;
    const recommender = loadRecommender(dir);
    try {
      models.push({ id: model === 'mf' ? MODEL_IDS.mf : MODEL_IDS.sasrec, label: model === 'mf' ? 'MF' : 'SASRec', family: 'baseline', prompt: 'none', ...ctrMetrics(rows, recommender.scoreDatasetRows(dataset, rows)) });
    } finally {
      recommender.dispose();
    }
  }
  const kept = keptOf(context);
  const components = await openPromptComponents(context, dataset);
  const cache = new RetrievalCache();
  const backendSpec = scoringBackend(context);
  const backend = backendSpec ? await openCachedLanguageModel(backendSpec, context.runDir) : undefined;
  const checkpoint = typeof rec.model === 'string' ? undefined : rec.model;
  const openModel = async (variant: PromptVariantId): Promise<LanguageModel> =>
    backend ??
    (checkpoint
      ? await loadHuggingFaceRecLm({ dir: checkpoint.base, adapterDir: recModelDir(context.stageDir('rec'), variant), maxPromptTokens: rec.maxPromptTokens + 8 })
      : await loadHuggingFaceRecLm({ dir: recModelDir(context.stageDir('rec'), variant), maxPromptTokens: rec.maxPromptTokens + 8 }));
  const sweeps: { retrieved: { k: number; auc: number; uauc: number }[]; kept: { k: number; auc: number; uauc: number }[] } = { retrieved: [], kept: [] };
  try {
    const specs = evaluationPromptSets({ retrieved: car.retrieved, kept, retrievedSweep: evaluation.retrievedSweep, keptSweep: evaluation.keptSweep });
    for (const variant of rec.variants) {
      const lm = await openModel(variant);
      try {
        const main = specs.find((spec) => spec.variant === variant && (variant === 'basic' || (spec.retrieved === car.retrieved && spec.kept === kept)))!;
        const metrics = await scorePromptSet(context, dataset, rows, main, lm, components, cache);
        models.push({ ...VARIANT_MODELS[variant], family: 'llm', ...metrics });
        context.logger.info(`eval: ${VARIANT_MODELS[variant].label} AUC ${metrics.auc.toFixed(4)}, UAUC ${metrics.uauc.toFixed(4)}`);
        if (variant === 'score') {
          for (const spec of specs.filter((candidate) => candidate.variant === 'score')) {
            const point = spec === main ? metrics : await scorePromptSet(context, dataset, rows, spec, lm, components, cache);
            if (spec.kept === kept && evaluation.retrievedSweep.includes(spec.retrieved)) sweeps.retrieved.push({ k: spec.retrieved, auc: point.auc, uauc: point.uauc });
            if (spec.retrieved === car.retrieved && evaluation.keptSweep.includes(spec.kept)) sweeps.kept.push({ k: spec.kept, auc: point.auc, uauc: point.uauc });
          }
        }
      } finally {
        if (!backend) await lm.dispose();
      }
    }
  } finally {
    await components.dispose();
    await backend?.dispose();
  }
  sweeps.retrieved.sort((a, b) => a.k - b.k);
  sweeps.kept.sort((a, b) => a.k - b.k);
  const manifest = await readManifest(context.runDir);
  const stages = Object.entries(manifest?.stages ?? {}).map(([name, record]) => ({ name, seconds: record.seconds, status: 'done' as const }));
  const assessReport = manifest?.stages['assess']?.summary as { assessor?: { metadataFallback?: boolean; description?: string } } | undefined;
  const notes = [
    `Every model is scored on the same ${rows.length} ${evaluation.split} rows (a seeded sample of ${dataset.split(evaluation.split).length}).`,
    `Each prompt variant's LM is ${backendSpec ? `the backend ${backendSpec}, scoring only` : checkpoint ? `${checkpoint.base} with LoRA adapters (rank ${checkpoint.lora.rank}) tuned on ${rec.trainRows} sampled train rows` : `a small Llama-style model, pretrained from scratch on the train split's behaviour texts${rec.pretrainItemTexts ? ' and the catalogue\'s item texts' : ''} (${rec.pretrainEpochs} epochs) and then tuned on ${rec.trainRows} sampled train rows`}; the K_e and K_s sweeps score the full-SCoRe LM (tuned at K_e ${car.retrieved}, K_s ${kept}) with other K_e/K_s, without retraining.`,
    ...(assessReport?.assessor?.metadataFallback ? [`Self-assessments: ${assessReport.assessor.description}`] : []),
    `CRM: ${crm.model} (neighbours K_c ${crm.neighbours}); CAR encoder ${car.encoder}.`,
  ];
  const metrics: EvaluationMetrics = {
    formatVersion: 1,
    dataset: { name: dataset.name, domain: dataset.domain, statistics: computeStatistics(dataset) },
    split: evaluation.split,
    rows: rows.length,
    models,
    sweeps,
    stages,
    notes,
    paper: PAPER_REFERENCE,
    generatedAt: new Date().toISOString(),
    configHash: context.configHash,
  };
  await writeReport(context.outputDir, metrics);
  context.logger.info(`eval: metrics.json, report.md and report.html written to ${path.join(context.runDir, 'eval')}`);
  return { summary: { rows: rows.length, models: models.map((model) => ({ id: model.id, auc: model.auc, uauc: model.uauc })), table: renderResultsTable(metrics) } };
}
