import { InvalidOptionError, describeValue } from '@score/core';
import { accuracyOf } from './accuracy';
import { auc } from './auc';
import { groupedResult, perUserAuc } from './grouped-auc';
import { logLossOf } from './log-loss';

/** Input of {@link evaluateCtr}: one entry per row in each array. */
export interface CtrEvaluationInput {
  /** User of each row (for UAUC and GAUC). */
  readonly userIds: ArrayLike<string | number>;
  /** 0/1 label of each row. */
  readonly labels: ArrayLike<number>;
  /**
   * Predicted P(label = 1) of each row. Every score must lie in [0, 1] (the log loss needs
   * probabilities; AUC, UAUC and GAUC alone accept any score, see {@link auc}); an error names
   * `scores` and the first index outside the range.
   */
  readonly scores: ArrayLike<number>;
  /**
   * Clipping of the log loss ({@link LogLossOptions.epsilon}).
   * @defaultValue 1e-7
   */
  readonly epsilon?: number;
  /**
   * Threshold of the accuracy ({@link AccuracyOptions.threshold}).
   * @defaultValue 0.5
   */
  readonly threshold?: number;
}

/** Every CTR figure of one evaluation, as reported by each stage. */
export interface CtrEvaluation {
  /** AUC over all rows ({@link auc}); `NaN` with a single class. */
  readonly auc: number;
  /** UAUC, the CoLLM/BinLLM unweighted mean of per-user AUCs ({@link uauc}). */
  readonly uauc: number;
  /** Users whose AUC entered UAUC and GAUC. */
  readonly uaucUsers: number;
  /** Users skipped by UAUC and GAUC (a single row or a single class). */
  readonly uaucSkipped: number;
  /** GAUC, RecBole's per-user AUC weighted by positives ({@link gauc}). */
  readonly gauc: number;
  /** Mean binary cross-entropy ({@link logLoss}). */
  readonly logLoss: number;
  /** Accuracy at the threshold ({@link accuracy}). */
  readonly accuracy: number;
  /** Number of rows evaluated. */
  readonly rows: number;
}

/**
 * AUC, UAUC, GAUC, log loss and accuracy of one set of predictions in one call (the per-user AUCs
 * are computed once and shared by UAUC and GAUC).
 *
 * @throws InvalidOptionError when the arrays differ in length, a label is not 0 or 1, a score is
 *   NaN or outside [0, 1], a user id is neither a string nor a number, or an option is invalid.
 */
export function evaluateCtr(input: CtrEvaluationInput): CtrEvaluation {
  if (input === null || typeof input !== 'object') {
    throw new InvalidOptionError('input', `must be an object with userIds, labels and scores, got ${describeValue(input)}.`, input);
  }
  const { userIds, labels, scores } = input;
  const perUser = perUserAuc(userIds, labels, scores);
  const unweighted = groupedResult(perUser, null);
  const weighted = groupedResult(perUser, perUser.positives);
  return {
    auc: auc(labels, scores),
    uauc: unweighted.value,
    uaucUsers: unweighted.users,
    uaucSkipped: unweighted.skipped,
    gauc: weighted.value,
    logLoss: logLossOf(labels, scores, { epsilon: input.epsilon }, 'scores'),
    accuracy: accuracyOf(labels, scores, { threshold: input.threshold }, 'scores'),
    rows: labels.length,
  };
}
