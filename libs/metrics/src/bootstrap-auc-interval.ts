import { checkInteger, checkNumber, checkOptionalObject } from '@score/core';
import { auc } from './auc';
import { createRandom } from './random';
import { readLabels, readScores } from './validate';
import { sortedQuantile, sortScores, weightedSortedAuc } from './weighted-auc';

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
  checkOptionalObject('options', options);
  const samples = checkInteger('samples', options.samples ?? 1000, 1);
  const confidence = checkNumber('confidence', options.confidence ?? 0.95, { minimum: 0, maximum: 1, openMinimum: true, openMaximum: true });
  const random = createRandom(options.seed ?? 0);
  const y = readLabels(labels);
  const s = readScores(scores, y.length);
  const point = auc(y, s);
  if (Number.isNaN(point)) return { auc: Number.NaN, lower: Number.NaN, upper: Number.NaN, samples: 0 };

  const n = y.length;
  const sorted = sortScores(s);
  const counts = new Uint32Array(n);
  const values = new Float64Array(samples);
  let kept = 0;
  for (let b = 0; b < samples; b += 1) {
    counts.fill(0);
    for (let i = 0; i < n; i += 1) counts[Math.floor(random() * n)] += 1;
    const value = weightedSortedAuc(sorted, y, counts);
    if (!Number.isNaN(value)) values[kept++] = value;
  }
  if (kept === 0) return { auc: point, lower: Number.NaN, upper: Number.NaN, samples: 0 };
  const ordered = values.subarray(0, kept).sort();
  const tail = (1 - confidence) / 2;
  return { auc: point, lower: sortedQuantile(ordered, tail), upper: sortedQuantile(ordered, 1 - tail), samples: kept };
}
