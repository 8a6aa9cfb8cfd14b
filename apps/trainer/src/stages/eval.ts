import fs from 'node:fs';
import path from 'node:path';
import type { LanguageModel, Row } from '@score/core';
import { itemPopularityScores, loadRecommender } from '@score/crm-sasrec';
import { computeStatistics, loadDataset, type PreparedDataset } from '@score/data';
import { type BootstrapEstimate, evaluateCtr, pairedUserBootstrap } from '@score/metrics';
import { hasVariantPlaceholder, llmSpecForVariant } from '@score/llm-clients';
import { InProcessLanguageModel } from '@score/rec-lm';
import { initTensorflow } from '@score/tfjs-runtime';
import type { StageContext, StageResult } from '../pipeline/stage';
import { readManifest } from '../pipeline/manifest';
import { repeatedStages, runSeeds, SEEDS_FOLDER, seedStageName } from '../pipeline/seed-stages';
import { STAGE_DEFINITIONS } from '../pipeline/stage-definitions';
import { STAGE_NAMES } from '../pipeline/stage';
import { buildPromptSet, evaluationPromptSets, type PromptVariantId, type ResolvedPromptSetSpec, RetrievalCache } from '@score/prompt-kit';
import { fallbackRate, type FallbackRate } from '../rec/fallback-rates';
import {
  type BootstrapSettings,
  type EvaluationMetrics,
  type Interval,
  METRICS_FILE,
  type ModelDifference,
  type ModelMetrics,
  MODEL_IDS,
  PAPER_REFERENCE,
  readEvaluationMetrics,
  renderResultsTable,
  type SeedRun,
  type SeedRuns,
  type SweepPoint,
  withSeedSpread,
  seedRunOf,
  writeReport,
} from '../report';
import { PhaseClock } from './eval-phases';
import { openCachedLanguageModel } from './llm-cache';
import { openPromptComponents, type PromptComponents } from './rec-components';
import { keptOf, recModelDir, retrainedSweepSpecs, sampleRows, scoringBackend, sweepModelDir } from './rec';
import { scoreZeroShot, zeroShotDifferences, zeroShotSpec } from './zero-shot';
import { externalAdapterDir } from './external-adapters';
import { openEvalLm } from './eval-lm';

const VARIANT_MODELS: Readonly<Record<PromptVariantId, Pick<ModelMetrics, 'id' | 'label' | 'prompt' | 'retriever' | 'reranker'>>> = {
  basic: { id: MODEL_IDS.basicPrompt, label: 'LM with P^b (no CI, TALLRec-like)', prompt: 'basic' },
  cf: { id: MODEL_IDS.scoreCf, label: 'SCoRe-cf (CRM neighbours)', prompt: 'ci', retriever: 'cf', reranker: 'none' },
  base: { id: MODEL_IDS.scoreBase, label: 'SCoRe-base (untuned retriever)', prompt: 'ci', retriever: 'base', reranker: 'none' },
  car: { id: MODEL_IDS.scoreNoSare, label: 'CAR without SARE', prompt: 'ci', retriever: 'car', reranker: 'none' },
  score: { id: MODEL_IDS.score, label: 'SCoRe (CAR + SARE)', prompt: 'ci', retriever: 'car', reranker: 'sare' },
};

/** A variant's report row; SCoRe-cf's label names how it picked its users (`car.cfRetrieval`). */
function variantModel(variant: PromptVariantId, cfRetrieval: 'embedding' | 'neighbours'): (typeof VARIANT_MODELS)[PromptVariantId] {
  const model = VARIANT_MODELS[variant];
  return variant === 'cf' && cfRetrieval === 'embedding' ? { ...model, label: 'SCoRe-cf (CRM embeddings)' } : model;
}

function ctrMetrics(rows: readonly Row[], scores: ArrayLike<number>) {
  const result = evaluateCtr({ userIds: rows.map((row) => row.userId), labels: rows.map((row) => row.label), scores });
  return { auc: result.auc, uauc: result.uauc, uaucUsers: result.uaucUsers, uaucSkipped: result.uaucSkipped, logLoss: result.logLoss };
}

