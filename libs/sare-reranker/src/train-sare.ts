import { InvalidOptionError, checkMethods, checkObject, integerOption, numberOption, createRandom } from '@score/core';
import { type EpochContext, shuffledIndices, type tf, type TrainableModel, type TrainingBatch, TRAINING_DEFAULTS, type TrainingReport, trainingLoopOptions, trainModel } from '@score/tfjs-runtime';
import { checkEncoderInference, type ContrastiveTrainingOptions, contrastiveBatch, type EncoderInference, gradientChunkTexts, infoNceLoss, type TrainableTextEncoder, trainableVariablesOfTopLayers, withInferenceEncoder } from '@score/text-encoders';
import { meanOrderAgreement, type OrderAgreement } from './order-agreement';
import { checkExamples, type SareExample } from './sare-example';
import { createSareReranker, type SareReranker } from './sare-reranker';
import { sampleShiftedNegatives } from './shifted-negatives';

/**
 * Options of {@link trainSare}. The loop settings and the gradient caching are those of
 * `ContrastiveTrainingOptions` (`@score/text-encoders`); SARE's own defaults: at most 10 epochs,
 * patience 2 (epochs without a better validation NDCG@K_s), `batchSize` 16 examples, learning
 * rate 1e-3 (suits an encoder trained from scratch; use about 2e-5 for pretrained BERT-family
 * weights), `seed` 42 (the validation split, shuffling and negative sampling). Progress events:
 * task `sare.train`, validation metric `validNdcg`, one every 5 batches.
 */
