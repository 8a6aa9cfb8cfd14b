import path from 'node:path';
import { type Dataset, InvalidOptionError, type Logger, type ProgressCallback, type RecommenderFitReport, type Row, type UserId, silentLogger, writeFileAtomicSync, checkInteger } from '@score/core';
import { loadDataset } from '@score/data';
import { evaluateCtr, uauc, auc } from '@score/metrics';
import { initTensorflow, writeSafetensors } from '@score/tfjs-runtime';
import type { EmbeddingRecommender } from './embedding-recommender';
import { itemPopularityScores } from './item-popularity';
import { createMatrixFactorization } from './matrix-factorization';
import { computeNeighbours } from './neighbours';
import { type CrmObjective, CRM_OBJECTIVES, type MatrixFactorizationOptions, type SasrecOptions } from './options';
import { createSasrec } from './sasrec';

/** Options of {@link runCrmStage}. */
export interface CrmStageOptions {
  /** Run folder holding a prepared dataset (`saveDataset`); outputs go to `<runDir>/crm/<model>/`. */
  readonly runDir: string;
  /** Folder `loadDataset` reads (the pipeline's `<run>/prepare`). @defaultValue runDir */
  readonly datasetDir?: string;
  /** Folder the model, embeddings, neighbours and metrics are written to. @defaultValue `<runDir>/crm/<model>` */
  readonly outputDir?: string;
  /** Which recommender to train. @defaultValue "sasrec" */
  readonly model?: 'sasrec' | 'mf';
  /** Training objective. @defaultValue the model's default, "ctr" */
  readonly objective?: CrmObjective;
  /** Most epochs. @defaultValue the model's default, 50 */
  readonly epochs?: number;
  /** Seed of initialisation and training. @defaultValue the model's default, 42 */
  readonly seed?: number;
  /** Collaborative neighbours saved per corpus user (K_c, method.md Eq. 4). @defaultValue 5 */
  readonly neighbours?: number;
  /** Further model options (hidden size, learning rate, ...); the fields above take precedence. @defaultValue the model's defaults */
  readonly modelOptions?: SasrecOptions | MatrixFactorizationOptions;
  readonly onProgress?: ProgressCallback;
  /** @defaultValue silent */
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** Figures of one split. */
export interface CrmSplitMetrics {
  readonly auc: number;
  /** CoLLM/BinLLM UAUC: unweighted mean of per-user AUCs. */
  readonly uauc: number;
  readonly uaucUsers: number;
  /** Users skipped by UAUC (a single row or a single class). */
  readonly uaucSkipped: number;
  readonly logLoss: number;
  readonly rows: number;
}

/** Figures of the popularity baseline on one split (a ranking, so no log loss). */
export interface PopularitySplitMetrics {
  readonly auc: number;
  readonly uauc: number;
  readonly uaucUsers: number;
  readonly uaucSkipped: number;
}

/** What {@link runCrmStage} returns (also written as `metrics.json`). */
export interface CrmStageResult {
  readonly model: 'sasrec' | 'mf';
  readonly objective: CrmObjective;
  /** `<runDir>/crm/<model>`. */
  readonly outputDir: string;
  readonly backend: string;
  readonly fit: RecommenderFitReport;
  readonly valid: CrmSplitMetrics;
  readonly test: CrmSplitMetrics;
  readonly popularity: { readonly valid: PopularitySplitMetrics; readonly test: PopularitySplitMetrics };
  /** Users with training interactions (rows of user-embeddings.safetensors). */
  readonly corpusUsers: number;
  /** Neighbours per corpus user in neighbours.json. */
  readonly neighbours: number;
}

/** One entry of neighbours.json. */
export interface NeighbourEntry {
  readonly userId: UserId;
  /** Inner product e_u . e_v. */
  readonly score: number;
}

/** Evaluates scores of labelled rows: AUC, UAUC (with skipped users) and log loss. */
export function evaluateRows(rows: readonly Row[], scores: Float32Array): CrmSplitMetrics {
  const result = evaluateCtr({ userIds: rows.map((row) => row.userId), labels: rows.map((row) => row.label), scores });
  return { auc: result.auc, uauc: result.uauc, uaucUsers: result.uaucUsers, uaucSkipped: result.uaucSkipped, logLoss: result.logLoss, rows: result.rows };
}

function popularityMetrics(dataset: Dataset, rows: readonly Row[]): PopularitySplitMetrics {
  const scores = itemPopularityScores(dataset, rows);
  const labels = rows.map((row) => row.label);
  const grouped = uauc(rows.map((row) => row.userId), labels, scores);
  return { auc: auc(labels, scores), uauc: grouped.value, uaucUsers: grouped.users, uaucSkipped: grouped.skipped };
}

/** Corpus users (those with train rows) and their train positives in order: H(u) of the corpus. */
export function corpusHistories(dataset: Dataset): { userIds: UserId[]; histories: string[][] } {
  const histories = new Map<UserId, string[]>();
  for (const row of dataset.split('train')) {
    let list = histories.get(row.userId);
    if (!list) histories.set(row.userId, (list = []));
    if (row.label === 1) list.push(row.itemId);
  }
  const userIds = dataset.users.filter((user) => histories.has(user));
  return { userIds, histories: userIds.map((user) => histories.get(user)!) };
}

/**
 * Stage 0 of SCoRe: loads the run's dataset, trains SASRec or MF on train with early stopping on
 * valid, evaluates valid and test (AUC, UAUC with skipped users, log loss) next to the item
 * popularity baseline, embeds the corpus users (their train positives) and finds their top-K_c
 * neighbours by inner product (method.md, Eq. 3-4). Writes to `<runDir>/crm/<model>/`, each file
 * atomically: config.json + model.safetensors, user-embeddings.safetensors (tensor "embeddings",
 * user ids in the metadata), neighbours.json and metrics.json.
 * @throws ArtifactNotFoundError when the run folder has no prepared dataset.
 */
export async function runCrmStage(options: CrmStageOptions): Promise<CrmStageResult> {
  if (!options || typeof options.runDir !== 'string' || options.runDir === '') {
    throw new InvalidOptionError('runDir', 'must be the path of a run folder with a prepared dataset.', options?.runDir);
  }
  const modelName = options.model ?? 'sasrec';
  if (modelName !== 'sasrec' && modelName !== 'mf') throw new InvalidOptionError('model', `must be "sasrec" or "mf", got ${JSON.stringify(modelName)}.`, modelName);
  if (options.objective !== undefined && !CRM_OBJECTIVES.includes(options.objective)) {
    throw new InvalidOptionError('objective', `must be one of ${CRM_OBJECTIVES.join(', ')}, got ${JSON.stringify(options.objective)}.`, options.objective);
  }
  const k = options.neighbours ?? 5;
  checkInteger('neighbours', k, 1);
  const logger = options.logger ?? silentLogger;
  const dataset = await loadDataset(options.datasetDir ?? options.runDir);
  const runtime = await initTensorflow({ logger });
  const overrides = {
    ...(options.modelOptions ?? {}),
    ...(options.objective !== undefined ? { objective: options.objective } : {}),
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };
  const model: EmbeddingRecommender = modelName === 'sasrec' ? createSasrec(overrides as SasrecOptions) : createMatrixFactorization(overrides as MatrixFactorizationOptions);
  try {
    logger.info(`Training ${modelName} on ${dataset.split('train').length} train rows of ${dataset.name}.`);
    const fit = await model.fit(dataset, { onProgress: options.onProgress, logger, signal: options.signal });
    const validRows = dataset.split('valid');
    const testRows = dataset.split('test');
    const valid = evaluateRows(validRows, model.scoreDatasetRows(dataset, validRows));
    const test = evaluateRows(testRows, model.scoreDatasetRows(dataset, testRows));
    const popularity = { valid: popularityMetrics(dataset, validRows), test: popularityMetrics(dataset, testRows) };
    logger.info(`${modelName} test AUC ${test.auc.toFixed(4)}, UAUC ${test.uauc.toFixed(4)} (${test.uaucSkipped} users skipped), log loss ${test.logLoss.toFixed(4)}; popularity AUC ${popularity.test.auc.toFixed(4)}.`);

    const outputDir = options.outputDir ?? path.join(options.runDir, 'crm', modelName);
    await model.save(outputDir);
    const corpus = corpusHistories(dataset);
    const embeddings = await model.userEmbeddings(corpus.histories.map((history, i) => ({ history, userId: corpus.userIds[i] })));
    writeSafetensors(path.join(outputDir, 'user-embeddings.safetensors'), [{ name: 'embeddings', shape: [embeddings.rows, embeddings.cols], data: embeddings.data }], {
      model: modelName,
      user_ids: JSON.stringify(corpus.userIds),
    });
    options.onProgress?.({ task: 'crm.neighbours', done: 0, total: corpus.userIds.length, unit: 'users' });
    const lists = computeNeighbours(embeddings, { k, excludeSelf: true });
    const neighbours: Record<UserId, NeighbourEntry[]> = {};
    corpus.userIds.forEach((user, r) => {
      const entries: NeighbourEntry[] = [];
      for (let j = 0; j < lists.k; j++) entries.push({ userId: corpus.userIds[lists.indices[r * lists.k + j]!]!, score: lists.scores[r * lists.k + j]! });
      neighbours[user] = entries;
    });
    writeFileAtomicSync(path.join(outputDir, 'neighbours.json'), `${JSON.stringify({ model: modelName, k: lists.k, metric: 'inner-product', neighbours })}\n`);
    options.onProgress?.({ task: 'crm.neighbours', done: corpus.userIds.length, total: corpus.userIds.length, unit: 'users', finished: true });
    const objective = model.objective;
    const result: CrmStageResult = { model: modelName, objective, outputDir, backend: runtime.backend, fit, valid, test, popularity, corpusUsers: corpus.userIds.length, neighbours: lists.k };
    writeFileAtomicSync(path.join(outputDir, 'metrics.json'), `${JSON.stringify(result, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`);
    return result;
  } finally {
    model.dispose();
  }
}
