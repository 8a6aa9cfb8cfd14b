import { InvalidOptionError, describeValue } from '@score/core';
import { aucOfClasses } from './auc';
import { checkLength, readLabels, readScores } from './validate';

/** What {@link uauc} and {@link gauc} return. */
export interface GroupedAucResult {
  /** The averaged per-user AUC; `NaN` when no user could be evaluated. */
  readonly value: number;
  /** Users whose AUC entered the average (at least one positive and one negative row). */
  readonly users: number;
  /** Users left out: `skippedSingleRow + skippedSingleClass`. */
  readonly skipped: number;
  /** Users left out because they have exactly one row. */
  readonly skippedSingleRow: number;
  /** Users left out because their two or more rows all have the same label. */
  readonly skippedSingleClass: number;
}

/** Per-user AUCs and skip counts, shared by UAUC and GAUC. @internal */
export interface PerUserAuc {
  /** AUC of each evaluated user, in first-seen order of the users. */
  readonly aucs: Float64Array;
  /** Number of positive rows of each evaluated user, matching `aucs`. */
  readonly positives: Float64Array;
  readonly skippedSingleRow: number;
  readonly skippedSingleClass: number;
}

/**
 * Groups rows by user and computes each user's AUC, skipping users with one row or one class
 * (the rule of CoLLM/BinLLM's `uAUC_me`). O(n log n) overall.
 * @internal
 */
export function perUserAuc(
  userIds: ArrayLike<string | number>,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): PerUserAuc {
  const y = readLabels(labels);
  checkLength('userIds', userIds, y.length);
  const s = readScores(scores, y.length);
  const groups = new Map<string | number, number[]>();
  for (let i = 0; i < y.length; i += 1) {
    const user = userIds[i];
    if (typeof user !== 'string' && typeof user !== 'number') {
      throw new InvalidOptionError(
        'userIds',
        `userIds[${i}] is ${describeValue(user)}; every user id must be a string or a number.`,
        user,
      );
    }
    const rows = groups.get(user);
    if (rows === undefined) groups.set(user, [i]);
    else rows.push(i);
  }
  const aucs: number[] = [];
  const positives: number[] = [];
  let skippedSingleRow = 0;
  let skippedSingleClass = 0;
  for (const rows of groups.values()) {
    if (rows.length === 1) {
      skippedSingleRow += 1;
      continue;
    }
    let positive = 0;
    for (const row of rows) positive += y[row];
    if (positive === 0 || positive === rows.length) {
      skippedSingleClass += 1;
      continue;
    }
    const pos = new Float64Array(positive);
    const neg = new Float64Array(rows.length - positive);
    let p = 0;
    let q = 0;
    for (const row of rows) {
      if (y[row] === 1) pos[p++] = s[row];
      else neg[q++] = s[row];
    }
    aucs.push(aucOfClasses(pos, neg));
    positives.push(positive);
  }
  return { aucs: Float64Array.from(aucs), positives: Float64Array.from(positives), skippedSingleRow, skippedSingleClass };
}

/** Builds the public result from per-user AUCs and weights (`null` = unweighted). @internal */
export function groupedResult(perUser: PerUserAuc, weights: Float64Array | null): GroupedAucResult {
  let sum = 0;
  let weightSum = 0;
  for (let i = 0; i < perUser.aucs.length; i += 1) {
    const weight = weights === null ? 1 : weights[i];
    sum += perUser.aucs[i] * weight;
    weightSum += weight;
  }
  return {
    value: perUser.aucs.length === 0 ? Number.NaN : sum / weightSum,
    users: perUser.aucs.length,
    skipped: perUser.skippedSingleRow + perUser.skippedSingleClass,
    skippedSingleRow: perUser.skippedSingleRow,
    skippedSingleClass: perUser.skippedSingleClass,
  };
}
