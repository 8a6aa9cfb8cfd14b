import { InvalidOptionError, type Logger, type ProgressCallback, silentLogger, checkMethods, checkObject, integerOption, numberOption, createRandom } from '@score/core';
import { shuffledIndices, tf, type TrainableModel, type TrainingBatch, type TrainingReport, trainModel } from '@score/tfjs-runtime';
import { cachedEmbeddingGradients, infoNceLoss, type TrainableTextEncoder } from '@score/text-encoders';
import { meanOrderAgreement, type OrderAgreement } from './order-agreement';
import { checkExamples, type SareExample } from './sare-example';
import { createSareReranker, type SareReranker } from './sare-reranker';
import { sampleShiftedNegatives } from './shifted-negatives';

/** Options of {@link trainSare}. */
export interface TrainSareOptions {
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
  /** Examples per batch. @defaultValue 16 */
  readonly batchSize?: number;
  /** Most epochs. @defaultValue 10 */
  readonly epochs?: number;
  /** Epochs without a better validation NDCG@K_s before stopping. @defaultValue 2 */
  readonly patience?: number;
  /**
   * Adam learning rate; 1e-3 suits an encoder trained from scratch, use about 2e-5 for pretrained
   * BERT-family weights.
   * @defaultValue 1e-3
   */
  readonly learningRate?: number;
  /**
   * Most texts embedded in one forward-and-backward pass. A batch with more texts (its queries,
   * positives and negatives) takes its gradients by gradient caching (`cachedEmbeddingGradients`
   * of `@score/text-encoders`: the same loss and gradients, one extra forward pass, only one
   * chunk's activations alive at a time), which keeps a pretrained BERT's step within the wasm
   * backend's 4 GB; a batch that fits is embedded in one pass. `0` always embeds it in one pass.
   * @defaultValue 8 for a BERT encoder, 0 (one pass) for a pooled encoder
   */
  readonly gradientChunkTexts?: number;
  /**
   * With gradient caching, chunk a batch's texts by token length (`cachedEmbeddingGradients`'
   * `sortByLength`): less padding, so fewer attention positions; the same loss up to float
   * rounding, so training takes slightly different steps.
   * @defaultValue false
   */
  readonly lengthSortedChunks?: boolean;
  /** Put the best epoch's weights back at the end; `false` keeps the last epoch's weights. @defaultValue true */
  readonly restoreBestWeights?: boolean;
  /** Seed of the validation split, shuffling and negative sampling. @defaultValue 42 */
  readonly seed?: number;
  /** Training progress (task "sare.train"; validation metric "validNdcg"). @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** @defaultValue a silent logger */
  readonly logger?: Logger;
  /** Stops after the current batch; the best weights so far are kept. */
  readonly signal?: AbortSignal;
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
  const seed = integerOption('seed', options.seed, 42, 0);
  const validationFraction = numberOption('validationFraction', options.validationFraction, 0.1, 0, 1, true);
  const inBatchNegatives = options.inBatchNegatives ?? false;
  const chunkTexts = integerOption('gradientChunkTexts', options.gradientChunkTexts, encoder.architecture === 'pooled' ? 0 : 8, 0);
  const logger = options.logger ?? silentLogger;

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
  const usable = train.filter((example) => example.candidates.length > negativeThreshold);
  if (usable.length === 0) {
    throw new InvalidOptionError(
      'examples',
      `no example has a candidate after the negative threshold ${negativeThreshold} (their orders hold at most ${Math.max(...train.map((example) => example.candidates.length))} candidates); lower "negativeThreshold" or retrieve more candidates (K_e).`,
    );
  }

  const reranker = createSareReranker({ encoder });
  const agreement = async (): Promise<OrderAgreement> => {
    const predicted = await reranker.orderExamples(validation);
    return meanOrderAgreement(predicted.map((order, i) => ({ predicted: order, reference: validation[i].candidates.map((candidate) => candidate.id) })), topK);
  };
  const validationBefore = await agreement();

  const model: TrainableModel = {
    trainableVariables: encoder.trainableVariables,
    epochRows: () => usable.length,
    *batches({ batchSize, random }): Iterable<TrainingBatch> {
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
        const batchTexts = [...queries, ...keys.map((key) => key.text)];
        if (chunkTexts > 0 && batchTexts.length > chunkTexts) {
          const rowsLoss = (rows: tf.Tensor2D): tf.Scalar =>
            infoNceLoss(tf.slice(rows, [0, 0], [queries.length, rows.shape[1]]), tf.slice(rows, [queries.length, 0], [keys.length, rows.shape[1]]), positivesMask, {
              temperature,
              negativesMask,
            });
          yield { size: batch.length, gradients: (variables) => cachedEmbeddingGradients(encoder, batchTexts, rowsLoss, { chunkSize: chunkTexts, variables, sortByLength: options.lengthSortedChunks ?? false }) };
        } else {
          yield {
            size: batch.length,
            loss: () => {
              const q = encoder.tokenize(queries);
              const k = encoder.tokenize(keys.map((key) => key.text));
              return infoNceLoss(encoder.embedTensor(q.ids, q.mask), encoder.embedTensor(k.ids, k.mask), positivesMask, { temperature, negativesMask });
            },
          };
        }
      }
    },
    validate: async () => (await agreement()).ndcg,
  };
  const training = await trainModel(model, {
    epochs: options.epochs ?? 10,
    patience: options.patience ?? 2,
    batchSize: options.batchSize ?? 16,
    learningRate: options.learningRate ?? 1e-3,
    seed,
    validationMetric: 'validNdcg',
    task: 'sare.train',
    progressEveryBatches: 5,
    ...(options.restoreBestWeights === false ? { restoreBestWeights: false } : {}),
    onProgress: options.onProgress,
    logger,
    signal: options.signal,
  });
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
