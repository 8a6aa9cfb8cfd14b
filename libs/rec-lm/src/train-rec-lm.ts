import { InvalidOptionError, checkInteger } from '@score/core';
import { auc } from '@score/metrics';
import { tf, type TrainingBatch, type TrainingReport, trainingLoopOptions, trainModel, type TrainingRunOptions } from '@score/tfjs-runtime';
import { TokenBatches } from './token-batches';
import type { InProcessLanguageModel } from './in-process-language-model';
import { saveLlamaCheckpoint } from './llama-checkpoint';
import { saveLoraAdapter } from './peft-adapter';
import { padBatch, scoreTokenSequences } from './yes-no-scoring';

/** One tuning example: a filled prompt and the interaction label (1 = "Yes"). */
export interface RecLmExample {
  readonly prompt: string;
  readonly label: 0 | 1;
}

/**
 * Options of {@link trainRecLm}. The loop settings are `TrainingRunOptions` (`@score/tfjs-runtime`)
 * with the rec-lm tuning's defaults: at most 10 epochs, patience 2 (epochs without a better
 * validation AUC), `batchSize` 32 prompts (batches group prompts of similar length), learning rate
 * 1e-3, `seed` 42 (batching and dropout). Progress events: task "reclm.train" with loss, rows/s,
 * tokens/s and validAuc.
 */
export interface TrainRecLmOptions extends TrainingRunOptions {
  /** Training examples. */
  readonly train: readonly RecLmExample[];
  /** Validation examples (both labels present): early stopping watches their AUC. */
  readonly valid: readonly RecLmExample[];
  /**
   * "answers": binary cross-entropy of softmax over the "Yes"/"No" logits (exactly the Eq. 14
   * objective; learns fastest from scratch); "vocabulary": cross-entropy of the answer token over
   * the full vocabulary (as TALLRec, keeps a pretrained model's other tokens in place).
   * @defaultValue "vocabulary" when the model has LoRA adapters, else "answers"
   */
  readonly loss?: 'answers' | 'vocabulary';
  /**
   * Count the untuned model's validation AUC as a candidate "best epoch". Off by default: the
   * untuned Yes/No logits of a from-scratch or freshly adapted model are noise, and keeping them
   * when one epoch of tuning scores lower on a small validation set would throw the tuning away.
   * @defaultValue false
   */
  readonly keepUntuned?: boolean;
  /**
   * Folder the best weights so far are saved to after each improving epoch: the adapter in PEFT
   * format when the model has LoRA adapters, else the whole model as a Hugging Face checkpoint.
   * @defaultValue no checkpoints
   */
  readonly checkpointDir?: string;
}

/** What {@link trainRecLm} returns: the loop's report plus token throughput. */
export interface RecLmTrainingReport extends TrainingReport {
  /** Real (unpadded) prompt tokens per second of training, over all epochs. */
  readonly tokensPerSecond: number;
}

function checkExamples(field: string, examples: readonly RecLmExample[]): void {
  if (!Array.isArray(examples) || examples.length === 0) throw new InvalidOptionError(field, 'must be a non-empty array of { prompt, label } examples.');
  examples.forEach((example, i) => {
    if (typeof example.prompt !== 'string' || (example.label !== 0 && example.label !== 1)) {
      throw new InvalidOptionError(`${field}[${i}]`, `must be { prompt: string, label: 0 | 1 }, got ${JSON.stringify(example)}.`);
    }
  });
}

/** Runs the loop, then frees what LoRA training kept between steps. */
async function trainModelReleasing(model: InProcessLanguageModel['model'], run: () => Promise<TrainingReport>): Promise<TrainingReport> {
  try {
    return await run();
  } finally {
    model.releaseFrozenKernels();
  }
}

