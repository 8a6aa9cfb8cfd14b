import { InvalidOptionError, type Logger, type ProgressCallback, silentLogger, checkInteger, integerOption, numberOption, createRandom } from '@score/core';
import * as tf from '@tensorflow/tfjs';
import type { BatchGradients } from './chunked-gradients';
import { type RandomSource } from './seeded-random';

/** One mini-batch handed to {@link trainModel}. */
export interface TrainingBatch {
  /** Examples (rows) in the batch; counts toward rows/s. */
  readonly size: number;
  /**
   * Builds the batch's mean loss from the model's variables. Runs inside `tf.variableGrads` and a
   * `tf.tidy` owned by the loop, so every tensor it makes is freed after the step. Not used when
   * the batch has `gradients`; one of the two is required.
   */
  loss?(): tf.Scalar;
  /**
   * Computes the batch's mean loss and its gradients itself, instead of the loop running
   * `tf.variableGrads` over `loss` (e.g. in chunks with {@link chunkedGradients}, or on worker
   * threads). Runs inside a `tf.tidy` owned by the loop, outside any gradient tape.
   */
  gradients?(variables: readonly tf.Variable[]): BatchGradients;
}

/** What the loop passes to {@link TrainableModel.batches} at the start of each epoch. */
export interface EpochContext {
  /** 1-based epoch number. */
  readonly epoch: number;
  readonly batchSize: number;
  /** The loop's seeded generator: use it for shuffling, negatives and dropout masks. */
  readonly random: RandomSource;
}

/**
 * What a model gives the shared training loop: its variables, its batches (each builds a loss),
 * and a validation score (higher is better, e.g. AUC). The loop owns the optimizer, epochs,
 * early stopping, best-weight restore, progress, seeding and tensor hygiene.
 */
export interface TrainableModel {
  /** The variables the optimizer updates. */
  readonly trainableVariables: readonly tf.Variable[];
  /** Rows in one epoch (for progress totals). */
  epochRows(): number;
  /** The batches of one epoch, made lazily. */
  batches(context: EpochContext): Iterable<TrainingBatch>;
  /** Validation score of the current weights (higher is better); `NaN` counts as no improvement. */
  validate(): number | Promise<number>;
}

/**
 * The defaults of {@link trainModel}, in one place: a trainer built on the loop passes only the
 * settings that differ (see {@link trainingLoopOptions}).
 */
export const TRAINING_DEFAULTS = Object.freeze({
  /** Most epochs. */
  epochs: 20,
  /** Epochs without a better validation score before stopping. */
  patience: 3,
  /** Rows per batch (passed to the model). */
  batchSize: 1024,
  /** Adam learning rate. */
  learningRate: 1e-3,
  /** L2 penalty added to the gradient before the Adam update. */
  weightDecay: 0,
  /** Adam beta1. */
  beta1: 0.9,
  /** Adam beta2. */
  beta2: 0.999,
  /** Adam epsilon. */
  epsilon: 1e-8,
  /** Seed of the generator handed to the model each epoch. */
  seed: 42,
  /** Put the best epoch's weights back at the end. */
  restoreBestWeights: true,
  /** Name of the validation score in progress events and logs. */
  validationMetric: 'validAuc',
  /** Task name of the progress events. */
  task: 'train',
  /** A progress event every this many batches (and at each epoch end). */
  progressEveryBatches: 10,
});

/**
 * The loop settings a trainer built on {@link trainModel} (trainCar, trainSare, trainRecLm,
 * pretrainRecLm, ...) lets its own caller choose; each trainer documents its defaults where they
 * differ from {@link TRAINING_DEFAULTS}.
 */
export interface TrainingRunOptions {
  /** Most epochs. @defaultValue the trainer's; trainModel's: 20 */
  readonly epochs?: number;
  /** Epochs without a better validation score before stopping. @defaultValue the trainer's; trainModel's: 3 */
  readonly patience?: number;
  /** Rows (examples) per batch. @defaultValue the trainer's; trainModel's: 1024 */
  readonly batchSize?: number;
  /** Adam learning rate. @defaultValue the trainer's; trainModel's: 1e-3 */
  readonly learningRate?: number;
  /** Seed of the generator handed to the model each epoch (shuffles, negatives, dropout). @defaultValue 42 */
  readonly seed?: number;
  /** Put the best epoch's weights back at the end; `false` keeps the last epoch's weights. @defaultValue true */
  readonly restoreBestWeights?: boolean;
  /** Receives the loop's progress events (loss, rows/s, the validation score). @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** Receives one info line per epoch. @defaultValue silent */
  readonly logger?: Logger;
  /** Stops after the current batch; the best weights so far are kept. @defaultValue none */
  readonly signal?: AbortSignal;
}

