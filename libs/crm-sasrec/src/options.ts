import { InvalidOptionError, integerOption, numberOption } from '@score/core';
import { TRAINING_DEFAULTS } from '@score/tfjs-runtime';
import type { SasrecArchitecture } from './sasrec-network';

/** Training objective of a recommender. */
export type CrmObjective = 'ctr' | 'next-item';

/** Every objective, for validation and CLI help. */
export const CRM_OBJECTIVES: readonly CrmObjective[] = Object.freeze(['ctr', 'next-item'] as const);

/** Options shared by every recommender of this package (training and scoring). */
export interface RecommenderTrainingOptions {
  /**
   * "ctr": pointwise BCE on the train split's labelled rows, P(like) = sigmoid(e_u . e_item)
   * (CoLLM's baselines). "next-item": BCE on the positive sequences with one sampled negative
   * per positive (the original objectives of SASRec and of implicit-feedback MF).
   * @defaultValue "ctr"
   */
  readonly objective?: CrmObjective;
  /** Adam learning rate. @defaultValue 1e-2 */
  readonly learningRate?: number;
  /** L2 weight decay added to the gradient, as PyTorch's Adam(weight_decay). @defaultValue 1e-4 */
  readonly weightDecay?: number;
  /** Training rows (or sequences) per batch. @defaultValue 1024 */
  readonly batchSize?: number;
  /** Most training epochs. @defaultValue 50 */
  readonly epochs?: number;
  /** Epochs without a better validation AUC before stopping. @defaultValue 5 */
  readonly patience?: number;
  /** Seed of weight initialisation, shuffling, negatives and dropout. @defaultValue 42 */
  readonly seed?: number;
  /** Rows per forward pass when scoring or embedding. @defaultValue 2048 */
  readonly scoringBatchSize?: number;
}

/** Options of {@link createSasrec}; defaults are CoLLM's SASRec settings for ML-1M. */
export interface SasrecOptions extends RecommenderTrainingOptions {
  /** Width of item, position and hidden vectors (= e_u's size). @defaultValue 64 */
  readonly hiddenSize?: number;
  /** Self-attention blocks. @defaultValue 2 */
  readonly blocks?: number;
  /** Attention heads (must divide `hiddenSize`). @defaultValue 1 */
  readonly heads?: number;
  /** Most recent history items the model reads (the sequence length). @defaultValue 25 */
  readonly maxHistory?: number;
  /** Dropout rate of embeddings, attention weights and feed-forward layers. @defaultValue 0.2 */
  readonly dropout?: number;
  /** Epsilon of every layer norm (SASRec's value). @defaultValue 1e-8 */
  readonly layerNormEpsilon?: number;
  /**
   * Threads that compute the training gradients (data-parallel: each takes a contiguous shard of
   * every batch and runs its own TensorFlow.js runtime; the optimizer step stays in the calling
   * thread). 1 trains in the calling thread. "auto" uses min(2, os.availableParallelism())
   * workers when the backend is wasm or cpu (one thread each) and an epoch has at least
   * {@link AUTO_WORKERS_MIN_ROWS} rows, else 1 (the native backend is multi-threaded itself,
   * and tiny fits do not pay back the workers' start-up). Results are deterministic for a fixed
   * seed and worker count; different worker counts give the same trajectory up to float
   * rounding when dropout is 0 (dropout masks are drawn per shard). Not saved in checkpoints.
   * @defaultValue "auto"
   */
  readonly workers?: 'auto' | number;
  /**
   * Most rows SASRec runs through the network in one gradient pass: a batch (or a worker's
   * shard of it) with more rows runs in chunks of this many, whose gradients are added, each
   * weighted by its share of the loss terms, so the step's gradient is the same (up to float
   * rounding) for any value. Smaller chunks keep a pass's activations in the CPU caches: on the
   * wasm backend, at hidden 64 and history 25, one 1,024-row pass took 693 ms and four 256-row
   * passes 601 ms. Dropout masks are drawn chunk by chunk, so results are deterministic for a
   * fixed seed, worker count and chunk size. Not saved in checkpoints. @defaultValue 256
   */
  readonly gradientChunkRows?: number;
}

/** Rows per epoch from which `workers: "auto"` starts worker threads. */
export const AUTO_WORKERS_MIN_ROWS = 8192;

/** Options of {@link createMatrixFactorization}. */
export interface MatrixFactorizationOptions extends RecommenderTrainingOptions {
  /** Width of user and item factors (= e_u's size). @defaultValue 64 */
  readonly embeddingSize?: number;
  /** Standard deviation of the normal initialisation of the factors. @defaultValue 0.1 */
  readonly initStd?: number;
  /**
   * Most recent history items averaged into the factor of a user unseen in training
   * (fold-in, see {@link MatrixFactorizationRecommender}). @defaultValue 25
   */
  readonly maxHistory?: number;
}

/** Training options with every default filled. */
export interface ResolvedTrainingOptions {
  readonly objective: CrmObjective;
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly batchSize: number;
  readonly epochs: number;
  readonly patience: number;
  readonly seed: number;
  readonly scoringBatchSize: number;
}

