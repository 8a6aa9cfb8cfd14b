import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError, silentLogger, type Dataset, type ItemId, type Logger, type ProgressCallback, type TextEmbeddingModel, type UserId, writeFileAtomicSync, checkInteger } from '@score/core';
import { loadDataset } from '@score/data';
import { checkEncoderInference, type EncoderInference, trainableVariablesOfTopLayers, withInferenceEncoder } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import { buildBehaviourCorpus, type BehaviourCorpus, type SnapshotSpec } from './behaviour-corpus';
import { createCarEncoder, formatEncoderSpec, parseEncoderSpec, type CarEncoderSpec } from './car-encoder';
import { CAR_STAGE_FORMAT_VERSION, type CarEncoderLocation, type CarStageManifest } from './car-stage-manifest';
import { selectHeldOutUsers, trainCar, type CarPositives, type CarTrainingReport } from './car-training';
import type { AnnIndexOptions } from './ann-index-options';
import { writeSnapshotIndexes } from './snapshot-indexes';
import type { CollaborativeNeighbour } from './neighbour-retriever';
import { readNeighboursFile, writeNeighboursFile } from './neighbours-file';
import { evaluateRetrieval, futureOverlap, neighbourRecall, topNeighbours, type CorpusText } from './retrieval-metrics';