/** Options of {@link trainModel}; every default is in {@link TRAINING_DEFAULTS}. */
export interface TrainingLoopOptions extends TrainingRunOptions {
  /** Most epochs. @defaultValue 20 */
  readonly epochs?: number;
  /** Epochs without a better validation score before stopping. @defaultValue 3 */
  readonly patience?: number;
  /** Rows per batch (passed to the model). @defaultValue 1024 */
  readonly batchSize?: number;
  /** Adam learning rate. @defaultValue 1e-3 */
  readonly learningRate?: number;
  /**
   * L2 penalty added to every gradient before the Adam update (g += weightDecay * w), as
   * PyTorch's `Adam(weight_decay=...)` does; not the decoupled AdamW decay.
   * @defaultValue 0
   */
  readonly weightDecay?: number;
  /** Adam beta1. @defaultValue 0.9 */
  readonly beta1?: number;
  /** Adam beta2. @defaultValue 0.999 */
  readonly beta2?: number;
  /** Adam epsilon (added to the square root of the second moment, as in PyTorch). @defaultValue 1e-8 */
  readonly epsilon?: number;
  /** Name of the validation score in progress events and logs. @defaultValue "validAuc" */
  readonly validationMetric?: string;
  /** Task name of the progress events. @defaultValue "train" */
  readonly task?: string;
  /** A progress event every this many batches (and at each epoch end). @defaultValue 10 */
  readonly progressEveryBatches?: number;
}

const RUN_OPTION_KEYS = ['epochs', 'patience', 'batchSize', 'learningRate', 'seed', 'restoreBestWeights', 'onProgress', 'logger', 'signal'] as const;

/**
 * The {@link trainModel} options of a trainer built on it: the trainer's own settings (`trainer`:
 * its task, metric and the defaults where it differs from {@link TRAINING_DEFAULTS}), overridden
 * by each {@link TrainingRunOptions} field its caller set (`undefined` counts as not set).
 * Anything neither sets falls to {@link TRAINING_DEFAULTS} inside trainModel.
 */
export function trainingLoopOptions(options: TrainingRunOptions, trainer: TrainingLoopOptions = {}): TrainingLoopOptions {
  const chosen: Record<string, unknown> = { ...trainer };
  for (const key of RUN_OPTION_KEYS) {
    if (options[key] !== undefined) chosen[key] = options[key];
  }
  return chosen as TrainingLoopOptions;
}

