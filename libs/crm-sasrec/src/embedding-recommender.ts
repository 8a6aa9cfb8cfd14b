import {
  type CollaborativeRecommender,
  type Dataset,
  EmptySplitError,
  type Float32Matrix,
  type ItemId,
  type RecommenderFitOptions,
  type RecommenderFitReport,
  type Row,
  type ScoringInput,
  type UserId,
  createMatrix,
  createRandom,
} from '@score/core';
import { auc } from '@score/metrics';
import {
  type EpochContext,
  type GradientChunk,
  type RandomSource,
  type TrainingBatch,
  type TrainingReport,
  chunkedGradients,
  embeddingLookup,
  saveCheckpoint,
  shuffledIndices,
  tf,
  trainModel,
} from '@score/tfjs-runtime';
import { type EncodedRows, encodeDatasetRows, encodeInputs, gatherRows } from './encoded-rows';
import { ModelNotTrainedError } from './errors';
import type { SasrecGradientWorkers } from './gradient-workers';
import { binaryCrossEntropyWithLogits } from './sasrec-losses';
import type { CrmObjective, ResolvedTrainingOptions } from './options';
import { IdVocabulary, itemVocabularyOf } from './vocabulary';

/** Format tag of the config.json of a saved recommender. */
export const CHECKPOINT_FORMAT = 'score-crm';
/** Version of the config.json layout. */
export const CHECKPOINT_VERSION = 1;

/** The config.json of a saved recommender. */
export interface RecommenderConfig {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: number;
  readonly model: string;
  readonly options: Record<string, unknown>;
  /** Item ids in index order (index i + 1). */
  readonly items: readonly ItemId[];
  /** User ids in index order, for models with user factors. */
  readonly users?: readonly UserId[];
}

/** The next-item training set of one model: its size and how to batch it. */
export interface NextItemData {
  readonly rows: number;
  batches(context: EpochContext): Iterable<TrainingBatch>;
}

/** BCE with logits per entry (re-exported from `sasrec-losses`, where the worker threads use it). */
export { binaryCrossEntropyWithLogits };

/** The positive train items of every user with train rows, in order (as item indices). */
export function trainPositives(trainRows: readonly Row[], items: IdVocabulary): Map<UserId, number[]> {
  const positives = new Map<UserId, number[]>();
  for (const row of trainRows) {
    let list = positives.get(row.userId);
    if (!list) positives.set(row.userId, (list = []));
    if (row.label === 1) list.push(items.indexOf(row.itemId));
  }
  return positives;
}

/** A random item index in 1..itemCount that is not in `exclude` (gives up after 20 tries). */
export function sampleNegative(itemCount: number, exclude: ReadonlySet<number>, random: RandomSource): number {
  let item = 1 + Math.floor(random() * itemCount);
  for (let tries = 0; tries < 20 && exclude.has(item); tries++) item = 1 + Math.floor(random() * itemCount);
  return item;
}

/**
 * What SASRec and MF share: a user vector e_u and an item table, P(like) = sigmoid(e_u . e_item),
 * training through the shared loop of `@score/tfjs-runtime`, batched scoring and embedding, and
 * saving as config.json + model.safetensors.
 */
export abstract class EmbeddingRecommender implements CollaborativeRecommender {
  /** Model family, e.g. "sasrec". */
  abstract readonly name: string;
  /** Size of e_u. */
  abstract readonly embeddingDimensions: number;
  protected itemVocabulary: IdVocabulary | undefined;
  protected userVocabulary: IdVocabulary | undefined;

  protected abstract get trainingOptions(): ResolvedTrainingOptions;
  protected abstract get historyLength(): number;
  /** Whether user ids index learned factors (MF) or are ignored (SASRec). */
  protected abstract get usesUserIds(): boolean;
  /** Options saved in config.json. */
  protected abstract get savedOptions(): Record<string, unknown>;
  /** Creates fresh variables for the vocabularies. */
  protected abstract build(random: RandomSource): void;
  /** Checkpoint name -> variable, or undefined before build. */
  protected abstract get weights(): ReadonlyMap<string, tf.Variable> | undefined;
  protected abstract itemTable(): tf.Tensor2D;
  /** e_u of each encoded row, [count, embeddingDimensions]; call inside tidy. */
  protected abstract userVectors(rows: EncodedRows, training: boolean, random?: RandomSource): tf.Tensor2D;
  protected abstract nextItemData(dataset: Dataset, trainRows: readonly Row[]): NextItemData;
  protected abstract disposeWeights(): void;
  /**
   * Most rows of one in-thread gradient pass: larger batches run in chunks of this many rows
   * (`chunkedGradients`); undefined runs every batch in one pass (the default).
   */
  protected get gradientChunkRows(): number | undefined {
    return undefined;
  }
  /** The gradient workers of the fit in progress (undefined: gradients in this thread). */
  protected gradientWorkers: SasrecGradientWorkers | undefined;

