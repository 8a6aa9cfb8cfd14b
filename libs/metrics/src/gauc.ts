import { type GroupedAucResult, groupedResult, perUserAuc } from './grouped-auc';

/**
 * GAUC as RecBole defines it (`recbole/evaluator/metrics.py`, `GAUC`): the mean of the per-user
 * AUC weighted by each user's number of positive rows, sum_u P_u AUC_u / sum_u P_u. Users with
 * a single row or a single class are skipped, as in {@link uauc}, and counted.
 *
 * @param userIds - User of each row.
 * @param labels - 0/1 label of each row.
 * @param scores - Score of each row.
 * @returns The weighted mean and the user counts; `value` is `NaN` when no user has both classes.
 * @throws InvalidOptionError on the same inputs as {@link uauc}.
 */
export function gauc(
  userIds: ArrayLike<string | number>,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): GroupedAucResult {
  const perUser = perUserAuc(userIds, labels, scores);
  return groupedResult(perUser, perUser.positives);
}