/** SASRec options with every default filled: the training settings and the network's shape (its item count comes from the data). */
export interface ResolvedSasrecOptions extends ResolvedTrainingOptions, Omit<SasrecArchitecture, 'itemCount'> {
  readonly workers: 'auto' | number;
  readonly gradientChunkRows: number;
}

/** MF options with every default filled. */
export interface ResolvedMatrixFactorizationOptions extends ResolvedTrainingOptions {
  readonly embeddingSize: number;
  readonly initStd: number;
  readonly maxHistory: number;
}

function checkKnownKeys(prefix: string, options: object, known: readonly string[]): void {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError(prefix, `must be an options object, got ${JSON.stringify(options)}.`, options);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new InvalidOptionError(`${prefix}.${key}`, `is not an option; valid options are ${known.join(', ')}.`, (options as Record<string, unknown>)[key]);
  }
}

const TRAINING_KEYS = ['objective', 'learningRate', 'weightDecay', 'batchSize', 'epochs', 'patience', 'seed', 'scoringBatchSize'] as const;

function resolveTraining(prefix: string, options: RecommenderTrainingOptions): ResolvedTrainingOptions {
  const objective = options.objective ?? 'ctr';
  if (!CRM_OBJECTIVES.includes(objective)) {
    throw new InvalidOptionError(`${prefix}.objective`, `must be one of ${CRM_OBJECTIVES.join(', ')}, got ${JSON.stringify(objective)}.`, objective);
  }
  return {
    objective,
    learningRate: numberOption(`${prefix}.learningRate`, options.learningRate, 1e-2, 0, 10, true, false),
    weightDecay: numberOption(`${prefix}.weightDecay`, options.weightDecay, 1e-4, 0, 10, false, false),
    batchSize: integerOption(`${prefix}.batchSize`, options.batchSize, TRAINING_DEFAULTS.batchSize, 1),
    epochs: integerOption(`${prefix}.epochs`, options.epochs, 50, 1),
    patience: integerOption(`${prefix}.patience`, options.patience, 5, 1),
    seed: integerOption(`${prefix}.seed`, options.seed, TRAINING_DEFAULTS.seed, -(2 ** 31)),
    scoringBatchSize: integerOption(`${prefix}.scoringBatchSize`, options.scoringBatchSize, 2048, 1),
  };
}

/** Validates SASRec options once and fills the defaults. @throws InvalidOptionError naming the field. */
export function resolveSasrecOptions(options: SasrecOptions = {}): ResolvedSasrecOptions {
  const prefix = 'sasrec';
  checkKnownKeys(prefix, options, [...TRAINING_KEYS, 'hiddenSize', 'blocks', 'heads', 'maxHistory', 'dropout', 'layerNormEpsilon', 'workers', 'gradientChunkRows']);
  const workers = options.workers ?? 'auto';
  if (workers !== 'auto' && !(typeof workers === 'number' && Number.isInteger(workers) && workers >= 1 && workers <= 64)) {
    throw new InvalidOptionError(`${prefix}.workers`, `must be "auto" or an integer in [1, 64], got ${JSON.stringify(workers)}.`, workers);
  }
  const hiddenSize = integerOption(`${prefix}.hiddenSize`, options.hiddenSize, 64, 1);
  const heads = integerOption(`${prefix}.heads`, options.heads, 1, 1);
  if (hiddenSize % heads !== 0) {
    throw new InvalidOptionError(`${prefix}.heads`, `must divide hiddenSize (${hiddenSize}), got ${heads}.`, heads);
  }
  return {
    ...resolveTraining(prefix, options),
    hiddenSize,
    blocks: integerOption(`${prefix}.blocks`, options.blocks, 2, 1),
    heads,
    maxHistory: integerOption(`${prefix}.maxHistory`, options.maxHistory, 25, 1),
    dropout: numberOption(`${prefix}.dropout`, options.dropout, 0.2, 0, 1, false, true),
    layerNormEpsilon: numberOption(`${prefix}.layerNormEpsilon`, options.layerNormEpsilon, 1e-8, 0, 1, true, false),
    workers,
    gradientChunkRows: integerOption(`${prefix}.gradientChunkRows`, options.gradientChunkRows, 256, 1),
  };
}

/** Validates MF options once and fills the defaults. @throws InvalidOptionError naming the field. */
export function resolveMatrixFactorizationOptions(options: MatrixFactorizationOptions = {}): ResolvedMatrixFactorizationOptions {
  const prefix = 'mf';
  checkKnownKeys(prefix, options, [...TRAINING_KEYS, 'embeddingSize', 'initStd', 'maxHistory']);
  return {
    ...resolveTraining(prefix, options),
    embeddingSize: integerOption(`${prefix}.embeddingSize`, options.embeddingSize, 64, 1),
    initStd: numberOption(`${prefix}.initStd`, options.initStd, 0.1, 0, 10, true, false),
    maxHistory: integerOption(`${prefix}.maxHistory`, options.maxHistory, 25, 1),
  };
}
