import { InvalidOptionError, checkOptionalObject, describeValue } from '@score/core';
import { readLabels, readScores } from './validate';

/** Options of {@link accuracy}. */
export interface AccuracyOptions {
  /**
   * A row is predicted positive when its probability is greater than or equal to the threshold.
   * Any finite number (so raw scores with a threshold of 0 work too).
   * @defaultValue 0.5
   */
  readonly threshold?: number;
}

/**
 * Share of rows whose thresholded prediction (positive when p >= threshold) equals the label.
 *
 * @param labels - 0/1 label of each row.
 * @param probabilities - Predicted P(label = 1) (or any score) of each row; NaN is rejected.
 * @returns The accuracy in [0, 1], or `NaN` when there are no rows.
 * @throws InvalidOptionError when the lengths differ, a label is not 0 or 1, a value is NaN, or
 *   `threshold` is not a finite number.
 */
export function accuracy(labels: ArrayLike<number>, probabilities: ArrayLike<number>, options: AccuracyOptions = {}): number {
  return accuracyOf(labels, probabilities, options, 'probabilities');
}

/**
 * {@link accuracy} with the predictions named `field` in its errors (so {@link evaluateCtr}
 * reports its own `scores`).
 * @internal
 */
export function accuracyOf(labels: ArrayLike<number>, probabilities: ArrayLike<number>, options: AccuracyOptions, field: string): number {
  checkOptionalObject('options', options);
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
    throw new InvalidOptionError('threshold', `must be a finite number, got ${describeValue(threshold)}.`, threshold);
  }
  const y = readLabels(labels);
  const p = readScores(probabilities, y.length, field);
  if (y.length === 0) return Number.NaN;
  let correct = 0;
  for (let i = 0; i < y.length; i += 1) {
    if ((p[i] >= threshold ? 1 : 0) === y[i]) correct += 1;
  }
  return correct / y.length;
}
