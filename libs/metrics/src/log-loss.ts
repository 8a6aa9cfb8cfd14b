import { checkNumber, checkOptionalObject } from '@score/core';
import { readLabels, readProbabilities } from './validate';

/** Options of {@link logLoss}. */
export interface LogLossOptions {
  /**
   * Probabilities are clipped to [epsilon, 1 - epsilon] before the logarithm, so that a confident
   * wrong prediction costs -log(epsilon) instead of infinity. Must lie in (0, 0.5).
   * @defaultValue 1e-7
   */
  readonly epsilon?: number;
}

/**
 * Mean binary cross-entropy: -(1/n) sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)], with the
 * probability given to the true label (p_i or 1 - p_i) clipped to [epsilon, 1 - epsilon].
 *
 * @param labels - 0/1 label of each row.
 * @param probabilities - Predicted P(label = 1) of each row, in [0, 1].
 * @returns The mean log loss (natural logarithm), or `NaN` when there are no rows.
 * @throws InvalidOptionError when the lengths differ, a label is not 0 or 1, a probability is
 *   NaN or outside [0, 1], or `epsilon` is outside (0, 0.5).
 */
export function logLoss(labels: ArrayLike<number>, probabilities: ArrayLike<number>, options: LogLossOptions = {}): number {
  return logLossOf(labels, probabilities, options, 'probabilities');
}

/**
 * {@link logLoss} with the probabilities named `field` in its errors (so {@link evaluateCtr}
 * reports its own `scores`).
 * @internal
 */
export function logLossOf(labels: ArrayLike<number>, probabilities: ArrayLike<number>, options: LogLossOptions, field: string): number {
  checkOptionalObject('options', options);
  const epsilon = checkNumber('epsilon', options.epsilon ?? 1e-7, { minimum: 0, maximum: 0.5, openMinimum: true, openMaximum: true });
  const y = readLabels(labels);
  const p = readProbabilities(probabilities, y.length, field);
  if (y.length === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < y.length; i += 1) {
    // The probability given to the true label, clipped: 1 - p is exact for p >= 0.5 (Sterbenz), so
    // a sure wrong answer costs exactly -ln(epsilon) whichever the label.
    const ofLabel = y[i] === 1 ? p[i] : 1 - p[i];
    total -= Math.log(Math.min(Math.max(ofLabel, epsilon), 1 - epsilon));
  }
  return total / y.length;
}
