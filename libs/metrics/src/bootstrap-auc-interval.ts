import { auc } from './auc';
import { createRandom } from './random';
import { checkInteger, checkOpenInterval, checkOptionsObject, readLabels, readScores } from './validate';

/** Options of {@link bootstrapAucInterval}. */
export interface BootstrapAucOptions {
  /**
   * Number of bootstrap resamples (each draws n rows with replacement).
   * @defaultValue 1000
   */
  readonly samples?: number;
  /**
   * Coverage of the two-sided percentile interval, in (0, 1).
   * @defaultValue 0.95
   */
  readonly confidence?: number;
  /**
   * Seed of the resampling generator ({@link createRandom}); the same seed gives the same interval.
   * @defaultValue 0
   */
  readonly seed?: number;
}

/** What {@link bootstrapAucInterval} returns. */
export interface BootstrapAucInterval {
  /** The AUC of the full data ({@link auc}). */
  readonly auc: number;
  /** Lower end of the percentile interval. */
  readonly lower: number;
  /** Upper end of the percentile interval. */
  readonly upper: number;
  /** Resamples that held both classes and so entered the percentiles (at most `samples`). */
  readonly samples: number;
}

/**
 * Percentile bootstrap confidence interval of the AUC: `samples` resamples of the rows with
 * replacement, the AUC of each, and the (1 - confidence) / 2 and (1 + confidence) / 2 quantiles
 * (linear interpolation between order statistics, numpy's default). Resamples that hold a single
 * class have no AUC and are left out (`samples` in the result says how many remained).
 *
 * Cost: one O(n log n) sort, then O(n) per resample (the resample is a vector of row counts
 * applied to the sorted order).
 *
 * @param labels - 0/1 label of each row.
 * @param scores - Score of each row.
 * @returns The AUC and the interval; all `NaN` (and `samples` 0) when the data hold one class.
 * @throws InvalidOptionError on bad inputs (as {@link auc}), a `samples` below 1, a `confidence`
 *   outside (0, 1) or a non-integer `seed`.
 */
export function bootstrapAucInterval(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: BootstrapAucOptions = {},
): BootstrapAucInterval {
  checkOptionsObject('options', options);
  const samples = checkInteger('samples', options.samples ?? 1000, 1);
  const confidence = checkOpenInterval('confidence', options.confidence ?? 0.95, 0, 1);
  const random = createRandom(options.seed ?? 0);
  const y = readLabels(labels);
  const s = readScores(scores, y.length);
  const point = auc(y, s);
  if (Number.isNaN(point)) return { auc: Number.NaN, lower: Number.NaN, upper: Number.NaN, samples: 0 };

  const n = y.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) order[i] = i;
  order.sort((a, b) => (s[a] < s[b] ? -1 : s[a] > s[b] ? 1 : 0));
  // groupEnd[g] = end (exclusive) in `order` of the g-th run of equal scores.
  const ends: number[] = [];
  for (let i = 1; i <= n; i += 1) {
    if (i === n || s[order[i]] !== s[order[i - 1]]) ends.push(i);
  }

  const counts = new Uint32Array(n);
  const values = new Float64Array(samples);
  let kept = 0;
  for (let b = 0; b < samples; b += 1) {
    counts.fill(0);
    for (let i = 0; i < n; i += 1) counts[Math.floor(random() * n)] += 1;
    let negativesBelow = 0;
    let numerator = 0;
    let positives = 0;
    let start = 0;
    for (const end of ends) {
      let groupPositives = 0;
      let groupNegatives = 0;
      for (let i = start; i < end; i += 1) {
        const row = order[i];
        if (y[row] === 1) groupPositives += counts[row];
        else groupNegatives += counts[row];
      }
      numerator += groupPositives * negativesBelow + (groupPositives * groupNegatives) / 2;
      negativesBelow += groupNegatives;
      positives += groupPositives;
      start = end;
    }
    if (positives > 0 && negativesBelow > 0) values[kept++] = numerator / (positives * negativesBelow);
  }
  if (kept === 0) return { auc: point, lower: Number.NaN, upper: Number.NaN, samples: 0 };
  const sorted = values.subarray(0, kept).sort();
  const tail = (1 - confidence) / 2;
  return { auc: point, lower: quantile(sorted, tail), upper: quantile(sorted, 1 - tail), samples: kept };
}

/** Quantile of sorted values with linear interpolation (Hyndman-Fan type 7, numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const low = Math.floor(h);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (h - low) * (sorted[high] - sorted[low]);
}
