import { InvalidOptionError, checkInteger, checkOptionalObject, describeValue } from '@score/core';
import { checkUnique } from './validate';

/** Options of {@link ndcgAtK}. */
export interface NdcgOptions {
  /**
   * Gain of a relevance grade r: `'linear'` uses r (as scikit-learn's `ndcg_score`),
   * `'exponential'` uses 2^r - 1 (Burges et al. 2005). Both agree on 0/1 relevance.
   * @defaultValue 'linear'
   */
  readonly gain?: 'linear' | 'exponential';
}

/**
 * Normalised discounted cumulative gain of the first `k` ids of a ranking:
 * DCG@k = sum_{i=1..k} gain(rel_i) / log2(i + 1), divided by the DCG@k of the ideal ranking.
 *
 * The ideal ranking sorts, best first, the grades of every id in `relevance` when it is a Map,
 * or the grades of the ranked ids when it is a function. Ids missing from the Map have grade 0.
 *
 * @param ranked - Ids, best first; no id may appear twice.
 * @param relevance - Grade (finite, >= 0) of each id, as a Map or a function.
 * @param k - Cut-off, a positive integer (a ranking shorter than k is scored as is).
 * @returns NDCG@k in [0, 1], or `NaN` when the ideal DCG is 0 (nothing relevant).
 * @throws InvalidOptionError when `k` is not a positive integer, an id repeats, a grade is negative
 *   or not finite, or `gain` is unknown.
 */
export function ndcgAtK(
  ranked: readonly string[],
  relevance: ReadonlyMap<string, number> | ((id: string) => number),
  k: number,
  options: NdcgOptions = {},
): number {
  checkInteger('k', k, 1);
  checkOptionalObject('options', options);
  const gainKind = options.gain ?? 'linear';
  if (gainKind !== 'linear' && gainKind !== 'exponential') {
    throw new InvalidOptionError('gain', `must be "linear" or "exponential", got ${describeValue(gainKind)}.`, gainKind);
  }
  const gain = gainKind === 'linear' ? (r: number) => r : (r: number) => 2 ** r - 1;
  const gradeOf = (id: string): number => {
    const grade = typeof relevance === 'function' ? relevance(id) : (relevance.get(id) ?? 0);
    return checkGrade(grade, id);
  };
  checkUnique('ranked', ranked);

  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i += 1) dcg += gain(gradeOf(ranked[i])) / Math.log2(i + 2);

  const ideal: number[] = [];
  if (typeof relevance === 'function') {
    for (const id of ranked) ideal.push(gradeOf(id));
  } else {
    for (const [id, grade] of relevance) ideal.push(checkGrade(grade, id));
  }
  ideal.sort((a, b) => b - a);
  let idealDcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i += 1) idealDcg += gain(ideal[i]) / Math.log2(i + 2);
  return idealDcg === 0 ? Number.NaN : dcg / idealDcg;
}

function checkGrade(grade: unknown, id: string): number {
  if (typeof grade !== 'number' || !Number.isFinite(grade) || grade < 0) {
    throw new InvalidOptionError('relevance', `the grade of id ${JSON.stringify(id)} is ${describeValue(grade)}; grades must be finite numbers >= 0.`, grade);
  }
  return grade;
}
