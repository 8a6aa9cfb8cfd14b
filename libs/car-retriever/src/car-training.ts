import { InvalidOptionError, type UserId, checkInteger, checkNumber, createRandom } from '@score/core';
import { checkEncoderInference, type ContrastiveTrainingOptions, contrastiveBatch, type EncoderInference, gradientChunkTexts, infoNceLoss, type TrainableTextEncoder, trainableVariablesOfTopLayers, withInferenceEncoder } from '@score/text-encoders';
import { type EpochContext, shuffledIndices, tf, TRAINING_DEFAULTS, trainingLoopOptions, trainModel, type TrainableModel, type TrainingBatch } from '@score/tfjs-runtime';
import { cosineTopK } from './cosine-top-k';
import type { CollaborativeNeighbour } from './neighbour-retriever';
import { neighbourRecall, topNeighbours } from './retrieval-metrics';

/** How an anchor's positives enter a batch of {@link trainCar}. */
export type CarPositives = 'all' | 'sample';

/**
 * Options of {@link trainCar}. The loop settings and the gradient caching are those of
 * `ContrastiveTrainingOptions` (`@score/text-encoders`); CAR's own defaults: at most 10 epochs
 * (one epoch: every training anchor once), patience 2 (epochs without a better held-out recall),
 * `batchSize` 16 anchor users (their in-batch negatives are the batch's other users), learning
 * rate 1e-3 (use about 2e-5 for a pretrained BERT), `seed` 42 (the held-out split, the shuffles
 * and the positive sampling). Progress events: task `car.train`, rows = anchors, validation
 * metric `neighbourRecall`. The held-out recall embeds in batches of `gradientChunkTexts` as well
 * (the encoder's own batch size when 0).
 */
export interface TrainCarOptions extends ContrastiveTrainingOptions {
  /** The encoder to fine-tune in place (its best weights are kept at the end). */
  readonly encoder: TrainableTextEncoder;
  /** d(H(u)) of every corpus user: the texts anchors, positives and negatives are drawn from. */
  readonly texts: ReadonlyMap<UserId, string>;
  /** N_c(u), the CRM's neighbours of each user (method.md Eq. 3-4); neighbours outside `texts` are ignored. */
  readonly neighbours: ReadonlyMap<UserId, readonly CollaborativeNeighbour[]>;
  /**
   * Users kept out of the anchors, whose recall of their CRM neighbours drives early stopping.
   * @defaultValue a seeded `validationFraction` of the users that have neighbours
   */
  readonly heldOutUsers?: readonly UserId[];
  /**
   * Share of the users with neighbours held out when `heldOutUsers` is not given (0 < x < 1).
   * @defaultValue 0.1
   */
  readonly validationFraction?: number;
  /**
   * K_c: the best this many CRM neighbours of a user are its positives (method.md Eq. 6).
   * @defaultValue 5
   */
  readonly neighboursPerUser?: number;
  /**
   * `all`: every anchor brings all its K_c positives, and the loss sums over them (Eq. 6 as
   * written); `sample`: one positive per anchor, drawn afresh each epoch (cheaper per batch).
   * Either way, no neighbour of an anchor is ever one of its negatives.
   * @defaultValue 'all'
   */
  readonly positives?: CarPositives;
  /**
   * tau of g = exp(cos / tau) (Eq. 6).
   * @defaultValue 0.1
   */
  readonly temperature?: number;
  /**
   * k of the held-out recall@k of the CRM neighbours (K_e).
   * @defaultValue 10
   */
  readonly kRecall?: number;
  /**
   * Where the held-out recall embeds the corpus after each epoch: `tfjs` (the encoder's own
   * forward pass, in batches of `gradientChunkTexts`), or `onnx` (a BERT encoder's weights of
   * that moment exported to onnxruntime, every core; a pooled encoder stays on tfjs). Training
   * itself always runs on tfjs.
   * @defaultValue 'tfjs'
   */
  readonly inference?: EncoderInference;
  /**
   * Fine-tune only the top this many transformer layers of a BERT encoder (and what follows them);
   * the embeddings and lower layers stay frozen (see `trainableVariablesOfTopLayers`). Cheaper
   * steps, less fidelity than the paper's full fine-tuning.
   * @defaultValue every weight
   */
  readonly trainLayers?: number;
}

