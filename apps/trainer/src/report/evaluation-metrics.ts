import type { DatasetStatistics, Domain } from '@score/core';
import type { PaperReference } from './paper-reference';

/** Version of the layout of metrics.json. */
export const EVALUATION_METRICS_FORMAT_VERSION = 1;

/** Name of the metrics file in the eval folder of a run. */
export const METRICS_FILE = 'metrics.json';

/** A two-sided confidence interval. */
export interface Interval {
  /** Lower bound. */
  readonly lower: number;
  /** Upper bound. */
  readonly upper: number;
}

/** The figures of one scored model on the evaluated split. */
export interface ModelMetrics {
  /** Stable id, e.g. "score" or "sasrec" (see `MODEL_IDS`). */
  readonly id: string;
  /** Name shown in tables and charts, e.g. "SCoRe (CAR + SARE)". */
  readonly label: string;
  /** A conventional recommender, or the language model with some prompt. */
  readonly family: 'baseline' | 'llm';
  /** The prompt: none for baselines, P^b ("basic") or P^s ("ci"). */
  readonly prompt: 'none' | 'basic' | 'ci';
  /** Where the similar users of P^s came from: CRM neighbours, the untuned retriever, or CAR. */
  readonly retriever?: 'cf' | 'base' | 'car';
  /** Whether SARE reranked the retrieved users. */
  readonly reranker?: 'sare' | 'none';
  /** AUC over every row of the split. */
  readonly auc: number;
  /** Unweighted mean over users of the per-user AUC, users with one class skipped (method.md, Metrics). */
  readonly uauc: number;
  /** Users that entered the UAUC mean. */
  readonly uaucUsers: number;
  /** Users skipped by UAUC because their rows hold one class only. */
  readonly uaucSkipped: number;
  /** Mean binary cross-entropy of the predicted probabilities. */
  readonly logLoss: number;
  /** Bootstrap confidence interval of the AUC, when computed. */
  readonly aucInterval?: Interval;
}

/** One point of a sensitivity sweep (Fig. 4). */
export interface SweepPoint {
  /** The swept value (K_e or K_s). */
  readonly k: number;
  /** AUC of full SCoRe at this K. */
  readonly auc: number;
  /** UAUC of full SCoRe at this K. */
  readonly uauc: number;
}

/** The sensitivity sweeps of Fig. 4, each scoring full SCoRe with one K changed. */
export interface Sweeps {
  /** K_e: users retrieved by CAR before reranking. */
  readonly retrieved: readonly SweepPoint[];
  /** K_s: users kept after SARE and written into P^s. */
  readonly kept: readonly SweepPoint[];
}

/** The wall time of one pipeline stage. */
export interface StageTiming {
  /** Stage name, e.g. "crm" or "assess". */
  readonly name: string;
  /** Wall time in seconds (0 when the stage was skipped). */
  readonly seconds: number;
  /** "done" when it ran in this invocation, "skipped" when it was reused from an earlier one, "failed". */
  readonly status: 'done' | 'skipped' | 'failed';
}

/** The evaluated dataset. */
export interface EvaluatedDataset {
  /** Dataset name, e.g. "ml-1m" or "synthetic". */
  readonly name: string;
  /** Domain, which picks the nouns of the prompts ("movies", "games", ...). */
  readonly domain: Domain;
  /** Table 1 counts of the prepared dataset. */
  readonly statistics: DatasetStatistics;
}

/** The contents of metrics.json: every figure of an evaluation, from one run. */
export interface EvaluationMetrics {
  /** Layout version ({@link EVALUATION_METRICS_FORMAT_VERSION}). */
  readonly formatVersion: number;
  /** The evaluated dataset and its statistics. */
  readonly dataset: EvaluatedDataset;
  /** The split scored. */
  readonly split: 'valid' | 'test';
  /** Rows scored per model. */
  readonly rows: number;
  /** Every scored model, in the order tables show them. */
  readonly models: readonly ModelMetrics[];
  /** The K_e and K_s sweeps of Fig. 4 (empty arrays when not run). */
  readonly sweeps: Sweeps;
  /** Wall times of the stages, in pipeline order. */
  readonly stages: readonly StageTiming[];
  /** Caveats a reader must know, e.g. "assessments by the metadata fallback, not an LLM". */
  readonly notes: readonly string[];
  /** The paper's numbers, for reference only. */
  readonly paper: PaperReference;
  /** ISO time the metrics were computed. */
  readonly generatedAt: string;
  /** sha256 of the resolved config of the run. */
  readonly configHash: string;
}