  /**
   * Starts the worker threads that compute the training gradients for a fit over `trainRows`
   * rows per epoch, or returns undefined to train in the calling thread (the default).
   */
  protected async openGradientWorkers(_trainRows: number): Promise<SasrecGradientWorkers | undefined> {
    return undefined;
  }

  /** The training objective. */
  get objective(): CrmObjective {
    return this.trainingOptions.objective;
  }

  /** The item ids the model knows, in index order. */
  get itemIds(): readonly ItemId[] {
    return this.itemVocabulary?.ids ?? [];
  }

  protected requireTrained(action: string): { items: IdVocabulary } {
    if (!this.itemVocabulary || !this.weights) throw new ModelNotTrainedError(this.name, action);
    return { items: this.itemVocabulary };
  }

  /** Installs vocabularies (used by fit and by loading). @internal */
  setVocabularies(items: IdVocabulary, users: IdVocabulary | undefined): void {
    this.itemVocabulary = items;
    this.userVocabulary = users;
  }

  /** Builds the variables with the configured seed (used by loading). @internal */
  buildVariables(): ReadonlyMap<string, tf.Variable> {
    this.disposeWeights();
    this.build(createRandom(this.trainingOptions.seed));
    return this.weights!;
  }

  /**
   * Builds the vocabularies from the dataset, initialises fresh weights (seeded) and trains on the
   * train split with the shared loop, early-stopping on the valid split's AUC and keeping the best
   * epoch's weights.
   * @throws EmptySplitError when the train or valid split is empty.
   */
  async fit(dataset: Dataset, options: RecommenderFitOptions = {}): Promise<RecommenderFitReport> {
    const training = this.trainingOptions;
    const trainRows = dataset.split('train');
    const validRows = dataset.split('valid');
    if (trainRows.length === 0) throw new EmptySplitError('train', `${this.name} needs training rows.`);
    if (validRows.length === 0) throw new EmptySplitError('valid', `${this.name} early-stops on the valid split.`);
    const items = itemVocabularyOf(dataset);
    const users = this.usesUserIds ? new IdVocabulary('user', trainRows.map((row) => row.userId)) : undefined;
    this.setVocabularies(items, users);
    this.buildVariables();
    const valid = encodeDatasetRows(dataset, validRows, items, users, this.historyLength);
    const trainable = this.trainingOptions.objective === 'ctr' ? this.#ctrData(encodeDatasetRows(dataset, trainRows, items, users, this.historyLength)) : this.nextItemData(dataset, trainRows);
    this.gradientWorkers = await this.openGradientWorkers(trainable.rows);
    let report: TrainingReport;
    try {
      report = await trainModel(
        {
          trainableVariables: [...this.weights!.values()],
          epochRows: () => trainable.rows,
          batches: (context) => trainable.batches(context),
          validate: () => auc(valid.labels, this.#score(valid)),
        },
        {
          epochs: training.epochs,
          patience: training.patience,
          batchSize: training.batchSize,
          learningRate: training.learningRate,
          weightDecay: training.weightDecay,
          seed: training.seed,
          task: `crm.${this.name}.train`,
          onProgress: options.onProgress,
          logger: options.logger,
          signal: options.signal,
        },
      );
    } finally {
      await this.gradientWorkers?.close();
      this.gradientWorkers = undefined;
    }
    return {
      epochs: report.epochs,
      bestEpoch: report.bestEpoch,
      bestValidAuc: report.bestValidation,
      secondsPerEpoch: report.secondsPerEpoch,
      history: report.history.map((epoch) => ({ epoch: epoch.epoch, loss: epoch.loss, validAuc: epoch.validation })),
    };
  }

  #ctrData(train: EncodedRows): NextItemData {
    return {
      rows: train.count,
      batches: ({ batchSize, random }) => this.#ctrBatches(train, batchSize, random),
    };
  }