/** One epoch of a {@link CarTrainingReport}. */
export interface CarEpoch {
  readonly epoch: number;
  /** Mean L_CAR over the epoch's anchors. */
  readonly loss: number;
  /** Held-out recall@k of the CRM neighbours after the epoch. */
  readonly recall: number;
  readonly seconds: number;
}

/** What {@link trainCar} returns. */
export interface CarTrainingReport {
  readonly epochs: number;
  /** Epoch whose weights the encoder holds (0 = the initial weights were best). */
  readonly bestEpoch: number;
  /** Held-out recall@k of the untuned encoder (before the first epoch). */
  readonly baseRecall: number;
  /** Held-out recall@k of the kept weights. */
  readonly bestRecall: number;
  readonly kRecall: number;
  /** Mean training seconds per epoch (validation excluded). */
  readonly secondsPerEpoch: number;
  readonly history: readonly CarEpoch[];
  readonly stoppedEarly: boolean;
  readonly aborted: boolean;
  /** Anchors trained on per epoch. */
  readonly trainUsers: number;
  /** The held-out users. */
  readonly heldOutUsers: readonly UserId[];
}

/**
 * A seeded `fraction` of `users` (at least one, at most all but one), in the input order:
 * the held-out users of {@link trainCar} and of the stage's evaluation.
 */
export function selectHeldOutUsers(users: readonly UserId[], fraction: number, seed: number): UserId[] {
  checkNumber('validationFraction', fraction, { minimum: 0, maximum: 1, openMinimum: true, openMaximum: true });
  checkInteger('seed', seed);
  if (users.length < 2) throw new InvalidOptionError('neighbours', `at least 2 corpus users with CRM neighbours are needed to hold some out, got ${users.length}.`);
  const count = Math.min(users.length - 1, Math.max(1, Math.round(fraction * users.length)));
  const order = shuffledIndices(users.length, createRandom(seed));
  const chosen = new Set(Array.from(order.subarray(0, count)));
  return users.filter((_, i) => chosen.has(i));
}

/**
 * Contrastive fine-tuning of CAR (method.md Eq. 6):
 *
 *   L_CAR = - sum_{u_i in N_c(u_t)} log [ g(h_t, h_i) / ( g(h_t, h_i) + sum_{u_j in B-} g(h_t, h_j) ) ],  g = exp(cos / tau)
 *
 * Each batch takes `batchSize` anchor users u_t and their positives (their top K_c CRM neighbours,
 * all of them or one sampled); the keys are every distinct user of the batch (anchors and
 * positives), so B- = the batch's other users minus the anchor's own neighbours. Anchors and keys
 * are embedded in one forward pass of the encoder, or `gradientChunkTexts` texts at a time by
 * gradient caching when the batch holds more (the same loss and gradients). Runs on the shared loop `trainModel` (Adam,
 * early stopping on the held-out users' recall@`kRecall` of their CRM neighbours, retrieved by
 * cosine among all corpus users but themselves, best weights restored).
 */
export async function trainCar(options: TrainCarOptions): Promise<CarTrainingReport> {
  const settings = carSettings(options);
  const split = carSplit(options, settings);
  const { encoder, texts, neighbours } = options;
  const { users, anchors, validationUsers } = split;
  const allTexts = users.map((userId) => texts.get(userId)!);
  const queryRows = validationUsers.map((userId) => split.rowOf.get(userId)!);
  const { kRecall, neighboursPerUser, chunkTexts } = settings;

  let validations = 0;
  let baseRecall = Number.NaN;
  const model: TrainableModel = {
    trainableVariables: settings.trainLayers === undefined ? encoder.trainableVariables : trainableVariablesOfTopLayers(encoder, settings.trainLayers),
    epochRows: () => anchors.length,
    batches: (context) => carBatches(options, settings, split, context),
    async validate(): Promise<number> {
      // Batches as small as the gradient chunks: a pretrained BERT's forward pass over 32 texts of 256 tokens crashed the wasm backend (4 GB).
      const vectors = await withInferenceEncoder(encoder, settings.inference, (model) => model.embed(allTexts, model === encoder && chunkTexts > 0 ? { batchSize: chunkTexts } : {}));
      const lists = cosineTopK(vectors, queryRows, kRecall);
      const retrieved = new Map(validationUsers.map((userId, i) => [userId, lists[i]!.map((row) => users[row]!)]));
      const recall = neighbourRecall(retrieved, neighbours, { users: validationUsers, k: kRecall, neighboursPerUser });
      if (validations === 0) baseRecall = recall;
      validations += 1;
      return recall;
    },
  };
  const report = await trainModel(
    model,
    trainingLoopOptions(options, { epochs: 10, patience: 2, batchSize: 16, seed: settings.seed, task: 'car.train', validationMetric: 'neighbourRecall' }),
  );
  return {
    epochs: report.epochs,
    bestEpoch: report.bestEpoch,
    baseRecall,
    bestRecall: report.bestValidation,
    kRecall,
    secondsPerEpoch: report.secondsPerEpoch,
    history: report.history.map((record) => ({ epoch: record.epoch, loss: record.loss, recall: record.validation, seconds: record.seconds })),
    stoppedEarly: report.stoppedEarly,
    aborted: report.aborted,
    trainUsers: anchors.length,
    heldOutUsers: split.heldOut,
  };
}

