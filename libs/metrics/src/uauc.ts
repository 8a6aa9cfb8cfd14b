import { type GroupedAucResult, groupedResult, perUserAuc } from './grouped-auc';

/**
 * UAUC as CoLLM and BinLLM define it (`uAUC_me`): the unweighted mean of the per-user AUC
 * (see {@link auc}, ties count half), skipping users with a single row and users whose rows all
 * share one label; the result says how many of each were skipped.
 *
 * Users are told apart with `===` (so the string "1" and the number 1 are different users).
 *
 * @param userIds - User of each row.
 * @param labels - 0/1 label of each row.
 * @param scores - Score of each row.
 * @returns The mean and the user counts; `value` is `NaN` when no user has both classes.
 * @throws InvalidOptionError when the lengths differ, a label is not 0 or 1, a score is NaN, or a
 *   user id is neither a string nor a number.
 */
export function uauc(
  userIds: ArrayLike<string | number>,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): GroupedAucResult {
  return groupedResult(perUserAuc(userIds, labels, scores), null);
}
