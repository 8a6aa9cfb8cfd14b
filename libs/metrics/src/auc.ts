import { readLabels, readScores } from './validate';

/**
 * Area under the ROC curve: the probability that a random positive row scores above a random
 * negative one, ties counting half (Mann-Whitney U with midranks divided by P x N).
 *
 * O(n log n): positives and negatives are sorted separately and merged once.
 *
 * @param labels - 0/1 label of each row.
 * @param scores - Score of each row (any finite or infinite number; higher = more likely positive).
 * @returns The AUC in [0, 1], or `NaN` when only one class is present (or there are no rows):
 *   the AUC is undefined there, and per-user averages ({@link uauc}, {@link gauc}) skip such users.
 * @throws InvalidOptionError when the lengths differ, a label is not 0 or 1, or a score is NaN.
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const y = readLabels(labels);
  const s = readScores(scores, y.length);
  let positives = 0;
  for (let i = 0; i < y.length; i += 1) positives += y[i];
  const pos = new Float64Array(positives);
  const neg = new Float64Array(y.length - positives);
  let p = 0;
  let q = 0;
  for (let i = 0; i < y.length; i += 1) {
    if (y[i] === 1) pos[p++] = s[i];
    else neg[q++] = s[i];
  }
  return aucOfClasses(pos, neg);
}

/**
 * AUC from the scores of the positives and of the negatives (sorted in place here).
 * Numerator = sum over positives of (#negatives below + half the negatives tied), which stays
 * an exact multiple of 0.5, so the result is exact up to the final division.
 * @internal
 */
export function aucOfClasses(pos: Float64Array, neg: Float64Array): number {
  if (pos.length === 0 || neg.length === 0) return Number.NaN;
  pos.sort();
  neg.sort();
  let below = 0;
  let numerator = 0;
  let i = 0;
  while (i < pos.length) {
    const value = pos[i];
    let count = 0;
    while (i < pos.length && pos[i] === value) {
      count += 1;
      i += 1;
    }
    while (below < neg.length && neg[below] < value) below += 1;
    let tied = below;
    while (tied < neg.length && neg[tied] === value) tied += 1;
    numerator += count * below + (count * (tied - below)) / 2;
  }
  return numerator / (pos.length * neg.length);
}