/** Options of {@link runCarStage}. */
export interface CarStageOptions {
  /**
   * Folder holding the prepared dataset (`<datasetDir>/dataset/`, read by `loadDataset`), e.g. the
   * prepare stage's folder. Give this or `dataset`.
   * @defaultValue none
   */
  readonly datasetDir?: string;
  /**
   * The dataset itself, instead of `datasetDir`.
   * @defaultValue none
   */
  readonly dataset?: Dataset;
  /**
   * The CRM stage's `neighbours.json` (see {@link readNeighboursFile}). Give this or `neighbours`.
   * @defaultValue none
   */
  readonly neighboursFile?: string;
  /**
   * N_c(u) per user, instead of `neighboursFile`.
   * @defaultValue none
   */
  readonly neighbours?: ReadonlyMap<UserId, readonly CollaborativeNeighbour[]>;
  /** Where everything is written (the pipeline renames it into place). */
  readonly outputDir: string;
  /**
   * `scratch`, `pooled`, `onnx:PATH` or `bert:PATH` (see {@link CarEncoderSpec}).
   * @defaultValue 'pooled'
   */
  readonly encoder?: string;
  /**
   * tau of Eq. 6.
   * @defaultValue 0.1
   */
  readonly temperature?: number;
  /**
   * Anchor users per batch.
   * @defaultValue 16
   */
  readonly batchSize?: number;
  /**
   * Most fine-tuning epochs.
   * @defaultValue 10
   */
  readonly epochs?: number;
  /**
   * Epochs without a better held-out recall before stopping.
   * @defaultValue 2
   */
  readonly patience?: number;
  /**
   * Most texts per forward-and-backward pass of a training step (gradient caching above it; see
   * {@link TrainCarOptions.gradientChunkTexts}).
   * @defaultValue 8 for a BERT encoder, 0 (one pass) for the pooled one
   */
  readonly gradientChunkTexts?: number;
  /**
   * Chunk gradient-caching batches by token length ({@link TrainCarOptions.lengthSortedChunks}).
   * @defaultValue false
   */
  readonly lengthSortedChunks?: boolean;
  /**
   * Adam learning rate.
   * @defaultValue 1e-2 (`pooled`), 1e-3 (`scratch`), 2e-5 (`bert:PATH`, pretrained weights)
   */
  readonly learningRate?: number;
  /**
   * How positives enter a batch (see `TrainCarOptions.positives`): `all` embeds up to
   * batchSize x (1 + K_c) texts per step, `sample` batchSize x 2.
   * @defaultValue 'all' (`pooled`), 'sample' (`scratch`, `bert:PATH`: the wasm backend ran out of memory on a 2-layer BERT step over 16 x 6 texts of 256 tokens)
   */
  readonly positives?: CarPositives;
  /**
   * K_c: CRM neighbours per user that are positives and count in the recall.
   * @defaultValue 5
   */
  readonly neighboursPerUser?: number;
  /**
   * K_e: users retrieved per target in the evaluation (recall@K_e, future overlap).
   * @defaultValue 10
   */
  readonly retrieved?: number;
  /**
   * Share of users with neighbours held out of fine-tuning; the metrics are measured on them.
   * @defaultValue 0.1
   */
  readonly validationFraction?: number;
  /**
   * Most recent items per behaviour text.
   * @defaultValue 20
   */
  readonly maxItems?: number;
  /**
   * Snapshot boundaries of the indexed corpus (see {@link SnapshotSpec}): each gets its own
   * LanceDB table, and a target row at time t searches the table of the latest boundary strictly
   * before t. Fine-tuning and the metrics use each user's newest snapshot.
   * @defaultValue 'monthly' (every 30 days from the first positive, and the start of the valid split)
   */
  readonly snapshots?: SnapshotSpec;
  /**
   * The CRM stage's `user-embeddings.safetensors` (tensor `embeddings`, metadata `user_ids`),
   * copied into the stage folder for the `cf` variant's embedding retrieval.
   * @defaultValue none (`cf` retrieves the CRM neighbours only)
   */
  readonly userEmbeddingsFile?: string;
  /**
   * ANN settings of every snapshot table (one with at least `ann.threshold` entries gets an
   * approximate index; smaller ones are searched exactly).
   * @defaultValue `DEFAULT_ANN_INDEX_OPTIONS`
   */
  readonly ann?: AnnIndexOptions;
  /**
   * Embedding width of a fresh (`scratch`, `pooled`) encoder.
   * @defaultValue 128
   */
  readonly dimensions?: number;
  /**
   * Longest input in tokens of a `scratch`, `pooled` or `bert:PATH` encoder (at least 8; at most a
   * pretrained model's positions), for the untuned `base` variant and the fine-tuned `car` alike.
   * Texts are cut at the end: a behaviour text lists its items oldest first, so the oldest items are
   * kept and the newest cut. The saved encoders record it (`base` of a `bert:PATH` encoder: in
   * `car.json`). Refused with an `onnx:` encoder.
   * @defaultValue the encoder's own: 256 (`pooled`), 128 (`scratch`), the folder's setting (`bert:PATH`, e.g. 256 for all-MiniLM-L6-v2)
   */
  readonly maxTokens?: number;
  /**
   * Fine-tune only the top this many transformer layers of a BERT encoder (`scratch`,
   * `bert:PATH`; see `TrainCarOptions.trainLayers`); refused with a `pooled` or `onnx:` encoder, or
   * more layers than the encoder has.
   * @defaultValue every weight
   */
  readonly trainLayers?: number;
  /**
   * Vocabulary of the WordPiece tokenizer trained on the corpus for a fresh encoder.
   * @defaultValue 4000
   */
  readonly vocabSize?: number;
  /**
   * Seed of the encoder, the held-out split and training.
   * @defaultValue 42
   */
  readonly seed?: number;
  /**
   * Where the stage's inference runs (the held-out recall of base and car, the recall after each
   * training epoch, and embedding the corpus for both indexes): `tfjs`, the trainable encoder's
   * own forward pass; `onnx`, a BERT encoder's current weights exported in memory and run by
   * onnxruntime on every core (`withInferenceEncoder` of @score/text-encoders; the same
   * embeddings up to float rounding, about 1e-6). A pooled or frozen ONNX encoder is unaffected.
   * Training always runs on tfjs.
   * @defaultValue 'tfjs'
   */
  readonly inference?: EncoderInference;
  /**
   * Receives `car.corpus`, `car.train`, `car.index` and `car.index-base` progress.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
  /**
   * Receives one line per epoch and per step.
   * @defaultValue silentLogger
   */
  readonly logger?: Logger;
  /**
   * Stops between steps (and after the current batch while training).
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
}

/** Retrieval figures of one variant on the held-out users (also in `metrics.json`). */
export interface CarVariantMetrics {
  /** Recall@K_e of the held-out users' CRM neighbours (1 for `cf` by construction). */
  readonly recall: number;
  /** {@link futureOverlap} of the retrieved users' behaviour with the targets' valid/test positives. */
  readonly futureOverlap: number;
  readonly futureOverlapUsers: number;
}

/** What {@link runCarStage} returns (written as `metrics.json`). */
export interface CarStageResult {
  readonly encoder: string;
  /** False for `onnx:`: the frozen model is both `base` and `car`. */
  readonly fineTuned: boolean;
  readonly backend: string;
  /** Where inference ran ({@link CarStageOptions.inference}). */
  readonly inference: EncoderInference;
  readonly k: number;
  readonly neighboursPerUser: number;
  /** Held-out users the metrics are measured on. */
  readonly heldOutUsers: number;
  readonly corpus: { readonly users: number; readonly entries: number };
  readonly base: CarVariantMetrics;
  readonly car: CarVariantMetrics;
  readonly cf: CarVariantMetrics;
  /** The fine-tuning report (held-out ids omitted); null when not fine-tuned. */
  readonly training: Omit<CarTrainingReport, 'heldOutUsers'> | null;
  readonly seconds: number;
}

function defaultLearningRate(spec: CarEncoderSpec): number {
  return spec.kind === 'pooled' ? 1e-2 : spec.kind === 'bert' ? 2e-5 : 1e-3;
}

async function writeIndex(dir: string, corpus: BehaviourCorpus, encoder: TextEmbeddingModel, task: string, options: CarStageOptions): Promise<string[]> {
  const onProgress = options.onProgress;
  return writeSnapshotIndexes({
    dir,
    corpus,
    embed: (texts) => encoder.embed(texts),
    dimensions: encoder.dimensions,
    ...(options.ann ? { ann: options.ann } : {}),
    ...(onProgress ? { onProgress: (event) => onProgress({ ...event, task }) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/**
 * The CAR stage (method.md, Stage 1): builds the behaviour corpus from the dataset, fine-tunes the
 * encoder on the CRM neighbours (Eq. 6, see {@link trainCar}), and writes under `outputDir`:
 * `encoder/` (the fine-tuned encoder, safetensors), `encoder-base/` (the same architecture with its
 * initial weights; `scratch`/`pooled` only), `index/` and `index-base/` (LanceDB tables of the
 * corpus embedded by each), `neighbours.json` (the CRM neighbours, for the `cf` variant),
 * `car.json` (what `loadCarRetriever` reads) and `metrics.json` (recall@K_e of the held-out
 * users' CRM neighbours and future overlap for base, car and cf).
 *
 * Caveat: without pretrained weights (`scratch`, `pooled`), `base` is the untuned initial encoder,
 * a weak stand-in for the paper's general retriever; with `bert:PATH` it is the real pretrained
 * model. `onnx:PATH` cannot be fine-tuned: the frozen model is `base`, and `car` is the same model
 * (`fineTuned: false`).
 */
export async function runCarStage(options: CarStageOptions): Promise<CarStageResult> {
  const started = performance.now();
  const settings = carStageSettings(options);
  const logger = options.logger ?? silentLogger;
  options.signal?.throwIfAborted();
  const runtime = await initTensorflow();
  const inputs = await carStageInputs(options, settings);
  fs.mkdirSync(options.outputDir, { recursive: true });
  options.signal?.throwIfAborted();
  const { training, base, car, baseLocation, carLocation, tables } = await tuneAndIndex(options, settings, inputs, logger);
  logger.info(`car: fine-tuned: recall@${settings.k} ${car.recall.toFixed(4)}, future overlap ${car.futureOverlap.toFixed(4)}`, { ...car });
  const cf = cfMetrics(inputs, settings);

  writeNeighboursFile(path.join(options.outputDir, 'neighbours.json'), inputs.neighbours);
  if (options.userEmbeddingsFile !== undefined) fs.copyFileSync(options.userEmbeddingsFile, path.join(options.outputDir, 'user-embeddings.safetensors'));
  const manifest: CarStageManifest = {
    formatVersion: CAR_STAGE_FORMAT_VERSION,
    encoder: formatEncoderSpec(settings.spec),
    fineTuned: training !== null,
    corpus: { maxItems: inputs.maxItems, boundaries: [...inputs.corpus.boundaries], tables },
    neighbours: 'neighbours.json',
    ...(options.userEmbeddingsFile !== undefined ? { userEmbeddings: 'user-embeddings.safetensors' } : {}),
    variants: { car: { encoder: carLocation, index: training !== null ? 'index' : 'index-base' }, base: { encoder: baseLocation, index: 'index-base' } },
  };
  writeFileAtomicSync(path.join(options.outputDir, 'car.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  let trainingSummary: CarStageResult['training'] = null;
  if (training !== null) {
    const { heldOutUsers: _omitted, ...rest } = training;
    trainingSummary = rest;
  }
  const result: CarStageResult = {
    encoder: manifest.encoder,
    fineTuned: manifest.fineTuned,
    backend: runtime.backend,
    inference: settings.inference,
    k: settings.k,
    neighboursPerUser: settings.neighboursPerUser,
    heldOutUsers: inputs.heldOut.length,
    corpus: { users: inputs.newest.length, entries: inputs.corpus.entries.length },
    base,
    car,
    cf,
    training: trainingSummary,
    seconds: (performance.now() - started) / 1000,
  };
  writeFileAtomicSync(path.join(options.outputDir, 'metrics.json'), `${JSON.stringify(result, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`);
  return result;
}

/** The checked settings of a CAR stage run. */
interface CarStageSettings {
  readonly spec: CarEncoderSpec;
  /** K_e. */
  readonly k: number;
  /** K_c. */
  readonly neighboursPerUser: number;
  readonly seed: number;
  readonly inference: EncoderInference;
}

/** Checks the options of {@link runCarStage} before any work. */
function carStageSettings(options: CarStageOptions): CarStageSettings {
  if (!options || typeof options.outputDir !== 'string' || options.outputDir === '') {
    throw new InvalidOptionError('outputDir', 'must be the folder the CAR stage writes into.', options?.outputDir);
  }
  if ((options.datasetDir === undefined) === (options.dataset === undefined)) {
    throw new InvalidOptionError('datasetDir', 'give exactly one of "datasetDir" (a folder with a prepared dataset) and "dataset".');
  }
  if ((options.neighboursFile === undefined) === (options.neighbours === undefined)) {
    throw new InvalidOptionError('neighboursFile', 'give exactly one of "neighboursFile" (the CRM stage\'s neighbours.json) and "neighbours".');
  }
  if (options.neighbours !== undefined && !(options.neighbours instanceof Map)) {
    throw new InvalidOptionError('neighbours', "must be a Map from user id to that user's CRM neighbours.");
  }
  if (options.userEmbeddingsFile !== undefined && !fs.existsSync(options.userEmbeddingsFile)) {
    throw new ArtifactNotFoundError(options.userEmbeddingsFile, 'The CRM user embeddings (userEmbeddingsFile)', 'crm');
  }
  const spec = parseEncoderSpec(options.encoder ?? 'pooled');
  const k = options.retrieved ?? 10;
  if (!Number.isInteger(k) || k < 1) throw new InvalidOptionError('retrieved', `must be a positive integer (K_e, the paper uses 10), got ${String(k)}.`, k);
  const neighboursPerUser = options.neighboursPerUser ?? 5;
  if (!Number.isInteger(neighboursPerUser) || neighboursPerUser < 1) {
    throw new InvalidOptionError('neighboursPerUser', `must be a positive integer (K_c, the paper uses 5), got ${String(neighboursPerUser)}.`, neighboursPerUser);
  }
  if (options.gradientChunkTexts !== undefined && (!Number.isInteger(options.gradientChunkTexts) || options.gradientChunkTexts < 0)) {
    throw new InvalidOptionError('gradientChunkTexts', `must be a non-negative integer (0: the whole batch in one pass), got ${String(options.gradientChunkTexts)}.`, options.gradientChunkTexts);
  }
  const seed = options.seed ?? 42;
  checkInteger('seed', seed);
  const inference = checkEncoderInference(options.inference ?? 'tfjs');
  if (options.maxTokens !== undefined) {
    checkInteger('maxTokens', options.maxTokens, 8);
    if (spec.kind === 'onnx') throw new InvalidOptionError('maxTokens', `applies to a scratch, pooled or bert:PATH encoder; the frozen ONNX encoder "${formatEncoderSpec(spec)}" keeps its own length. Leave it unset.`, options.maxTokens);
  }
  if (options.trainLayers !== undefined) {
    checkInteger('trainLayers', options.trainLayers, 1);
    if (spec.kind === 'onnx' || spec.kind === 'pooled') {
      throw new InvalidOptionError('trainLayers', `applies to a BERT encoder (scratch, bert:PATH), whose top layers it fine-tunes; "${formatEncoderSpec(spec)}" has none. Leave it unset.`, options.trainLayers);
    }
  }
  return { spec, k, neighboursPerUser, seed, inference };
}

/** What the stage reads and derives before training: the dataset, neighbours, corpus, held-out users and their future positives. */
interface CarStageInputs {
  readonly neighbours: ReadonlyMap<UserId, readonly CollaborativeNeighbour[]>;
  readonly maxItems: number;
  readonly corpus: BehaviourCorpus;
  /** Each user's newest snapshot: d(H(u)) over the training positives. */
  readonly newest: readonly CorpusText[];
  readonly texts: ReadonlyMap<UserId, string>;
  readonly inCorpus: (userId: UserId) => boolean;
  readonly heldOut: UserId[];
  /** Each user's valid and test positives. */
  readonly futurePositives: ReadonlyMap<UserId, ReadonlySet<ItemId>>;
}

/** Loads the dataset and neighbours, builds the corpus and picks the held-out users. */
async function carStageInputs(options: CarStageOptions, settings: CarStageSettings): Promise<CarStageInputs> {
  const dataset = options.dataset ?? (await loadDataset(options.datasetDir!));
  const neighbours = options.neighbours ?? readNeighboursFile(options.neighboursFile!);
  const maxItems = options.maxItems ?? 20;
  const corpus = buildBehaviourCorpus(dataset, { maxItems, snapshots: options.snapshots ?? 'monthly', ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  // Fine-tuning and evaluation see each user's newest snapshot: d(H(u)) over the training positives.
  const newest: CorpusText[] = corpus.entries.filter((entry) => entry.supersededAt === undefined);
  if (newest.length < 2) throw new InvalidOptionError('datasetDir', `the dataset gives ${newest.length} corpus user(s); CAR needs at least 2 users with training positives.`);
  const texts = new Map(newest.map((entry) => [entry.userId, entry.text]));
  const inCorpus = (userId: UserId) => texts.has(userId);
  const withNeighbours = newest.map((entry) => entry.userId).filter((userId) => topNeighbours(neighbours.get(userId), settings.neighboursPerUser, userId, inCorpus).length > 0);
  const heldOut = selectHeldOutUsers(withNeighbours, options.validationFraction ?? 0.1, settings.seed);
  const futurePositives = new Map<UserId, Set<ItemId>>();
  for (const row of dataset.rows) {
    if (row.label !== 1 || row.split === 'train') continue;
    const set = futurePositives.get(row.userId) ?? new Set<ItemId>();
    set.add(row.itemId);
    futurePositives.set(row.userId, set);
  }
  return { neighbours, maxItems, corpus, newest, texts, inCorpus, heldOut, futurePositives };
}

/** The base and fine-tuned variants: their metrics, where their encoders lie, the snapshot tables and the training report. */
interface TunedVariants {
  readonly training: CarTrainingReport | null;
  readonly base: CarVariantMetrics;
  readonly car: CarVariantMetrics;
  readonly baseLocation: CarEncoderLocation;
  readonly carLocation: CarEncoderLocation;
  readonly tables: string[];
}

/**
 * Creates the encoder, measures and indexes it as `base`, fine-tunes it (a trainable encoder) and
 * measures, saves and indexes it as `car`; a frozen ONNX model is both.
 */
async function tuneAndIndex(options: CarStageOptions, settings: CarStageSettings, inputs: CarStageInputs, logger: Logger): Promise<TunedVariants> {
  const { spec, k, neighboursPerUser, seed, inference } = settings;
  const { newest, neighbours, heldOut, futurePositives, corpus } = inputs;
  const evaluate = async (encoder: TextEmbeddingModel): Promise<CarVariantMetrics> => {
    const result = await evaluateRetrieval({ embed: (batch) => encoder.embed(batch), corpus: newest, neighbours, users: heldOut, k, neighboursPerUser, futurePositives });
    return { recall: result.recall, futureOverlap: result.futureOverlap, futureOverlapUsers: result.futureOverlapUsers };
  };
  const created = await createCarEncoder({
    spec,
    texts: newest.map((entry) => entry.text),
    seed,
    ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
    ...(options.vocabSize === undefined ? {} : { vocabSize: options.vocabSize }),
    ...(options.maxTokens === undefined ? {} : { maxLength: options.maxTokens }),
  });
  try {
    if (!created.trainable) {
      const base = await evaluate(created.encoder);
      logger.info(`car: base encoder ${created.encoder.modelId}: recall@${k} ${base.recall.toFixed(4)}, future overlap ${base.futureOverlap.toFixed(4)}`, { ...base });
      logger.warn(`car: "${formatEncoderSpec(spec)}" is a frozen ONNX model and cannot be fine-tuned; the "car" variant is the untuned model (the same as "base").`);
      const baseLocation: CarEncoderLocation = { kind: 'onnx', path: path.resolve((spec as { path: string }).path) };
      const tables = await writeIndex(path.join(options.outputDir, 'index-base'), corpus, created.encoder, 'car.index-base', options);
      return { training: null, base, car: base, baseLocation, carLocation: baseLocation, tables };
    }
    const encoder = created.encoder;
    let baseLocation: CarEncoderLocation;
    if (spec.kind === 'bert') {
      // The folder's own length may differ from maxTokens: the manifest records the one base ran with.
      baseLocation = { kind: 'trainable', path: path.resolve(spec.path), ...(options.maxTokens === undefined ? {} : { maxLength: encoder.maxLength }) };
    } else {
      await encoder.save(path.join(options.outputDir, 'encoder-base'));
      baseLocation = { kind: 'trainable', path: 'encoder-base' };
    }
    // Refuses more layers than the encoder has before any work.
    if (options.trainLayers !== undefined) trainableVariablesOfTopLayers(encoder, options.trainLayers);
    const { base, tables } = await withInferenceEncoder(encoder, inference, async (model) => {
      const measured = await evaluate(model);
      logger.info(`car: base encoder ${encoder.modelId}: recall@${k} ${measured.recall.toFixed(4)}, future overlap ${measured.futureOverlap.toFixed(4)}`, { ...measured });
      return { base: measured, tables: await writeIndex(path.join(options.outputDir, 'index-base'), corpus, model, 'car.index-base', options) };
    });
    const training = await trainCar({
      encoder,
      texts: inputs.texts,
      neighbours,
      heldOutUsers: heldOut,
      neighboursPerUser,
      kRecall: k,
      seed,
      learningRate: options.learningRate ?? defaultLearningRate(spec),
      positives: options.positives ?? (spec.kind === 'pooled' ? 'all' : 'sample'),
      temperature: options.temperature,
      batchSize: options.batchSize,
      epochs: options.epochs,
      patience: options.patience,
      gradientChunkTexts: options.gradientChunkTexts,
      lengthSortedChunks: options.lengthSortedChunks,
      onProgress: options.onProgress,
      logger,
      signal: options.signal,
      inference,
      ...(options.trainLayers === undefined ? {} : { trainLayers: options.trainLayers }),
    });
    options.signal?.throwIfAborted();
    await encoder.save(path.join(options.outputDir, 'encoder'));
    const car = await withInferenceEncoder(encoder, inference, async (model) => {
      const measured = await evaluate(model);
      await writeIndex(path.join(options.outputDir, 'index'), corpus, model, 'car.index', options);
      return measured;
    });
    return { training, base, car, baseLocation, carLocation: { kind: 'trainable', path: 'encoder' }, tables };
  } finally {
    await created.encoder.dispose();
  }
}

/** The `cf` variant's figures: each held-out user's top K_e CRM neighbours in the corpus, as retrieved users. */
function cfMetrics(inputs: CarStageInputs, settings: CarStageSettings): CarVariantMetrics {
  const { heldOut, neighbours, newest, inCorpus, futurePositives } = inputs;
  const { k, neighboursPerUser } = settings;
  const cfLists = new Map(heldOut.map((userId) => [userId, topNeighbours(neighbours.get(userId), k, userId, inCorpus)]));
  const itemsOf = new Map(newest.map((entry) => [entry.userId, entry.itemIds]));
  const cfOverlap = futureOverlap(cfLists, { users: heldOut, k, itemsOf: (userId) => itemsOf.get(userId) ?? [], futurePositives });
  return {
    recall: neighbourRecall(cfLists, neighbours, { users: heldOut, k, neighboursPerUser }),
    futureOverlap: cfOverlap.value,
    futureOverlapUsers: cfOverlap.users,
  };
}
