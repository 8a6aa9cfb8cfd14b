import { DimensionMismatchError, InvalidOptionError } from '@score/core';
import { tf } from '@score/tfjs-runtime';
import { fastMatMul } from './fast-mat-mul';

/** Options of {@link infoNceLoss}. */
export interface InfoNceOptions {
  /** tau of g(A, B) = exp(cos(A, B) / tau). CAR uses 0.1 (Eq. 6), SARE 0.02 (Eq. 12). */
  readonly temperature: number;
  /**
   * 1 where a key is a negative of a query (in the sum of the denominator), 0 where it is not.
   * @defaultValue 1 - positivesMask (every key that is not a positive)
   */
  readonly negativesMask?: tf.Tensor2D | readonly (readonly number[])[];
}

function toMask(value: tf.Tensor2D | readonly (readonly number[])[], rows: number, cols: number, field: string): tf.Tensor2D {
  const mask = value instanceof tf.Tensor ? tf.cast(value, 'float32') : tf.tensor2d(value.map((row) => [...row]), undefined, 'float32');
  if (mask.shape[0] !== rows || mask.shape[1] !== cols) {
    throw new InvalidOptionError(field, `must have shape [${rows}, ${cols}] (queries x keys), got [${mask.shape.join(', ')}].`);
  }
  return mask as tf.Tensor2D;
}

/**
 * The contrastive loss of CAR (method.md Eq. 6) and SARE (Eq. 12), with g(A, B) = exp(cos(A, B) / tau):
 *
 *   L = (1 / P) * sum over positive pairs (t, i) of  -log( g(h_t, h_i) / ( g(h_t, h_i) + sum_{j in negatives(t)} g(h_t, h_j) ) )
 *
 * where P is the number of positive pairs. `positivesMask[t][i]` is 1 when key i is a positive
 * of query t; negatives are `negativesMask` (default: every other key, i.e. in-batch negatives).
 * Each positive is scored against the negatives only, not against the other positives, as in Eq. 6.
 * Differentiable: call it inside `tf.variableGrads` or an optimizer's `minimize`.
 */
export function infoNceLoss(queries: tf.Tensor2D, keys: tf.Tensor2D, positivesMask: tf.Tensor2D | readonly (readonly number[])[], options: InfoNceOptions): tf.Scalar {
  const temperature = options?.temperature;
  if (typeof temperature !== 'number' || !(temperature > 0)) {
    throw new InvalidOptionError('temperature', `must be a positive number (CAR uses 0.1, SARE 0.02), got ${String(temperature)}.`, temperature);
  }
  if (queries.shape[1] !== keys.shape[1]) throw new DimensionMismatchError('The keys', queries.shape[1], keys.shape[1]);
  const [rows, cols] = [queries.shape[0], keys.shape[0]];
  return tf.tidy(() => {
    const positives = toMask(positivesMask, rows, cols, 'positivesMask');
    const negatives = options.negativesMask === undefined ? tf.sub(1, positives) : toMask(options.negativesMask, rows, cols, 'negativesMask');
    const unit = (x: tf.Tensor2D) => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12));
    // s_tj = cos(h_t, h_j) / tau, so g = exp(s).
    const scores = tf.div(fastMatMul(unit(queries), tf.transpose(unit(keys))), temperature);
    // log sum_{j in negatives} exp(s_tj), with non-negatives masked out (-1e9 contributes exp(-1e9) = 0).
    const negativeScores = tf.add(tf.mul(scores, negatives), tf.mul(tf.sub(1, negatives), -1e9));
    const negativeLogSum = tf.logSumExp(negativeScores, 1, true);
    // -log(e^s / (e^s + e^n)) = log(e^s + e^n) - s, computed stably as softplus(n - s).
    const perPair = tf.softplus(tf.sub(negativeLogSum, scores));
    const count = tf.maximum(tf.sum(positives), 1);
    return tf.div(tf.sum(tf.mul(perPair, positives)), count) as tf.Scalar;
  });
}