/** One epoch of a {@link TrainingReport}. */
export interface EpochRecord {
  readonly epoch: number;
  /** Mean training loss over the epoch's batches. */
  readonly loss: number;
  /** Validation score after the epoch. */
  readonly validation: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

/** What {@link trainModel} returns. */
export interface TrainingReport {
  readonly epochs: number;
  /** Epoch whose weights the model holds at the end (0 = the initial weights). */
  readonly bestEpoch: number;
  readonly bestValidation: number;
  /** Mean wall-clock seconds of the training part of an epoch (validation excluded). */
  readonly secondsPerEpoch: number;
  readonly history: readonly EpochRecord[];
  readonly stoppedEarly: boolean;
  readonly aborted: boolean;
}

interface ResolvedOptions {
  epochs: number;
  patience: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  seed: number;
  restoreBestWeights: boolean;
  validationMetric: string;
  task: string;
  progressEveryBatches: number;
}

/** Validates {@link TrainingLoopOptions} and fills the defaults. */
export function resolveTrainingLoopOptions(options: TrainingLoopOptions): ResolvedOptions {
  const defaults = TRAINING_DEFAULTS;
  const seed = options.seed ?? defaults.seed;
  checkInteger('seed', seed);
  return {
    epochs: integerOption('epochs', options.epochs, defaults.epochs, 1),
    patience: integerOption('patience', options.patience, defaults.patience, 1),
    batchSize: integerOption('batchSize', options.batchSize, defaults.batchSize, 1),
    learningRate: numberOption('learningRate', options.learningRate, defaults.learningRate, 0, 10, true, true),
    weightDecay: numberOption('weightDecay', options.weightDecay, defaults.weightDecay, 0, 10),
    beta1: numberOption('beta1', options.beta1, defaults.beta1, 0, 1),
    beta2: numberOption('beta2', options.beta2, defaults.beta2, 0, 1),
    epsilon: numberOption('epsilon', options.epsilon, defaults.epsilon, 0, 1, true, true),
    seed,
    restoreBestWeights: options.restoreBestWeights ?? defaults.restoreBestWeights,
    validationMetric: options.validationMetric ?? defaults.validationMetric,
    task: options.task ?? defaults.task,
    progressEveryBatches: integerOption('progressEveryBatches', options.progressEveryBatches, defaults.progressEveryBatches, 1),
  };
}

/** The batch's mean loss and gradients: its own `gradients`, else `tf.variableGrads` over `loss`. */
function batchGradients(batch: TrainingBatch, variables: tf.Variable[]): BatchGradients {
  if (batch.gradients) return batch.gradients(variables);
  if (batch.loss) return tf.variableGrads(() => batch.loss!(), variables);
  throw new InvalidOptionError('batch', 'a training batch needs a loss() or a gradients() function.');
}

/** One Adam step on `batch` (the L2 term of `weightDecay` joins each gradient first); returns the batch's mean loss. */
function stepBatch(batch: TrainingBatch, variables: tf.Variable[], optimizer: tf.Optimizer, weightDecay: number): number {
  const lossTensor = tf.tidy(() => {
    const { value, grads } = batchGradients(batch, variables);
    const named: { name: string; tensor: tf.Tensor }[] = [];
    for (const variable of variables) {
      const grad = grads[variable.name];
      if (!grad) continue;
      // PyTorch Adam(weight_decay): the L2 term joins the gradient before the moments.
      named.push({ name: variable.name, tensor: weightDecay > 0 ? tf.add(grad, tf.mul(variable, weightDecay)) : grad });
    }
    optimizer.applyGradients(named);
    return value;
  });
  const loss = lossTensor.dataSync()[0]!;
  lossTensor.dispose();
  return loss;
}

/** The training part of one epoch (no validation). */
interface EpochPass {
  readonly rows: number;
  readonly lossSum: number;
  readonly seconds: number;
  readonly aborted: boolean;
}

/** Runs one epoch's batches with progress events every `progressEveryBatches`; stops early on abort. */
function trainEpoch(
  model: TrainableModel,
  epoch: number,
  step: (batch: TrainingBatch) => number,
  settings: ResolvedOptions,
  random: RandomSource,
  total: number,
  options: TrainingLoopOptions,
): EpochPass {
  const start = performance.now();
  let rows = 0;
  let lossSum = 0;
  let batchesDone = 0;
  let aborted = false;
  for (const batch of model.batches({ epoch, batchSize: settings.batchSize, random })) {
    const loss = step(batch);
    lossSum += loss * batch.size;
    rows += batch.size;
    batchesDone += 1;
    if (options.onProgress && batchesDone % settings.progressEveryBatches === 0) {
      const seconds = (performance.now() - start) / 1000;
      options.onProgress({ task: settings.task, done: rows, total, unit: 'rows', epoch, metrics: { loss: lossSum / rows, rowsPerSecond: rows / seconds } });
    }
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
  }
  return { rows, lossSum, seconds: (performance.now() - start) / 1000, aborted };
}

/** Copies of the best epoch's weights (when `restoreBestWeights`), put back at the end. */
class BestWeights {
  #saved: tf.Tensor[] | undefined;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly enabled: boolean,
  ) {}

  /** Whether a copy is held. */
  get held(): boolean {
    return this.#saved !== undefined;
  }

  /** Replaces the copy with the current weights. */
  keep(): void {
    if (!this.enabled) return;
    this.#saved?.forEach((tensor) => tensor.dispose());
    this.#saved = this.variables.map((variable) => tf.keep(variable.clone()));
  }

  /** Assigns the copy back to the variables (nothing when none is held). */
  restore(): void {
    const saved = this.#saved;
    if (saved) this.variables.forEach((variable, i) => variable.assign(saved[i]!));
  }