/** The validated loss and sampling settings of a {@link trainCar} run. */
interface CarSettings {
  readonly neighboursPerUser: number;
  readonly kRecall: number;
  readonly temperature: number;
  readonly positives: CarPositives;
  readonly seed: number;
  readonly chunkTexts: number;
  readonly lengthSortedChunks: boolean;
  readonly inference: EncoderInference;
  readonly trainLayers: number | undefined;
}

/** Checks the inputs of {@link trainCar} and fills its defaults. */
function carSettings(options: TrainCarOptions): CarSettings {
  const { encoder, texts, neighbours } = options;
  if (!encoder || typeof encoder.embedTensor !== 'function') throw new InvalidOptionError('encoder', 'must be a trainable text encoder (createPooledEncoder, createBertEncoder, loadBertEncoder).');
  if (!(texts instanceof Map) || texts.size === 0) throw new InvalidOptionError('texts', 'must be a non-empty Map from user id to behaviour text.');
  if (!(neighbours instanceof Map)) throw new InvalidOptionError('neighbours', "must be a Map from user id to that user's CRM neighbours.");
  const neighboursPerUser = options.neighboursPerUser ?? 5;
  checkInteger('neighboursPerUser', neighboursPerUser, 1);
  const kRecall = options.kRecall ?? 10;
  checkInteger('kRecall', kRecall, 1);
  const temperature = options.temperature ?? 0.1;
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
    throw new InvalidOptionError('temperature', `must be a positive number (the paper uses 0.1), got ${String(temperature)}.`, temperature);
  }
  const positives = options.positives ?? 'all';
  if (positives !== 'all' && positives !== 'sample') {
    throw new InvalidOptionError('positives', `must be "all" or "sample", got ${JSON.stringify(positives)}.`, positives);
  }
  const seed = options.seed ?? TRAINING_DEFAULTS.seed;
  checkInteger('seed', seed);
  const chunkTexts = gradientChunkTexts(encoder, options.gradientChunkTexts);
  const inference = checkEncoderInference(options.inference ?? 'tfjs');
  // Checked before any work (a pooled encoder or more layers than the encoder has is refused).
  if (options.trainLayers !== undefined) trainableVariablesOfTopLayers(encoder, options.trainLayers);
  return { neighboursPerUser, kRecall, temperature, positives, seed, chunkTexts, lengthSortedChunks: options.lengthSortedChunks ?? false, inference, trainLayers: options.trainLayers };
}

/** The users of a {@link trainCar} run: the corpus, each user's positives, the held-out users and the anchors. */
interface CarSplit {
  /** Every corpus user, in `texts` order (row i of the held-out retrieval). */
  readonly users: readonly UserId[];
  readonly rowOf: ReadonlyMap<UserId, number>;
  /** The top K_c CRM neighbours inside the corpus of each user that has any. */
  readonly positivesOf: ReadonlyMap<UserId, readonly UserId[]>;
  readonly heldOut: UserId[];
  /** Users with positives outside the held-out users: the anchors of the batches. */
  readonly anchors: readonly UserId[];
  /** Held-out users with positives: whose recall drives early stopping. */
  readonly validationUsers: readonly UserId[];
}

