import { InvalidOptionError, checkInteger } from '@score/core';
import { tf, type TrainingReport, trainingLoopOptions, trainModel, type TrainingRunOptions } from '@score/tfjs-runtime';
import type { InProcessLanguageModel } from './in-process-language-model';
import { TokenBatches } from './token-batches';
import { padBatch } from './yes-no-scoring';

/**
 * Options of {@link pretrainRecLm}. The loop settings are `TrainingRunOptions` (`@score/tfjs-runtime`)
 * with the pretraining's defaults: at most 4 epochs, patience 1 (epochs without a lower validation
 * loss), `batchSize` 16 texts, learning rate 3e-3, `seed` 42 (batching and dropout). Progress
 * events: task "reclm.pretrain" with loss and tokens/s.
 */
export interface PretrainRecLmOptions extends TrainingRunOptions {
  /** The pretraining corpus (e.g. users' behaviour texts: the titles they liked, in order). */
  readonly texts: readonly string[];
  /** Texts held out for the validation loss (early stopping). @defaultValue the last 5% of `texts` (at least 1) */
  readonly validTexts?: readonly string[];
  /** Longer texts are cut into windows of this many tokens (BOS included). @defaultValue 128 */
  readonly windowTokens?: number;
  /**
   * Tokens the next-token softmax runs over. `"corpus"`: only those the texts (train and valid)
   * hold, so tokens the corpus never contains (for a from-scratch tokenizer: the prompt template
   * pieces, "Yes" and "No", unused sub-words) keep their initial embeddings. With tied embeddings,
   * `"all"` pushes every such token down one shared direction, and the pretrained LM's final hidden
   * state then points mostly along it: at a prompt's answer position it hardly varied across
   * prompts, and Yes/No tuning often sat at the base rate for epochs. `"all"`: the whole vocabulary.
   * @defaultValue "corpus"
   */
  readonly outputTokens?: 'corpus' | 'all';
}

/** What {@link pretrainRecLm} returns: the loop's report (validation = minus the mean token loss) and throughput. */
export interface RecLmPretrainingReport extends TrainingReport {
  /** Token windows trained on per epoch. */
  readonly windows: number;
  /** Tokens per second of training, over all epochs. */
  readonly tokensPerSecond: number;
}

/** `<bos> tokens` of each text, cut into windows of at most `window` tokens (each window starts with BOS). */
function windowsOf(lm: InProcessLanguageModel, texts: readonly string[], window: number): number[][] {
  const out: number[][] = [];
  for (const text of texts) {
    const ids = lm.encodePrompt(text);
    const bos = ids[0]!;
    const body = ids.slice(1);
    for (let start = 0; start < body.length; start += window - 1) {
      const piece = [bos, ...body.slice(start, start + window - 1)];
      if (piece.length >= 2) out.push(piece);
    }
  }
  return out;
}

/** The output tokens of the softmax (ascending ids) and each one's column; undefined: the whole vocabulary. */
interface OutputVocabulary {
  readonly ids: readonly number[];
  readonly column: ReadonlyMap<number, number>;
}

function corpusVocabulary(windows: readonly (readonly number[])[]): OutputVocabulary {
  const present = new Set<number>();
  for (const window of windows) for (let t = 1; t < window.length; t++) present.add(window[t]!);
  const ids = [...present].sort((a, b) => a - b);
  return { ids, column: new Map(ids.map((id, column) => [id, column])) };
}

/**
 * Mean next-token cross-entropy over the real (unpadded) positions of a batch, the softmax over
 * `vocabulary` (every window's targets must be in it) or the whole vocabulary. Call inside `tf.tidy`.
 */
function nextTokenLoss(lm: InProcessLanguageModel, windows: readonly (readonly number[])[], training: boolean, vocabulary?: OutputVocabulary): tf.Scalar {
  const { ids, lengths } = padBatch(windows, 0);
  const [batch, time] = ids.shape;
  const hidden = tf.reshape(lm.model.hiddenStates(ids, training), [batch * time, lm.model.config.hiddenSize]) as tf.Tensor2D;
  const logits = lm.model.logitsOf(hidden, vocabulary?.ids);
  const targets = new Int32Array(batch * time);
  const weights = new Float32Array(batch * time);
  let count = 0;
  windows.forEach((window, b) => {
    for (let t = 0; t + 1 < lengths[b]!; t++) {
      const target = window[t + 1]!;
      targets[b * time + t] = vocabulary ? vocabulary.column.get(target)! : target;
      weights[b * time + t] = 1;
      count += 1;
    }
  });
  const picked = tf.sum(tf.mul(tf.oneHot(tf.tensor1d(targets, 'int32'), logits.shape[1]), tf.logSoftmax(logits)), 1);
  return tf.div(tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(weights)))), Math.max(count, 1)) as tf.Scalar;
}

