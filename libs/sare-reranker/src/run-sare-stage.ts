import path from 'node:path';
import { InvalidOptionError, type Logger, type ProgressCallback, silentLogger, replaceFolder, writeFileAtomicSync, checkObject, integerOption, numberOption, stringOption, createRandom } from '@score/core';
import { shuffledIndices } from '@score/tfjs-runtime';
import { checkEncoderInference, type EncoderInference, type TrainableTextEncoder, trainableVariablesOfTopLayers } from '@score/text-encoders';
import { createSareEncoder, type CreateSareEncoderOptions } from './create-sare-encoder';
import { meanOrderAgreement, type OrderAgreement } from './order-agreement';
import { readRankingsFile } from './rankings-file';
import type { SareExample } from './sare-example';
import type { SareReranker } from './sare-reranker';
import { orderWithInference, type SareTrainingSettings, trainSare, type TrainSareOptions } from './train-sare';

/** Training pairs whose texts train the default encoder's tokenizer (enough for its vocabulary, and fast). */
const TOKENIZER_EXAMPLES = 2000;

/** Folder of the SARE stage inside a run folder. */
export const SARE_FOLDER = 'sare';

/** Options of {@link runSareStage}. */
export interface SareStageOptions
  extends Pick<TrainSareOptions, 'temperature' | 'negativeThreshold' | 'negatives' | 'inBatchNegatives' | 'batchSize' | 'epochs' | 'patience' | 'learningRate' | 'gradientChunkTexts' | 'lengthSortedChunks' | 'trainLayers'> {
  /** The run folder: reads `<runDir>/assess/rankings.jsonl`, writes `<runDir>/sare/`. */
  readonly runDir: string;
  /** The rankings file to learn from. @defaultValue `<runDir>/assess/rankings.jsonl` */
  readonly rankingsFile?: string;
  /** Folder the reranker and report are written to. @defaultValue `<runDir>/sare` */
  readonly outputDir?: string;
  /**
   * The reranker encoder to fine-tune.
   * @defaultValue `createSareEncoder({ ...encoderOptions, texts })`, its tokenizer trained on the texts of the first 2,000 training pairs
   */
  readonly encoder?: TrainableTextEncoder;
  /**
   * How the default encoder is made (see {@link createSareEncoder}); ignored with `encoder`.
   * @defaultValue {} (a pooled encoder from scratch)
   */
  readonly encoderOptions?: Omit<CreateSareEncoderOptions, 'texts'>;
  /**
   * Share of the pairs held out, split in half: validation (early stopping) and test (the reported
   * agreement); each half gets at least one pair.
   * @defaultValue 0.2
   */
  readonly holdoutFraction?: number;
  /**
   * K_s, the cut-off of the reported and early-stopping NDCG (paper: 2).
   * @defaultValue 2
   */
  readonly topK?: number;
  /** Seed of the split, shuffling and negative sampling. @defaultValue 42 */
  readonly seed?: number;
  /** Training progress (task "sare.train"). @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** @defaultValue a silent logger */
  readonly logger?: Logger;
  /** Stops training after the current batch; the best weights so far are saved. */
  readonly signal?: AbortSignal;
  /**
   * Where the held-out pairs are scored (untrained, during training and trained): `tfjs` or
   * `onnx` (a BERT encoder's weights on onnxruntime; see `TrainSareOptions.inference`).
   * @defaultValue 'tfjs'
   */
  readonly inference?: EncoderInference;
}

/** Agreement with O of the orders compared on one held-out set. */
export interface SareEvaluation {
  /** CAR's order (the retriever's) against O. */
  readonly retrieval: OrderAgreement;
  /** SARE before fine-tuning against O. */
  readonly sareUntrained: OrderAgreement;
  /** SARE after fine-tuning against O. */
  readonly sare: OrderAgreement;
}

/** `<runDir>/sare/report.json`, also returned by {@link runSareStage} (with the reranker). */
export interface SareStageResult {
  readonly stage: 'sare';
  /** The reranker's `modelId`. */
  readonly modelId: string;
  /** The fine-tuned encoder. */
  readonly encoder: { readonly modelId: string; readonly architecture: string; readonly dimensions: number };
  /** Pairs trained on (and skipped: no candidate after the threshold), used for early stopping, and tested. */
  readonly pairs: { readonly train: number; readonly validation: number; readonly test: number; readonly skippedTrain: number };
  /** K_s of the reported NDCG. */
  readonly topK: number;
  readonly settings: SareTrainingSettings;
  /** On the test pairs (never used for training or early stopping). */
  readonly test: SareEvaluation;
  /** On the validation pairs (used for early stopping). */
  readonly validation: SareEvaluation;
  /** The training run: epochs, the best epoch (whose weights were saved), per-epoch loss and validation NDCG@K_s. */
  readonly training: { readonly epochs: number; readonly bestEpoch: number; readonly stoppedEarly: boolean; readonly secondsPerEpoch: number; readonly history: readonly { readonly epoch: number; readonly loss: number; readonly validNdcg: number }[] };
  /** Wall-clock seconds of the stage. */
  readonly seconds: number;
  /** Where the reranker was saved (`<runDir>/sare`). */
  readonly folder: string;
}

/**
 * The SARE stage (method.md Stage 2 step 3): reads the assess stage's rankings, holds out
 * validation and test pairs, fine-tunes the reranker encoder with {@link trainSare}, reports
 * NDCG@K_s and Kendall's tau against O for CAR's order, the untrained and the trained SARE, and
 * saves the reranker to `<runDir>/sare/` (with `report.json`).
 */
