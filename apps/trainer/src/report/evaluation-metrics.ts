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
  /** "zero-shot": a pretrained LLM scoring the prompt without any tuning (`eval.zeroShot`); absent for tuned LMs and baselines. */
  readonly tuning?: 'zero-shot';
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
  /** Bootstrap confidence interval of the AUC, when computed (paired bootstrap over users, see {@link BootstrapSettings}). */
  readonly aucInterval?: Interval;
  /** Bootstrap confidence interval of the UAUC, when computed. */
  readonly uaucInterval?: Interval;
  /**
   * Paired differences of this model to reference models (LM rows: to P^b and to full SCoRe), each
   * with the interval of the difference over the same bootstrap resamples.
   */
  readonly differences?: readonly ModelDifference[];
  /** Mean and standard deviation over the run's seeds, when it ran more than one (`run.seeds`). */
  readonly seeds?: SeedSpread;
}

/** The difference of a model to a reference model (this model minus the reference), paired over users. */
export interface ModelDifference {
  /** Id of the reference model. */
  readonly reference: string;
  /** AUC(model) - AUC(reference) on the scored rows. */
  readonly auc: number;
  /** Percentile interval of the AUC difference over the paired resamples. */
  readonly aucInterval: Interval;
  /** UAUC(model) - UAUC(reference). */
  readonly uauc: number;
  /** Percentile interval of the UAUC difference. */
  readonly uaucInterval: Interval;
}

/** Spread of one model's figures over the seeds of a run. */
export interface SeedSpread {
  /** Seeds the figures come from. */
  readonly count: number;
  /** Mean AUC over the seeds. */
  readonly aucMean: number;
  /** Sample standard deviation (n - 1) of the AUC over the seeds. */
  readonly aucSd: number;
  /** Mean UAUC over the seeds. */
  readonly uaucMean: number;
  /** Sample standard deviation of the UAUC over the seeds. */
  readonly uaucSd: number;
}

/** How the intervals were computed. */
export interface BootstrapSettings {
  /** The resampled unit: users (all rows of a drawn user, drawn with replacement). */
  readonly unit: 'user';
  /** Whether every model was scored on the same resamples (differences are then paired). */
  readonly paired: true;
  /** Resamples drawn. */
  readonly samples: number;
  /** Two-sided coverage of the percentile intervals, e.g. 0.95. */
  readonly confidence: number;
  /** Seed of the draws. */
  readonly seed: number;
  /** Users in the scored rows (drawn per resample). */
  readonly users: number;
}

/** The figures of one extra seed's run of the seed-dependent stages. */
export interface SeedRun {
  /** The seed. */
  readonly seed: number;
  /** Each model's figures with this seed. */
  readonly models: readonly { readonly id: string; readonly auc: number; readonly uauc: number; readonly logLoss: number }[];
}

/** The seeds of a run (`run.seeds`). */
export interface SeedRuns {
  /** Every seed, `run.seed` first (its figures are the main ones of this file). */
  readonly seeds: readonly number[];
  /** Stages repeated per seed, e.g. ["rec", "eval"]. */
  readonly stages: readonly string[];
  /** The figures of every seed, `run.seed` included. */
  readonly runs: readonly SeedRun[];
}

/** How often prompts of one variant and split fell back to P^b because no similar user was found. */
export interface RetrievalFallback {
  /** Prompt variant, e.g. "cf" or "score". */
  readonly variant: string;
  /** Split of the rows. */
  readonly split: 'train' | 'valid' | 'test';
  /** Rows prompted. */
  readonly rows: number;
  /** Rows whose prompt fell back to P^b. */
  readonly fallbackRows: number;
  /** fallbackRows / rows. */
  readonly rate: number;
  /** Rows at or before the first behaviour snapshot (they always fall back); absent when unknown. */
  readonly beforeFirstSnapshot?: number;
}

/** How many rows of the train split tuned the LM, when fewer than all of it. */
export interface TrainRowsUsed {
  /** Rows each variant's LM was tuned on. */
  readonly rows: number;
  /** Rows of the train split. */
  readonly of: number;
}

/** One point of a sensitivity sweep (Fig. 4). */
export interface SweepPoint {
  /** The swept value (K_e or K_s). */
  readonly k: number;
  /** AUC of full SCoRe at this K. */
  readonly auc: number;
  /** UAUC of full SCoRe at this K. */
  readonly uauc: number;
  /** Bootstrap interval of the AUC (paired with the models' resamples), when computed. */
  readonly aucInterval?: Interval;
  /** Bootstrap interval of the UAUC, when computed. */
  readonly uaucInterval?: Interval;
}

/** The sensitivity sweeps of Fig. 4, each scoring full SCoRe with one K changed. */
export interface Sweeps {
  /** K_e: users retrieved by CAR before reranking. */
  readonly retrieved: readonly SweepPoint[];
  /** K_s: users kept after SARE and written into P^s. */
  readonly kept: readonly SweepPoint[];
  /**
   * Whether an LM was tuned at every sweep point (`eval.retrainSweeps`); false: the LM tuned at the
   * main K_e/K_s scored every point. Absent in files written before the key existed (= false).
   */
  readonly retrained?: boolean;
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
  /** Rows of the evaluated split; more than `rows` when a sample was scored (`eval.maxRows`). */
  readonly splitRows?: number;
  /** Rows the LMs were tuned on, when fewer than the whole train split (`rec.trainRows`). */
  readonly trainRows?: TrainRowsUsed;
  /** How the intervals and differences were computed, when they were. */
  readonly bootstrap?: BootstrapSettings;
  /** The seeds of the run, when more than one (`run.seeds`). */
  readonly seeds?: SeedRuns;
  /** Fallback rates to P^b per variant and split, when recorded by the retrieval. */
  readonly retrievalFallback?: readonly RetrievalFallback[];
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