export interface TrainSareOptions extends ContrastiveTrainingOptions {
  /** The reranker encoder to fine-tune (from scratch or from BERT-family weights); trained in place. */
  readonly encoder: TrainableTextEncoder;
  /** Training examples: P^b queries and candidates ordered by O. */
  readonly examples: readonly SareExample[];
  /**
   * Held-out examples for early stopping.
   * @defaultValue `validationFraction` of `examples`, drawn with `seed` (and left out of training)
   */
  readonly validation?: readonly SareExample[];
  /**
   * Share of `examples` held out when `validation` is not given (at least one example).
   * @defaultValue 0.1
   */
  readonly validationFraction?: number;
  /**
   * tau of Eq. 12 (paper: 0.02).
   * @defaultValue 0.02
   */
  readonly temperature?: number;
  /**
   * Negatives are drawn from O[negativeThreshold:] (paper: 5); examples with no candidate after
   * the threshold are skipped.
   * @defaultValue 5
   */
  readonly negativeThreshold?: number;
  /**
   * Negatives per example (paper: 3).
   * @defaultValue 3
   */
  readonly negatives?: number;
  /**
   * Also use the other examples' keys in the batch as negatives (except candidates this example
   * ranks before `negativeThreshold`, which may be the same users). The paper uses only the
   * sampled negatives.
   * @defaultValue false
   */
  readonly inBatchNegatives?: boolean;
  /**
   * K_s, the cut-off of the NDCG used for early stopping (paper: 2).
   * @defaultValue 2
   */
  readonly topK?: number;
  /**
   * Where the validation orders are scored (before training and after each epoch): `tfjs`, the
   * encoder's forward pass; `onnx`, a BERT encoder's weights of that moment exported to
   * onnxruntime (every core; `withInferenceEncoder` of @score/text-encoders). A pooled encoder stays
   * on tfjs; training always runs on tfjs.
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

/**
 * The reranker's order of each example's candidates with `encoder`'s current weights, scored on
 * the `inference` route (see {@link TrainSareOptions.inference}).
 */
export function orderWithInference(encoder: TrainableTextEncoder, inference: EncoderInference, examples: readonly SareExample[]): Promise<string[][]> {
  return withInferenceEncoder(encoder, inference, (model) => createSareReranker({ encoder, ...(model === encoder ? {} : { inferenceEncoder: model }) }).orderExamples(examples));
}

/** The loss and sampling settings a SARE run used. */
export interface SareTrainingSettings {
  /** tau of Eq. 12. */
  readonly temperature: number;
  /** Negatives came from O[negativeThreshold:]. */
  readonly negativeThreshold: number;
  /** Negatives per example. */
  readonly negatives: number;
  readonly inBatchNegatives: boolean;
  /** K_s of the early-stopping NDCG. */
  readonly topK: number;
}

/** What {@link trainSare} returns. */
export interface SareTrainingReport {
  /** The reranker over the trained encoder. */
  readonly reranker: SareReranker;
  /** The shared loop's report (epochs, best epoch, per-epoch loss and validation NDCG). */
  readonly training: TrainingReport;
  /** Agreement with O on the validation examples before and after training. */
  readonly validationBefore: OrderAgreement;
  readonly validationAfter: OrderAgreement;
  /** Examples trained on, and those skipped for lack of a candidate after the threshold. */
  readonly trainExamples: number;
  readonly skippedExamples: number;
  readonly validationExamples: number;
  readonly settings: SareTrainingSettings;
}

/**
 * Fine-tunes SARE (method.md Stage 2 step 3, Eq. 10-12) with the shared training loop: for each
 * example, the query p_t = Enc(P^b), the positive O[0] and `negatives` users sampled from
 * O[negativeThreshold:] (Eq. 11) give the InfoNCE loss of Eq. 12 with g = exp(cos / tau);
 * early stopping keeps the epoch with the best NDCG@K_s of the reranker's order against O on the
 * held-out examples. A batch with more than `gradientChunkTexts` texts is embedded a few texts at a
 * time by gradient caching (the same loss and gradients, bounded memory).
 */
export async function trainSare(options: TrainSareOptions): Promise<SareTrainingReport> {
  checkObject('options', options);
  checkMethods('encoder', options.encoder, ['embedTensor', 'tokenize', 'embed'], 'a trainable text encoder from @score/text-encoders');
  checkExamples('examples', options.examples);
  const encoder = options.encoder;
  const temperature = numberOption('temperature', options.temperature, 0.02, 0, 100, true);
  const negativeThreshold = integerOption('negativeThreshold', options.negativeThreshold, 5, 1);
  const negatives = integerOption('negatives', options.negatives, 3, 1);
  const topK = integerOption('topK', options.topK, 2, 1);
  const seed = integerOption('seed', options.seed, TRAINING_DEFAULTS.seed, 0);
  const validationFraction = numberOption('validationFraction', options.validationFraction, 0.1, 0, 1, true);
  const inBatchNegatives = options.inBatchNegatives ?? false;
  const chunkTexts = gradientChunkTexts(encoder, options.gradientChunkTexts);
  // Checked before any work (a pooled encoder or more layers than the encoder has is refused).
  if (options.trainLayers !== undefined) trainableVariablesOfTopLayers(encoder, options.trainLayers);
  const { train, validation } = splitValidation(options, seed, validationFraction);
  const usable = train.filter((example) => example.candidates.length > negativeThreshold);
  if (usable.length === 0) {
    throw new InvalidOptionError(
      'examples',
      `no example has a candidate after the negative threshold ${negativeThreshold} (their orders hold at most ${Math.max(...train.map((example) => example.candidates.length))} candidates); lower "negativeThreshold" or retrieve more candidates (K_e).`,
    );
  }

  const reranker = createSareReranker({ encoder });
  const inference = checkEncoderInference(options.inference ?? 'tfjs');
  const agreement = async (): Promise<OrderAgreement> => {
    const predicted = await orderWithInference(encoder, inference, validation);
    return meanOrderAgreement(predicted.map((order, i) => ({ predicted: order, reference: validation[i].candidates.map((candidate) => candidate.id) })), topK);
  };
  const validationBefore = await agreement();
  const batching: SareBatching = { encoder, usable, temperature, negativeThreshold, negatives, inBatchNegatives, chunkTexts, lengthSortedChunks: options.lengthSortedChunks ?? false };
  const model: TrainableModel = {
    trainableVariables: options.trainLayers === undefined ? encoder.trainableVariables : trainableVariablesOfTopLayers(encoder, options.trainLayers),
    epochRows: () => usable.length,
    batches: (context) => sareBatches(batching, context),
    validate: async () => (await agreement()).ndcg,
  };
  const training = await trainModel(
    model,
    trainingLoopOptions(options, { epochs: 10, patience: 2, batchSize: 16, seed, validationMetric: 'validNdcg', task: 'sare.train', progressEveryBatches: 5 }),
  );
  const validationAfter = await agreement();
  return {
    reranker,
    training,
    validationBefore,
    validationAfter,
    trainExamples: usable.length,
    skippedExamples: train.length - usable.length,
    validationExamples: validation.length,
    settings: { temperature, negativeThreshold, negatives, inBatchNegatives, topK },
  };
}

/** The training and validation examples: `validation` when given, else a seeded `validationFraction` of `examples` held out. */
function splitValidation(options: TrainSareOptions, seed: number, validationFraction: number): { train: readonly SareExample[]; validation: readonly SareExample[] } {
  let train: readonly SareExample[] = options.examples;
  let validation: readonly SareExample[];
  if (options.validation !== undefined) {
    checkExamples('validation', options.validation);
    validation = options.validation;
  } else {
    if (train.length < 2) throw new InvalidOptionError('examples', `must hold at least 2 examples to hold one out for early stopping, got ${train.length}; or pass "validation".`);
    const order = shuffledIndices(train.length, createRandom(seed));
    const held = Math.min(train.length - 1, Math.max(1, Math.round(train.length * validationFraction)));
    validation = Array.from(order.subarray(0, held), (i) => train[i]);
    train = Array.from(order.subarray(held), (i) => train[i]);
  }
  if (validation.length === 0) throw new InvalidOptionError('validation', 'must hold at least one example for early stopping.');
  return { train, validation };
}

/** What {@link sareBatches} needs: the encoder, the usable examples and the loss settings. */
interface SareBatching {
  readonly encoder: TrainableTextEncoder;
  readonly usable: readonly SareExample[];
  readonly temperature: number;
  readonly negativeThreshold: number;
  readonly negatives: number;
  readonly inBatchNegatives: boolean;
  readonly chunkTexts: number;
  readonly lengthSortedChunks: boolean;
}

/**
 * One epoch's batches of {@link trainSare}: shuffled examples, each with its positive O[0] and
 * `negatives` keys sampled from O[negativeThreshold:] (Eq. 11), and the masks of Eq. 12.
 */
function* sareBatches(batching: SareBatching, { batchSize, random }: EpochContext): Iterable<TrainingBatch> {
  const { usable, negativeThreshold, negatives, inBatchNegatives, temperature } = batching;
  const order = shuffledIndices(usable.length, random);
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = Array.from(order.subarray(start, start + batchSize), (i) => usable[i]);
    const queries = batch.map((example) => example.query);
    const keys: { text: string; owner: number; id: string; positive: boolean }[] = [];
    batch.forEach((example, owner) => {
      keys.push({ text: example.candidates[0].text, owner, id: example.candidates[0].id, positive: true });
      for (const position of sampleShiftedNegatives(example.candidates.length, negativeThreshold, negatives, random)) {
        keys.push({ text: example.candidates[position].text, owner, id: example.candidates[position].id, positive: false });
      }
    });
    const near = batch.map((example) => new Set(example.candidates.slice(0, negativeThreshold).map((candidate) => candidate.id)));
    const positivesMask = batch.map((_, row) => keys.map((key) => (key.owner === row && key.positive ? 1 : 0)));
    const negativesMask = batch.map((_, row) =>
      keys.map((key) => (key.owner === row ? (key.positive ? 0 : 1) : inBatchNegatives && !near[row].has(key.id) ? 1 : 0)),
    );
    // Eq. 12: -log g(p_t, e+) / (g(p_t, e+) + sum over negatives g(p_t, e-)), g = exp(cos / tau).
    const loss = ([queryRows, keyRows]: readonly tf.Tensor2D[]): tf.Scalar => infoNceLoss(queryRows!, keyRows!, positivesMask, { temperature, negativesMask });
    yield contrastiveBatch(
      batching.encoder,
      [queries, keys.map((key) => key.text)],
      loss,
      { size: batch.length, chunkTexts: batching.chunkTexts, lengthSortedChunks: batching.lengthSortedChunks },
    );
  }
}