export async function runSareStage(options: SareStageOptions): Promise<SareStageResult & { readonly reranker: SareReranker }> {
  checkObject('options', options);
  const runDir = stringOption('runDir', options.runDir);
  const holdoutFraction = numberOption('holdoutFraction', options.holdoutFraction, 0.2, 0, 1, true);
  const topK = integerOption('topK', options.topK, 2, 1);
  const seed = integerOption('seed', options.seed, 42, 0);
  const logger = options.logger ?? silentLogger;
  const started = performance.now();

  const examples = (await readRankingsFile(options.rankingsFile ?? path.join(runDir, 'assess', 'rankings.jsonl'))).filter((example) => example.candidates.length >= 2);
  if (examples.length < 3) {
    throw new InvalidOptionError('runDir', `the rankings of ${runDir} hold ${examples.length} pairs with 2 or more candidates; SARE needs at least 3 (train, validation, test). Assess more pairs.`);
  }
  const order = shuffledIndices(examples.length, createRandom(seed));
  const held = Math.min(examples.length - 1, Math.max(2, Math.round(examples.length * holdoutFraction)));
  const validationCount = Math.floor(held / 2);
  const pick = (from: number, to: number) => Array.from(order.subarray(from, to), (i) => examples[i]);
  const validation = pick(0, validationCount);
  const test = pick(validationCount, held);
  const train = pick(held, examples.length);

  const tokenizerTexts = train.slice(0, TOKENIZER_EXAMPLES).flatMap((example) => [example.query, ...example.candidates.map((candidate) => candidate.text)]);
  const encoder = options.encoder ?? (await createSareEncoder({ ...options.encoderOptions, texts: tokenizerTexts }));
  const inference = checkEncoderInference(options.inference ?? 'tfjs');
  // Refuses a pooled encoder or more layers than the encoder has before any work.
  if (options.trainLayers !== undefined) trainableVariablesOfTopLayers(encoder, options.trainLayers);
  const untrainedTest = await evaluateUntrained(encoder, test, topK, inference);
  const untrainedValidation = await evaluateUntrained(encoder, validation, topK, inference);
  logger.info(`Training SARE on ${train.length} pairs (validation ${validation.length}, test ${test.length}).`);
  const trained = await trainSare({
    encoder,
    examples: train,
    validation,
    temperature: options.temperature,
    negativeThreshold: options.negativeThreshold,
    negatives: options.negatives,
    inBatchNegatives: options.inBatchNegatives,
    batchSize: options.batchSize,
    epochs: options.epochs,
    patience: options.patience,
    learningRate: options.learningRate,
    gradientChunkTexts: options.gradientChunkTexts,
    lengthSortedChunks: options.lengthSortedChunks,
    topK,
    seed,
    onProgress: options.onProgress,
    logger,
    signal: options.signal,
    inference,
    ...(options.trainLayers === undefined ? {} : { trainLayers: options.trainLayers }),
  });
  const reranker = trained.reranker;
  const evaluate = async (set: readonly SareExample[], untrained: OrderAgreement): Promise<SareEvaluation> => ({
    retrieval: retrievalAgreement(set, topK),
    sareUntrained: untrained,
    sare: meanOrderAgreement((await orderWithInference(reranker.encoder, inference, set)).map((predicted, i) => ({ predicted, reference: set[i].candidates.map((candidate) => candidate.id) })), topK),
  });
  const folder = options.outputDir ?? path.join(runDir, SARE_FOLDER);
  const report: SareStageResult = {
    stage: 'sare',
    modelId: reranker.modelId,
    encoder: { modelId: encoder.modelId, architecture: encoder.architecture, dimensions: encoder.dimensions },
    pairs: { train: trained.trainExamples, validation: validation.length, test: test.length, skippedTrain: trained.skippedExamples },
    topK,
    settings: trained.settings,
    test: await evaluate(test, untrainedTest),
    validation: await evaluate(validation, untrainedValidation),
    training: {
      epochs: trained.training.epochs,
      bestEpoch: trained.training.bestEpoch,
      stoppedEarly: trained.training.stoppedEarly,
      secondsPerEpoch: trained.training.secondsPerEpoch,
      history: trained.training.history.map((record) => ({ epoch: record.epoch, loss: record.loss, validNdcg: record.validation })),
    },
    seconds: (performance.now() - started) / 1000,
    folder,
  };
  await replaceFolder(folder, async (temporary) => {
    await reranker.save(temporary, { settings: trained.settings });
    writeFileAtomicSync(path.join(temporary, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  });
  logger.info(`SARE NDCG@${topK} vs O on test pairs: ${report.test.sare.ndcg.toFixed(4)} (CAR order ${report.test.retrieval.ndcg.toFixed(4)}).`, { test: report.test });
  return { ...report, reranker };
}

/** CAR's order (each example's `retrievalOrder`) against O. */
function retrievalAgreement(examples: readonly SareExample[], topK: number): OrderAgreement {
  return meanOrderAgreement(
    examples.filter((example) => example.retrievalOrder !== undefined).map((example) => ({ predicted: example.retrievalOrder!, reference: example.candidates.map((candidate) => candidate.id) })),
    topK,
  );
}

async function evaluateUntrained(encoder: TrainableTextEncoder, examples: readonly SareExample[], topK: number, inference: EncoderInference): Promise<OrderAgreement> {
  const predicted = await orderWithInference(encoder, inference, examples);
  return meanOrderAgreement(predicted.map((order, i) => ({ predicted: order, reference: examples[i].candidates.map((candidate) => candidate.id) })), topK);
}
