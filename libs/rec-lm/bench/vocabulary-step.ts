import { tf } from '@score/tfjs-runtime';
import type { InProcessLanguageModel } from '../src/index';
import { padBatch } from '../src/yes-no-scoring';

/**
 * One Adam step on a batch of prompt token ids, with trainRecLm's loss ("vocabulary": the
 * yes/no answer token's log-probability, even rows "no", odd rows "yes"); waits for the loss.
 */
export function vocabularyStep(lm: InProcessLanguageModel, optimizer: tf.Optimizer, batch: number[][]): void {
  const loss = optimizer.minimize(
    () => {
      const { ids, lengths: rows } = padBatch(batch, 0);
      const logits = lm.model.lastLogits(ids, rows, true);
      const labels = tf.oneHot(tf.tensor1d(batch.map((_, i) => (i % 2 ? lm.answers.yes : lm.answers.no)), 'int32'), lm.model.config.vocabSize);
      return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1))) as tf.Scalar;
    },
    true,
    lm.model.trainableVariables(),
  );
  loss!.dataSync();
  loss!.dispose();
}
