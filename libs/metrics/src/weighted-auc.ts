/**
 * Shared pieces of the bootstrap intervals: rows sorted once by score with their runs of tied
 * scores, the AUC of those rows under integer row weights (a resample's multiplicities), and the
 * percentile of sorted values.
 * @internal
 */

/** Rows sorted by score, ascending, and where each run of equal scores ends. @internal */
export interface SortedScores {
  /** Row indices in ascending order of score. */
  readonly order: Uint32Array;
  /** End (exclusive) in `order` of each run of equal scores, in order. */
  readonly ends: Uint32Array;
}

/** Sorts the rows by score once (O(n log n)) and finds the runs of ties. @internal */
export function sortScores(scores: Float64Array): SortedScores {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) order[i] = i;
  order.sort((a, b) => (scores[a] < scores[b] ? -1 : scores[a] > scores[b] ? 1 : 0));
  const ends: number[] = [];
  for (let i = 1; i <= n; i += 1) {
    if (i === n || scores[order[i]] !== scores[order[i - 1]]) ends.push(i);
  }
  return { order, ends: Uint32Array.from(ends) };
}

/**
 * The AUC of rows that each count `weight(row)` times (a bootstrap resample: the weight is how often
 * the row, or its user, was drawn; `weights[row]`): the Mann-Whitney statistic over the weighted rows, ties counting
 * half, which equals {@link auc} of the materialised resample. O(n) given the sorted rows.
 * @returns `NaN` when the weighted rows hold one class only.
 * @internal
 */
export function weightedSortedAuc(sorted: SortedScores, labels: Uint8Array, weights: ArrayLike<number>): number {
  const { order, ends } = sorted;
  let negativesBelow = 0;
  let numerator = 0;
  let positives = 0;
  let start = 0;
  for (let g = 0; g < ends.length; g += 1) {
    const end = ends[g];
    let groupPositives = 0;
    let groupNegatives = 0;
    for (let i = start; i < end; i += 1) {
      const row = order[i];
      const w = weights[row];
      if (labels[row] === 1) groupPositives += w;
      else groupNegatives += w;
    }
    numerator += groupPositives * negativesBelow + (groupPositives * groupNegatives) / 2;
    negativesBelow += groupNegatives;
    positives += groupPositives;
    start = end;
  }
  return positives > 0 && negativesBelow > 0 ? numerator / (positives * negativesBelow) : Number.NaN;
}

/** Quantile of sorted values with linear interpolation (Hyndman-Fan type 7, numpy's default). @internal */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const low = Math.floor(h);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (h - low) * (sorted[high] - sorted[low]);
}