  *#ctrBatches(train: EncodedRows, batchSize: number, random: RandomSource): Iterable<TrainingBatch> {
    const order = shuffledIndices(train.count, random);
    for (let start = 0; start < train.count; start += batchSize) {
      const batch = gatherRows(train, order, start, Math.min(train.count, start + batchSize));
      const workers = this.gradientWorkers;
      if (workers) {
        yield { size: batch.count, gradients: () => workers.gradients({ kind: 'ctr', count: batch.count, histories: batch.histories, targets: batch.targets, labels: batch.labels }) };
        continue;
      }
      const ctrLoss = (rows: EncodedRows) => () => {
        const logits = this.#logits(rows, true, random);
        return tf.mean(binaryCrossEntropyWithLogits(logits, tf.tensor1d(rows.labels, 'float32'))) as tf.Scalar;
      };
      const chunkRows = this.gradientChunkRows;
      if (chunkRows === undefined || batch.count <= chunkRows) {
        yield { size: batch.count, loss: ctrLoss(batch) };
        continue;
      }
      yield {
        size: batch.count,
        gradients: (variables) => {
          const chunks: GradientChunk[] = [];
          for (let from = 0; from < batch.count; from += chunkRows) {
            const rows = gatherRows(batch, null, from, Math.min(batch.count, from + chunkRows));
            chunks.push({ weight: rows.count, loss: ctrLoss(rows) });
          }
          return chunkedGradients(chunks, variables);
        },
      };
    }
  }

  /** e_u . e_item for each encoded row ([count]). */
  #logits(rows: EncodedRows, training: boolean, random?: RandomSource): tf.Tensor1D {
    const users = this.userVectors(rows, training, random);
    const targets = embeddingLookup(this.itemTable(), tf.tensor1d(rows.targets, 'int32'));
    return tf.sum(tf.mul(users, targets), -1) as tf.Tensor1D;
  }

  #score(rows: EncodedRows): Float32Array {
    const out = new Float32Array(rows.count);
    const size = this.trainingOptions.scoringBatchSize;
    for (let start = 0; start < rows.count; start += size) {
      const batch = gatherRows(rows, null, start, Math.min(rows.count, start + size));
      out.set(tf.tidy(() => tf.sigmoid(this.#logits(batch, false)).dataSync() as Float32Array), start);
    }
    return out;
  }

  /** Scores labelled dataset rows (e.g. a split) with their dataset histories. */
  scoreDatasetRows(dataset: Dataset, rows: readonly Row[]): Float32Array {
    const { items } = this.requireTrained('score rows');
    return this.#score(encodeDatasetRows(dataset, rows, items, this.userVocabulary, this.historyLength));
  }

  /**
   * P(like) of each input. History items and the target must be items the model was trained
   * with (else `UnknownIdError`); only the last `maxHistory` history items are read.
   */
  async scoreRows(inputs: readonly ScoringInput[]): Promise<Float32Array> {
    const { items } = this.requireTrained('score rows');
    return this.#score(encodeInputs(inputs, items, this.userVocabulary, this.historyLength, true));
  }

  /** e_u of each input, one matrix row per input (batched). */
  async userEmbeddings(inputs: readonly { readonly history: readonly ItemId[]; readonly userId?: UserId }[]): Promise<Float32Matrix> {
    const { items } = this.requireTrained('embed users');
    const rows = encodeInputs(inputs, items, this.userVocabulary, this.historyLength, false);
    const d = this.embeddingDimensions;
    const out = new Float32Array(rows.count * d);
    const size = this.trainingOptions.scoringBatchSize;
    for (let start = 0; start < rows.count; start += size) {
      const batch = gatherRows(rows, null, start, Math.min(rows.count, start + size));
      out.set(tf.tidy(() => this.userVectors(batch, false).dataSync() as Float32Array), start * d);
    }
    return createMatrix(rows.count, d, out);
  }

  /** The config.json content of this model. */
  config(): RecommenderConfig {
    const { items } = this.requireTrained('describe its config');
    return {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      model: this.name,
      options: this.savedOptions,
      items: items.ids,
      ...(this.userVocabulary ? { users: this.userVocabulary.ids } : {}),
    };
  }

  /** Saves config.json and model.safetensors into `dir` (each to a temp name, then renamed). */
  async save(dir: string): Promise<void> {
    const config = this.config();
    saveCheckpoint(dir, config, this.weights!);
  }

  /** Frees the weights; the model must be trained or loaded again before use. */
  dispose(): void {
    this.disposeWeights();
  }
}