/** Finds each user's positives and splits the users into anchors and held-out users. */
function carSplit(options: TrainCarOptions, settings: CarSettings): CarSplit {
  const { texts, neighbours } = options;
  const users = [...texts.keys()];
  const rowOf = new Map(users.map((userId, row) => [userId, row]));
  const positivesOf = new Map<UserId, UserId[]>();
  for (const userId of users) {
    const list = topNeighbours(neighbours.get(userId), settings.neighboursPerUser, userId, (id) => rowOf.has(id));
    if (list.length > 0) positivesOf.set(userId, list);
  }
  const withNeighbours = users.filter((userId) => positivesOf.has(userId));
  let heldOut: UserId[];
  if (options.heldOutUsers !== undefined) {
    if (!Array.isArray(options.heldOutUsers)) throw new InvalidOptionError('heldOutUsers', 'must be an array of user ids.');
    const unknown = options.heldOutUsers.filter((userId) => !rowOf.has(userId));
    if (unknown.length > 0) throw new InvalidOptionError('heldOutUsers', `must be corpus users; ${unknown.length} are not, e.g. "${unknown[0]}".`, unknown.slice(0, 5));
    heldOut = [...new Set(options.heldOutUsers)];
  } else {
    heldOut = selectHeldOutUsers(withNeighbours, options.validationFraction ?? 0.1, settings.seed);
  }
  const heldOutSet = new Set(heldOut);
  const anchors = withNeighbours.filter((userId) => !heldOutSet.has(userId));
  if (anchors.length === 0) throw new InvalidOptionError('neighbours', 'no corpus user outside the held-out users has a CRM neighbour in the corpus, so there is nothing to train on.');
  const validationUsers = heldOut.filter((userId) => positivesOf.has(userId));
  if (validationUsers.length === 0) throw new InvalidOptionError('heldOutUsers', 'none of the held-out users has a CRM neighbour in the corpus, so early stopping has nothing to measure.');
  return { users, rowOf, positivesOf, heldOut, anchors, validationUsers };
}

/**
 * One epoch's batches of {@link trainCar}: `batchSize` shuffled anchors each, their positives (all,
 * or one sampled), the keys every distinct user of the batch, and the masks of Eq. 6 (no neighbour
 * of an anchor is one of its negatives).
 */
function* carBatches(options: TrainCarOptions, settings: CarSettings, split: CarSplit, context: EpochContext): Iterable<TrainingBatch> {
  const { anchors, positivesOf } = split;
  const { temperature } = settings;
  const order = shuffledIndices(anchors.length, context.random);
  for (let start = 0; start < order.length; start += context.batchSize) {
    const batchAnchors = Array.from(order.subarray(start, start + context.batchSize), (i) => anchors[i]!);
    const keyUsers = [...batchAnchors];
    const keyIndex = new Map(batchAnchors.map((userId, i) => [userId, i]));
    const chosen = batchAnchors.map((userId) => {
      const list = positivesOf.get(userId)!;
      return settings.positives === 'all' ? list : [list[Math.floor(context.random() * list.length)]!];
    });
    for (const list of chosen) {
      for (const userId of list) {
        if (keyIndex.has(userId)) continue;
        keyIndex.set(userId, keyUsers.length);
        keyUsers.push(userId);
      }
    }
    const positivesMask = batchAnchors.map(() => new Array<number>(keyUsers.length).fill(0));
    const negativesMask = batchAnchors.map((userId, t) => {
      const related = new Set(positivesOf.get(userId)!);
      return keyUsers.map((other, j) => (j === t || related.has(other) ? 0 : 1));
    });
    chosen.forEach((list, t) => list.forEach((userId) => (positivesMask[t]![keyIndex.get(userId)!] = 1)));
    const batchTexts = keyUsers.map((userId) => options.texts.get(userId)!);
    const keysLoss = ([keys]: readonly tf.Tensor2D[]): tf.Scalar => {
      const queries = tf.slice(keys!, [0, 0], [batchAnchors.length, keys!.shape[1]]);
      return infoNceLoss(queries, keys!, positivesMask, { temperature, negativesMask });
    };
    yield contrastiveBatch(options.encoder, [batchTexts], keysLoss, { size: batchAnchors.length, chunkTexts: settings.chunkTexts, lengthSortedChunks: settings.lengthSortedChunks });
  }
}