async function scorePromptSet(context: StageContext, dataset: PreparedDataset, rows: readonly Row[], spec: ResolvedPromptSetSpec, lm: LanguageModel, components: PromptComponents, cache: RetrievalCache, clock: PhaseClock) {
  const { rec } = context.config;
  // The in-process LM's prompts are trimmed to its token budget, as in training.
  const tokenizer = lm instanceof InProcessLanguageModel ? lm.tokenizer : undefined;
  // Prompt building is timed net of the retrieval and reranking nested in it.
  const started = performance.now();
  const nested = clock.seconds('retrieval') + clock.seconds('reranking');
  const records = await buildPromptSet({
    dataset,
    rows,
    variant: spec.variant,
    retrievers: components.retrievers,
    reranker: components.reranker,
    retrieved: spec.retrieved,
    // CAR rows are retrieved once at the largest K_e of the run and every K_e takes a prefix (exact search; see retrievedMax).
    // SARE scores each candidate on its own (Eq. 10): a row is reranked once over the largest K_e and each K_e keeps its own candidates' order.
    ...(spec.variant === 'car' || spec.variant === 'score' ? { retrievedMax: Math.max(spec.retrieved, context.config.car.retrieved, ...context.config.eval.retrievedSweep), pointwiseReranker: true } : {}),
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
  clock.add('prompts', (performance.now() - started) / 1000 - (clock.seconds('retrieval') + clock.seconds('reranking') - nested));
  const scores = await clock.time('scoring', async () => (await lm.scoreYesNo(records.map((record) => record.prompt), { signal: context.signal })).map((score) => score.probability));
  return clock.time('metrics', () => ({ ...ctrMetrics(rows, scores), scores, fallback: fallbackRate(spec.variant, context.config.eval.split, rows, records, components.snapshotTimes) }));
}

/** Id of a sweep point's scores in the bootstrap (not a model of the results table). */
function sweepId(kind: 'retrieved' | 'kept', k: number): string {
  return `sweep:${kind}:${k}`;
}

function intervalOf(estimate: BootstrapEstimate): Interval | undefined {
  return Number.isFinite(estimate.lower) && Number.isFinite(estimate.upper) ? { lower: estimate.lower, upper: estimate.upper } : undefined;
}

/** Number with thousands separators, as in "1,000 of 2,871". */
function count(value: number): string {
  return value.toLocaleString('en-US');
}

/**
 * Adds the paired bootstrap over users to the models and sweep points: per model a percentile
 * interval of AUC and UAUC, per LM row its difference to P^b and to full SCoRe (the same resampled
 * users for every model, method.md "Evaluation").
 */
function withIntervals(
  rows: readonly Row[],
  models: readonly ModelMetrics[],
  scores: ReadonlyMap<string, readonly number[]>,
  sweeps: { retrieved: SweepPoint[]; kept: SweepPoint[] },
  options: { samples: number; confidence: number; seed: number },
): { models: ModelMetrics[]; sweeps: { retrieved: SweepPoint[]; kept: SweepPoint[] }; bootstrap: BootstrapSettings } {
  const ids = [...scores.keys()];
  const references = [MODEL_IDS.basicPrompt, MODEL_IDS.score].filter((id) => scores.has(id));
  const differences = models
    .filter((model) => model.family === 'llm')
    .flatMap((model): (readonly [string, string])[] => references.filter((reference) => reference !== model.id).map((reference) => [model.id, reference] as const))
    .concat(zeroShotDifferences(models));
  const result = pairedUserBootstrap(
    { userIds: rows.map((row) => row.userId), labels: rows.map((row) => row.label), models: ids.map((id) => ({ id, scores: scores.get(id)! })), differences },
    options,
  );
  const byId = new Map(result.models.map((model) => [model.id, model]));
  const intervals = (id: string) => {
    const found = byId.get(id);
    if (found === undefined) return {};
    const auc = intervalOf(found.auc);
    const uauc = intervalOf(found.uauc);
    return { ...(auc ? { aucInterval: auc } : {}), ...(uauc ? { uaucInterval: uauc } : {}) };
  };
  const withModels = models.map((model) => {
    const own = result.differences
      .filter((difference) => difference.model === model.id)
      .flatMap((difference): ModelDifference[] => {
        const auc = intervalOf(difference.auc);
        const uauc = intervalOf(difference.uauc);
        return auc && uauc ? [{ reference: difference.reference, auc: difference.auc.value, aucInterval: auc, uauc: difference.uauc.value, uaucInterval: uauc }] : [];
      });
    return { ...model, ...intervals(model.id), ...(own.length > 0 ? { differences: own } : {}) };
  });
  return {
    models: withModels,
    sweeps: {
      retrieved: sweeps.retrieved.map((point) => ({ ...point, ...intervals(sweepId('retrieved', point.k)) })),
      kept: sweeps.kept.map((point) => ({ ...point, ...intervals(sweepId('kept', point.k)) })),
    },
    bootstrap: { unit: 'user', paired: true, samples: result.samples, confidence: result.confidence, seed: result.seed, users: result.users },
  };
}

/**
 * With `run.seeds`, the eval of `run.seed` gathers the metrics.json of every other seed's eval
 * (`seeds/<seed>/eval`) and adds each model's mean and standard deviation over the seeds.
 */
async function withSeeds(context: StageContext, models: ModelMetrics[]): Promise<{ models: ModelMetrics[]; seeds?: SeedRuns }> {
  const seeds = runSeeds(context.config);
  if (seeds.length <= 1 || context.seed !== context.config.run.seed) return { models };
  const runs: SeedRun[] = [seedRunOf(context.seed, models)];
  for (const seed of seeds.slice(1)) {
    const other = await readEvaluationMetrics(path.join(context.stageDir(seedStageName(context.config, 'eval', seed)), METRICS_FILE));
    runs.push(seedRunOf(seed, other.models));
  }
  const spread = withSeedSpread(models, runs);
  const stages = repeatedStages(context.config, STAGE_NAMES.map((name) => ({ name, ...STAGE_DEFINITIONS[name] })));
  return { models: spread, seeds: { seeds, stages, runs } };
}

/** The K_e and K_s sweep points of full SCoRe. */
interface Sweeps {
  retrieved: SweepPoint[];
  kept: SweepPoint[];
}

/** What the eval stage's scoring steps share: the rows, the prompt components and what they collect. */
interface EvalRun {
  readonly context: StageContext;
  readonly dataset: PreparedDataset;
  /** The evaluated rows (every model scores the same ones). */
  readonly rows: readonly Row[];
  readonly components: PromptComponents;
  readonly cache: RetrievalCache;
  readonly clock: PhaseClock;
  /** Scores by model id and sweep point id ({@link sweepId}), for the bootstrap. */
  readonly scores: Map<string, readonly number[]>;
  /** The results table's rows, in order. */
  readonly models: ModelMetrics[];
  /** Retrieval fallback to P^b of the evaluated split, per variant. */
  readonly fallback: FallbackRate[];
}

/** Scores the rows' prompts of one prompt set with `lm` (see {@link scorePromptSet}). */
function scoreSpec(run: EvalRun, spec: ResolvedPromptSetSpec, lm: LanguageModel) {
  return scorePromptSet(run.context, run.dataset, run.rows, spec, lm, run.components, run.cache, run.clock);
}

/** Scores the rows with item popularity and, where the crm stage trained them, MF and SASRec; adds them to `run`'s scores and models. */
function scoreBaselines(run: Pick<EvalRun, 'context' | 'dataset' | 'rows' | 'scores' | 'models'>): void {
  const { context, dataset, rows } = run;
  const popularity = Array.from(itemPopularityScores(dataset, rows));
  run.scores.set(MODEL_IDS.popularity, popularity);
  run.models.push({ id: MODEL_IDS.popularity, label: 'Item popularity', family: 'baseline', prompt: 'none', ...ctrMetrics(rows, popularity) });
  for (const model of ['mf', 'sasrec'] as const) {
    const dir = path.join(context.stageDir('crm'), model);
    if (!fs.existsSync(dir)) continue;
    const recommender = loadRecommender(dir);
    try {
      const id = model === 'mf' ? MODEL_IDS.mf : MODEL_IDS.sasrec;
      const modelScores = Array.from(recommender.scoreDatasetRows(dataset, rows));
      run.scores.set(id, modelScores);
      run.models.push({ id, label: model === 'mf' ? 'MF' : 'SASRec', family: 'baseline', prompt: 'none', ...ctrMetrics(rows, modelScores) });
    } finally {
      recommender.dispose();
    }
  }
}

/** The prompt components with timed views of the retrievers and SARE (the phase breakdown in the summary); dispose closes the real ones. */
async function openTimedComponents(context: StageContext, dataset: PreparedDataset, clock: PhaseClock): Promise<PromptComponents> {
  // CAR's and SARE's encoders run on eval.scoreWorkers threads, as the LM scoring (same embeddings).
  const opened = await openPromptComponents(context, dataset, { encoderThreads: context.config.eval.scoreWorkers });
  return {
    ...opened,
    retrievers: { car: clock.retriever(opened.retrievers.car), base: clock.retriever(opened.retrievers.base), cf: clock.retriever(opened.retrievers.cf) },
    reranker: clock.reranker(opened.reranker),
    dispose: () => opened.dispose(),
  };
}

/** How the eval stage opens the LM of each variant and of each retrained sweep point. */
interface EvalLms {
  /** The one backend every variant scores with (a backend spec without `{variant}`); the caller disposes it. */
  readonly backend: LanguageModel | undefined;
  /** Opens the LM tuned in `dir` (a from-scratch checkpoint or LoRA adapters on `rec.model.base`). */
  openDir(dir: string): Promise<LanguageModel>;
  /** Opens a variant's LM: the backend, the variant's own backend model, or the LM the rec stage tuned (or an external adapter). */
  openModel(variant: PromptVariantId): Promise<LanguageModel>;
}

/** Opens the backend of a scoring-only `rec.model` (once, unless its spec names one model per variant) and returns the openers. */
async function openEvalLms(context: StageContext): Promise<EvalLms> {
  const backendSpec = scoringBackend(context);
  // A spec with {variant} (vllm:URL#score-{variant}) names one model per variant: one LoRA adapter each on one server.
  const perVariant = backendSpec !== undefined && hasVariantPlaceholder(backendSpec);
  const backend = backendSpec && !perVariant ? await openCachedLanguageModel(backendSpec, context.runDir) : undefined;
  // eval.scoreWorkers threads score each prompt set's batches (eval-lm.ts).
  const openDir = (dir: string): Promise<LanguageModel> => openEvalLm(context, dir);
  const openModel = async (variant: PromptVariantId): Promise<LanguageModel> =>
    backend ??
    (perVariant ? await openCachedLanguageModel(llmSpecForVariant(backendSpec!, variant), context.runDir) : await openDir(externalAdapterDir(context, variant) ?? recModelDir(context.stageDir('rec'), variant)));
  return { backend, openDir, openModel };
}

/**
 * The K_e and K_s sweeps of full SCoRe: scores every `score` prompt set with the LM tuned at that
 * point (`eval.retrainSweeps`), else with `lm` (tuned at the main point, whose figures `mainPoint`
 * already holds); adds the points to `sweeps` and their scores to the run's.
 */
async function scoreSweeps(run: EvalRun, specs: readonly ResolvedPromptSetSpec[], main: ResolvedPromptSetSpec, mainPoint: { auc: number; uauc: number; scores: readonly number[] }, lm: LanguageModel, lms: EvalLms, sweeps: Sweeps): Promise<void> {
  const { context } = run;
  const { eval: evaluation, car } = context.config;
  const kept = keptOf(context);
  const retrainedSweeps = retrainedSweepSpecs(context);
  for (const spec of specs.filter((candidate) => candidate.variant === 'score')) {
    let point: { auc: number; uauc: number; scores: readonly number[] };
    if (spec === main) point = mainPoint;
    else if (retrainedSweeps.some((candidate) => candidate.retrieved === spec.retrieved && candidate.kept === spec.kept)) {
      // eval.retrainSweeps: the LM tuned at this very point (rec/models/score-k<K_e>-s<K_s>).
      const pointLm = await lms.openDir(externalAdapterDir(context, path.basename(sweepModelDir(context.stageDir('rec'), spec))) ?? sweepModelDir(context.stageDir('rec'), spec));
      try {
        point = await scoreSpec(run, spec, pointLm);
      } finally {
        await pointLm.dispose();
      }
    } else point = await scoreSpec(run, spec, lm);
    if (spec.kept === kept && evaluation.retrievedSweep.includes(spec.retrieved)) {
      sweeps.retrieved.push({ k: spec.retrieved, auc: point.auc, uauc: point.uauc });
      run.scores.set(sweepId('retrieved', spec.retrieved), point.scores);
    }
    if (spec.retrieved === car.retrieved && evaluation.keptSweep.includes(spec.kept)) {
      sweeps.kept.push({ k: spec.kept, auc: point.auc, uauc: point.uauc });
      run.scores.set(sweepId('kept', spec.kept), point.scores);
    }
  }
}

/**
 * Scores the LM of every prompt variant on its main prompt set (K_e `car.retrieved`, K_s), the
 * full-SCoRe sweeps, and (`eval.zeroShot`) the untuned LLM; closes the components and the backend.
 */
async function scoreLms(run: EvalRun, sweeps: Sweeps): Promise<void> {
  const { context } = run;
  const { eval: evaluation, rec, car } = context.config;
  const kept = keptOf(context);
  let lms: EvalLms | undefined;
  try {
    lms = await openEvalLms(context);
    const { backend } = lms;
    const specs = evaluationPromptSets({ retrieved: car.retrieved, kept, retrievedSweep: evaluation.retrievedSweep, keptSweep: evaluation.keptSweep });
    const mainSpec = (variant: PromptVariantId) => specs.find((spec) => spec.variant === variant && (variant === 'basic' || (spec.retrieved === car.retrieved && spec.kept === kept)))!;
    for (const variant of rec.variants) {
      const lm = await lms.openModel(variant);
      try {
        const main = mainSpec(variant);
        const { scores: variantScores, fallback, ...metrics } = await scoreSpec(run, main, lm);
        if (fallback) run.fallback.push(fallback);
        const model = variantModel(variant, car.cfRetrieval);
        run.scores.set(model.id, variantScores);
        run.models.push({ ...model, family: 'llm', ...metrics });
        context.logger.info(`eval: ${model.label} AUC ${metrics.auc.toFixed(4)}, UAUC ${metrics.uauc.toFixed(4)}`);
        if (variant === 'score') await scoreSweeps(run, specs, main, { ...metrics, scores: variantScores }, lm, lms, sweeps);
      } finally {
        if (!backend) await lm.dispose();
      }
    }
    // eval.zeroShot: the pretrained LLM scores the same rows' prompts without tuning.
    for (const row of await scoreZeroShot(context, { mainSpec, score: async (spec, lm) => (({ fallback: _fallback, ...rest }) => rest)(await scoreSpec(run, spec, lm)) })) {
      run.scores.set(row.model.id, row.scores);
      run.models.push(row.model);
    }
  } finally {
    await run.components.dispose();
    await lms?.backend?.dispose();
  }
}

/** The report's notes: which rows were scored, how the intervals were made, which LMs and sweeps, and the run's settings. */
function evaluationNotes(
  context: StageContext,
  facts: { rows: number; splitRows: number; users: number; seedStages: readonly string[] | undefined; trainSplit: number; lmTrainRows: { rows: number; of: number } | undefined; retrained: boolean; assessor: { metadataFallback?: boolean; description?: string } | undefined },
): string[] {
  const { eval: evaluation, rec, car, crm } = context.config;
  const kept = keptOf(context);
  const backendSpec = scoringBackend(context);
  const checkpoint = typeof rec.model === 'string' ? undefined : rec.model;
  const { trainSplit, lmTrainRows } = facts;
  const seedText = runSeeds(context.config).length > 1 ? ` Seeds ${runSeeds(context.config).join(', ')} (each repeats ${facts.seedStages?.join(', ') ?? 'rec, eval'}); the figures are those of seed ${context.config.run.seed}, with the mean and standard deviation over the seeds beside them.` : ` Seed ${context.seed}.`;
  return [
    facts.rows < facts.splitRows
      ? `Every model is scored on the same ${count(facts.rows)} of ${count(facts.splitRows)} ${evaluation.split} rows (a seeded sample, eval.maxRows); the intervals describe these rows.${seedText}`
      : `Every model is scored on all ${count(facts.rows)} ${evaluation.split} rows.${seedText}`,
    `Intervals: ${Math.round(evaluation.confidence * 100)}% percentile intervals of a paired bootstrap over the ${count(facts.users)} users of the scored rows (${count(evaluation.bootstrapSamples)} resamples, seed ${context.config.run.seed}; the same resampled users for every model). A difference between two models is real only when its interval excludes zero.`,
    `Each prompt variant's LM is ${backendSpec ? `the backend ${backendSpec}, scoring only` : checkpoint ? `${checkpoint.base} with LoRA adapters (rank ${checkpoint.lora.rank}) tuned on ${count(Math.min(rec.trainRows, trainSplit))} sampled train rows` : `a small Llama-style model, pretrained from scratch on the train split's behaviour texts${rec.pretrainItemTexts ? ' and the catalogue\'s item texts' : ''} (${rec.pretrainEpochs} epochs) and then tuned on ${count(Math.min(rec.trainRows, trainSplit))} sampled train rows`}.`,
    ...(lmTrainRows ? [`The LMs were tuned on ${count(lmTrainRows.rows)} of the ${count(lmTrainRows.of)} train rows (rec.trainRows, a seeded sample); the paper tunes on the whole train split.`] : []),
    facts.retrained
      ? `The K_e and K_s sweeps tune a full-SCoRe LM at every point (eval.retrainSweeps), as the paper does.`
      : `The K_e and K_s sweeps are scored without retraining: the full-SCoRe LM tuned at K_e ${car.retrieved}, K_s ${kept} scores every point (eval.retrainSweeps is off; the paper retrains).`,
    ...(facts.assessor?.metadataFallback ? [`Self-assessments: ${facts.assessor.description}`] : []),
    `CRM: ${crm.model} (neighbours K_c ${crm.neighbours}); CAR encoder ${car.encoder}.`,
    ...(evaluation.zeroShot
      ? [
          evaluation.zeroShot.llm === 'rec'
            ? `Zero-shot rows: ${zeroShotSpec(context.config)}, rec.model's base without any adapter and scored in process like the tuned variants${evaluation.zeroShot.answers === undefined ? '' : ` on the answer tokens ${JSON.stringify(evaluation.zeroShot.answers.yes)} and ${JSON.stringify(evaluation.zeroShot.answers.no)} (eval.zeroShot.answers)`}, scores the same rows' prompts without any tuning (eval.zeroShot), the paper's starting point.`
            : `Zero-shot rows: ${evaluation.zeroShot.llm} scores the same rows' prompts without any tuning (eval.zeroShot), the paper's starting point.`,
        ]
      : []),
  ];
}

/** Retrieval fallback to P^b: train and valid from the rec stage's rec.json, the evaluated split's (`evalFallback`) after them. */
function retrievalFallbacks(context: StageContext, evalFallback: readonly FallbackRate[]): FallbackRate[] {
  const recSummary = path.join(context.stageDir('rec'), 'rec.json');
  const recFallback = fs.existsSync(recSummary) ? ((JSON.parse(fs.readFileSync(recSummary, 'utf8')) as { retrievalFallback?: FallbackRate[] }).retrievalFallback ?? []) : [];
  return [...recFallback, ...evalFallback];
}

/**
 * The eval stage: scores the evaluated split (every row unless `eval.maxRows` asks for a seeded
 * sample) with item popularity, MF, SASRec and the LM of every prompt variant, runs the K_e and K_s
 * sweeps with full SCoRe (an LM tuned at each point with `eval.retrainSweeps`, else the LM tuned at
 * the main point), adds the paired bootstrap over users (intervals and differences), gathers the
 * other seeds' results with `run.seeds`, and writes metrics.json, report.md and report.html. Every
 * number comes from this run.
 */
export async function evalStage(context: StageContext): Promise<StageResult> {
  const { eval: evaluation, rec } = context.config;
  await initTensorflow({ logger: context.logger });
  const dataset = await loadDataset(context.stageDir('prepare'));
  const split = dataset.split(evaluation.split);
  // The same rows for every model and every seed: the sample (if any) is drawn with run.seed.
  const rows = evaluation.maxRows === undefined ? [...split] : sampleRows(split, evaluation.maxRows, context.config.run.seed + 2);
  const scored = { context, dataset, rows, scores: new Map<string, readonly number[]>(), models: [] as ModelMetrics[] };
  // The baselines are scored before the prompt components are opened.
  scoreBaselines(scored);
  const clock = new PhaseClock();
  const run: EvalRun = { ...scored, clock, components: await openTimedComponents(context, dataset, clock), cache: new RetrievalCache(), fallback: [] };
  const backendSpec = scoringBackend(context);
  // Same condition as retrainedSweepSpecs: the sweeps are retrained whenever the rec stage tuned the sweep LMs.
  const retrained = evaluation.retrainSweeps && !backendSpec && rec.variants.includes('score');
  const sweeps: Sweeps = { retrieved: [], kept: [] };
  await scoreLms(run, sweeps);
  sweeps.retrieved.sort((a, b) => a.k - b.k);
  sweeps.kept.sort((a, b) => a.k - b.k);
  const bootstrapped = await clock.time('metrics', () => withIntervals(rows, run.models, run.scores, sweeps, { samples: evaluation.bootstrapSamples, confidence: evaluation.confidence, seed: context.config.run.seed }));
  const seeded = await withSeeds(context, bootstrapped.models);
  const manifest = await readManifest(context.runDir);
  const stages = Object.entries(manifest?.stages ?? {})
    .filter(([name]) => !name.startsWith(`${SEEDS_FOLDER}/`))
    .map(([name, record]) => ({ name, seconds: record.seconds, status: 'done' as const }));
  const retrievalFallback = retrievalFallbacks(context, run.fallback);
  const assessReport = manifest?.stages['assess']?.summary as { assessor?: { metadataFallback?: boolean; description?: string } } | undefined;
  const trainSplit = dataset.split('train').length;
  const lmTrainRows = !backendSpec && rec.trainRows < trainSplit ? { rows: rec.trainRows, of: trainSplit } : undefined;
  const notes = evaluationNotes(context, { rows: rows.length, splitRows: split.length, users: bootstrapped.bootstrap.users, seedStages: seeded.seeds?.stages, trainSplit, lmTrainRows, retrained, assessor: assessReport?.assessor });
  const metrics: EvaluationMetrics = {
    formatVersion: 1,
    dataset: { name: dataset.name, domain: dataset.domain, statistics: computeStatistics(dataset) },
    split: evaluation.split,
    rows: rows.length,
    splitRows: split.length,
    ...(lmTrainRows ? { trainRows: lmTrainRows } : {}),
    bootstrap: bootstrapped.bootstrap,
    ...(seeded.seeds ? { seeds: seeded.seeds } : {}),
    models: seeded.models,
    sweeps: { ...bootstrapped.sweeps, retrained },
    stages,
    notes,
    ...(retrievalFallback.length > 0 ? { retrievalFallback } : {}),
    paper: PAPER_REFERENCE,
    generatedAt: new Date().toISOString(),
    configHash: context.configHash,
  };
  await writeReport(context.outputDir, metrics);
  context.logger.info(`eval: metrics.json, report.md and report.html written to ${path.join(context.runDir, context.name)}`);
  const phases = clock.snapshot();
  context.logger.info(`eval: phases (s) retrieval ${phases.retrieval}, reranking ${phases.reranking}, prompts ${phases.prompts}, LM scoring ${phases.scoring}, metrics ${phases.metrics}`);
  return { summary: { rows: rows.length, splitRows: split.length, phases, models: metrics.models.map((model) => ({ id: model.id, auc: model.auc, uauc: model.uauc })), table: renderResultsTable(metrics) } };
}