/**
 * Tunes the recommender LM on Yes/No prompts with the shared tfjs training loop: each prompt is
 * `<bos> prompt tokens`, the loss is the cross-entropy of the answer ("Yes" or "No") at the last
 * position (over the answer pair, or the whole vocabulary as TALLRec: see `loss`), batches group
 * prompts of similar length,
 * early stopping watches validation AUC of P(yes) (method.md, Eq. 14) and the best weights are
 * restored. With LoRA adapters attached only they train; otherwise every weight does.
 */
export async function trainRecLm(lm: InProcessLanguageModel, options: TrainRecLmOptions): Promise<RecLmTrainingReport> {
  checkExamples('train', options.train);
  checkExamples('valid', options.valid);
  const batchSize = options.batchSize ?? 32;
  checkInteger('batchSize', batchSize, 1);
  const model = lm.model;
  const lossKind = options.loss ?? (model.lora ? 'vocabulary' : 'answers');
  if (lossKind !== 'answers' && lossKind !== 'vocabulary') throw new InvalidOptionError('loss', `must be "answers" or "vocabulary", got ${JSON.stringify(lossKind)}.`, lossKind);
  const answerPair = [lm.answers.yes, lm.answers.no];
  const train = options.train.map((example) => lm.encodePrompt(example.prompt));
  const targets = options.train.map((example) => (lossKind === 'answers' ? 1 - example.label : example.label === 1 ? lm.answers.yes : lm.answers.no));
  const valid = options.valid.map((example) => lm.encodePrompt(example.prompt));
  const validLabels = options.valid.map((example) => example.label);
  const tokens = new TokenBatches(train.map((sequence) => sequence.length));
  let validations = 0;
  let bestAuc = Number.NEGATIVE_INFINITY;

  // With an onnxruntime prefix backend the frozen blocks run once per distinct prompt here (the
  // validation prompts fill as they are scored); with tfjs they run inside the first epoch.
  const fillStart = performance.now();
  const filled = await model.fillPrefixCache(train, options.signal ? { signal: options.signal } : {});
  if (filled > 0) options.logger?.info(`rec-lm: the frozen blocks' states of ${filled} prompts computed by ${model.prefixCacheStats?.backend} in ${((performance.now() - fillStart) / 1000).toFixed(1)} s.`);
  const report = await trainModelReleasing(model, () => trainModel(
    {
      trainableVariables: model.trainableVariables(),
      epochRows: () => train.length,
      *batches(context): Iterable<TrainingBatch> {
        model.setDropoutRandom(context.random);
        for (const batch of tokens.epoch(context)) {
          yield {
            size: batch.length,
            loss: () => {
              const { ids, lengths } = padBatch(batch.map((i) => train[i]!), 0);
              // "answers": the [Yes, No] logits only (Eq. 14), target index 0 for Yes; "vocabulary": every token.
              const logits = model.lastLogits(ids, lengths, true, lossKind === 'answers' ? answerPair : undefined);
              const labels = tf.oneHot(tf.tensor1d(batch.map((i) => targets[i]!), 'int32'), logits.shape[1]);
              return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1))) as tf.Scalar;
            },
          };
        }
      },
      validate: async () => {
        if (validations === 0 && !options.keepUntuned) {
          validations += 1;
          return Number.NaN; // no improvement: the first tuned epoch is always kept
        }
        const scores = await scoreTokenSequences(model, valid, lm.answers, Math.max(batchSize, 16), options.signal);
        const value = auc(validLabels, scores.map((score) => score.probability));
        if (validations++ > 0 && options.checkpointDir && value > bestAuc) {
          if (model.lora) await saveLoraAdapter(model, options.checkpointDir);
          else await saveLlamaCheckpoint(model, options.checkpointDir);
        }
        if (value > bestAuc) bestAuc = value;
        return value;
      },
    },
    trainingLoopOptions({ ...options, onProgress: tokens.progress('reclm.train', options.onProgress) }, { epochs: 10, patience: 2, batchSize, task: 'reclm.train' }),
  ));
  return { ...report, tokensPerSecond: tokens.tokensPerSecond(report) };
}