  dispose(): void {
    this.#saved?.forEach((tensor) => tensor.dispose());
    this.#saved = undefined;
  }
}

/** Logs one epoch's line and emits its end-of-epoch progress event. */
function reportEpoch(record: EpochRecord, rows: number, total: number, improved: boolean, settings: ResolvedOptions, logger: Logger, onProgress: ProgressCallback | undefined): void {
  const { epoch, validation, seconds } = record;
  logger.info(
    `epoch ${epoch}: loss ${record.loss.toFixed(4)}, ${settings.validationMetric} ${validation.toFixed(4)}${improved ? ' (best)' : ''}, ${seconds.toFixed(1)} s, ${Math.round(record.rowsPerSecond)} rows/s`,
    { epoch, loss: record.loss, [settings.validationMetric]: validation, seconds, rowsPerSecond: record.rowsPerSecond },
  );
  onProgress?.({
    task: settings.task,
    done: rows,
    total,
    unit: 'rows',
    epoch,
    metrics: { loss: record.loss, rowsPerSecond: record.rowsPerSecond, [settings.validationMetric]: validation },
  });
}

/**
 * The shared training loop of @score: Adam (PyTorch semantics, L2 weight decay added to the
 * gradient), epochs over the model's batches, validation after each epoch, early stopping with
 * patience, restore of the best weights, progress events (loss, rows/s) and a seeded generator.
 * Every tensor it or the model's `loss()` / `gradients()` makes is freed: `tf.memory().numTensors` is the same
 * before and after. Defaults: {@link TRAINING_DEFAULTS}.
 */
export async function trainModel(model: TrainableModel, options: TrainingLoopOptions = {}): Promise<TrainingReport> {
  const settings = resolveTrainingLoopOptions(options);
  const logger = options.logger ?? silentLogger;
  const variables = [...model.trainableVariables];
  if (variables.length === 0) throw new InvalidOptionError('model.trainableVariables', 'the model has no trainable variables.');
  const random = createRandom(settings.seed);
  const optimizer = tf.train.adam(settings.learningRate, settings.beta1, settings.beta2, settings.epsilon);
  const step = (batch: TrainingBatch) => stepBatch(batch, variables, optimizer, settings.weightDecay);
  const history: EpochRecord[] = [];
  const best = new BestWeights(variables, settings.restoreBestWeights);
  let bestValidation = await model.validate();
  let bestEpoch = 0;
  let sinceBest = 0;
  let trainingSeconds = 0;
  let aborted = false;
  let stoppedEarly = false;
  if (!Number.isNaN(bestValidation)) best.keep();
  else bestValidation = Number.NEGATIVE_INFINITY;
  const total = model.epochRows();
  try {
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const pass = trainEpoch(model, epoch, step, settings, random, total, options);
      const { rows, seconds } = pass;
      aborted = pass.aborted;
      trainingSeconds += seconds;
      const validation = await model.validate();
      const record: EpochRecord = { epoch, loss: rows > 0 ? pass.lossSum / rows : Number.NaN, validation, seconds, rowsPerSecond: rows / Math.max(seconds, 1e-9) };
      history.push(record);
      const improved = validation > bestValidation;
      if (improved) {
        bestValidation = validation;
        bestEpoch = epoch;
        sinceBest = 0;
        best.keep();
      } else {
        sinceBest += 1;
      }
      reportEpoch(record, rows, total, improved, settings, logger, options.onProgress);
      if (aborted) break;
      if (sinceBest >= settings.patience) {
        stoppedEarly = epoch < settings.epochs;
        break;
      }
    }
    if (best.held) best.restore();
    else if (settings.restoreBestWeights === false) bestEpoch = history.length;
  } finally {
    best.dispose();
    optimizer.dispose();
  }
  const report: TrainingReport = {
    epochs: history.length,
    bestEpoch,
    bestValidation: Number.isFinite(bestValidation) ? bestValidation : Number.NaN,
    secondsPerEpoch: history.length > 0 ? trainingSeconds / history.length : 0,
    history,
    stoppedEarly,
    aborted,
  };
  options.onProgress?.({ task: settings.task, done: history.length, total: settings.epochs, unit: 'epochs', epoch: history.length, finished: true, metrics: { bestEpoch, [settings.validationMetric]: report.bestValidation } });
  return report;
}