/**
 * Pretrains a from-scratch recommender LM with next-token prediction on a text corpus (every weight
 * trains), before {@link trainRecLm} tunes it on Yes/No prompts. For the embedded default this
 * stands in for an LLM's pretraining: the corpus is the train split's behaviour texts, so the model
 * learns which titles go together before it learns to answer. Early stopping watches the held-out
 * texts' mean token loss; the best weights are restored.
 */
export async function pretrainRecLm(lm: InProcessLanguageModel, options: PretrainRecLmOptions): Promise<RecLmPretrainingReport> {
  if (!Array.isArray(options.texts) || options.texts.length < 2 || options.texts.some((text) => typeof text !== 'string')) {
    throw new InvalidOptionError('texts', 'must be an array of at least 2 strings (the pretraining corpus).', options.texts);
  }
  if (options.validTexts !== undefined && (!Array.isArray(options.validTexts) || options.validTexts.length === 0 || options.validTexts.some((text) => typeof text !== 'string'))) {
    throw new InvalidOptionError('validTexts', 'must be a non-empty array of strings.', options.validTexts);
  }
  const window = options.windowTokens ?? 128;
  if (!Number.isInteger(window) || window < 2 || window > lm.model.config.maxPositionEmbeddings) {
    throw new InvalidOptionError('windowTokens', `must be an integer from 2 to the model's max_position_embeddings (${lm.model.config.maxPositionEmbeddings}), got ${String(window)}.`, window);
  }
  const batchSize = options.batchSize ?? 16;
  checkInteger('batchSize', batchSize, 1);
  let trainTexts = options.texts;
  let validTexts = options.validTexts;
  if (validTexts === undefined) {
    const held = Math.max(1, Math.floor(options.texts.length * 0.05));
    trainTexts = options.texts.slice(0, options.texts.length - held);
    validTexts = options.texts.slice(options.texts.length - held);
  }
  const train = windowsOf(lm, trainTexts, window);
  const valid = windowsOf(lm, validTexts, window);
  if (train.length === 0 || valid.length === 0) throw new InvalidOptionError('texts', 'give no token windows of at least 2 tokens.');
  const outputTokens = options.outputTokens ?? 'corpus';
  if (outputTokens !== 'corpus' && outputTokens !== 'all') throw new InvalidOptionError('outputTokens', `must be "corpus" or "all", got ${JSON.stringify(outputTokens)}.`, outputTokens);
  const vocabulary = outputTokens === 'corpus' ? corpusVocabulary([...train, ...valid]) : undefined;
  const tokens = new TokenBatches(train.map((w) => w.length));
  const report = await trainModel(
    {
      trainableVariables: lm.model.trainableVariables(),
      epochRows: () => train.length,
      *batches(context) {
        lm.model.setDropoutRandom(context.random);
        for (const batch of tokens.epoch(context)) {
          yield { size: batch.length, loss: () => nextTokenLoss(lm, batch.map((i) => train[i]!), true, vocabulary) };
        }
      },
      validate: () => validationNegLoss(lm, valid, batchSize, vocabulary),
    },
    trainingLoopOptions(
      { ...options, onProgress: tokens.progress('reclm.pretrain', options.onProgress) },
      { epochs: 4, patience: 1, batchSize, learningRate: 3e-3, validationMetric: 'validNegLoss', task: 'reclm.pretrain' },
    ),
  );
  return { ...report, windows: train.length, tokensPerSecond: tokens.tokensPerSecond(report) };
}

/** Minus the mean next-token loss of the validation windows (higher is better, for early stopping). */
function validationNegLoss(lm: InProcessLanguageModel, valid: readonly (readonly number[])[], batchSize: number, vocabulary: OutputVocabulary | undefined): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < valid.length; i += batchSize) {
    const batch = valid.slice(i, i + batchSize);
    const tokens = batch.reduce((total, w) => total + w.length - 1, 0);
    const loss = tf.tidy(() => nextTokenLoss(lm, batch, false, vocabulary));
    sum += loss.dataSync()[0]! * tokens;
    count += tokens;
    loss.dispose();
  }
  return -sum / Math.max(count, 1);
}
