import { InvalidOptionError } from '@score/core';

/**
 * A ranking for {@link kendallTau}, best first. An entry is an id, or an array of ids that are
 * tied at that position.
 */
export type RankingWithTies = readonly (string | readonly string[])[];

/**
 * Kendall's tau-b between two rankings over the ids they have in common (ids in only one ranking
 * are ignored): (C - D) / sqrt((n0 - n1)(n0 - n2)), where C and D count concordant and discordant
 * pairs, n0 = n(n - 1)/2 and n1, n2 the pairs tied in each ranking. Without ties this is tau-a.
 *
 * O(n log n) (Knight 1966: sort by the first ranking, count the inversions of the second by merge
 * sort).
 *
 * @param orderA - First ranking, best first (tied ids grouped in an array).
 * @param orderB - Second ranking, best first.
 * @returns tau-b in [-1, 1], or `NaN` when fewer than two ids are common or one ranking ties them all.
 * @throws InvalidOptionError when an id appears twice within one ranking.
 */
export function kendallTau(orderA: RankingWithTies, orderB: RankingWithTies): number {
  const rankA = ranks('orderA', orderA);
  const rankB = ranks('orderB', orderB);
  const pairs: [number, number][] = [];
  for (const [id, a] of rankA) {
    const b = rankB.get(id);
    if (b !== undefined) pairs.push([a, b]);
  }
  const n = pairs.length;
  if (n < 2) return Number.NaN;
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);

  const n0 = (n * (n - 1)) / 2;
  let n1 = 0; // pairs tied in A
  let n3 = 0; // pairs tied in both
  let runA = 1;
  let runBoth = 1;
  for (let i = 1; i <= n; i += 1) {
    const sameA = i < n && pairs[i][0] === pairs[i - 1][0];
    const sameBoth = sameA && pairs[i][1] === pairs[i - 1][1];
    if (sameA) runA += 1;
    else {
      n1 += (runA * (runA - 1)) / 2;
      runA = 1;
    }
    if (sameBoth) runBoth += 1;
    else {
      n3 += (runBoth * (runBoth - 1)) / 2;
      runBoth = 1;
    }
  }

  const b = Float64Array.from(pairs, (pair) => pair[1]);
  const discordant = countInversions(b, new Float64Array(n));
  let n2 = 0; // pairs tied in B (b is sorted now)
  let runB = 1;
  for (let i = 1; i <= n; i += 1) {
    if (i < n && b[i] === b[i - 1]) runB += 1;
    else {
      n2 += (runB * (runB - 1)) / 2;
      runB = 1;
    }
  }
  const denominator = Math.sqrt((n0 - n1) * (n0 - n2));
  if (denominator === 0) return Number.NaN;
  return (n0 - n1 - n2 + n3 - 2 * discordant) / denominator;
}

function ranks(field: string, order: RankingWithTies): Map<string, number> {
  const out = new Map<string, number>();
  order.forEach((entry, position) => {
    for (const id of typeof entry === 'string' ? [entry] : entry) {
      if (out.has(id)) {
        throw new InvalidOptionError(field, `the id ${JSON.stringify(id)} appears twice (at positions ${out.get(id)} and ${position}); each id may appear once.`, id);
      }
      out.set(id, position);
    }
  });
  return out;
}

/** Sorts `values` ascending (stable merge sort) and returns the number of strict inversions. */
function countInversions(values: Float64Array, buffer: Float64Array): number {
  let inversions = 0;
  for (let width = 1; width < values.length; width *= 2) {
    for (let left = 0; left < values.length; left += 2 * width) {
      const middle = Math.min(left + width, values.length);
      const right = Math.min(left + 2 * width, values.length);
      let i = left;
      let j = middle;
      let k = left;
      while (i < middle && j < right) {
        if (values[j] < values[i]) {
          inversions += middle - i;
          buffer[k++] = values[j++];
        } else buffer[k++] = values[i++];
      }
      while (i < middle) buffer[k++] = values[i++];
      while (j < right) buffer[k++] = values[j++];
      values.set(buffer.subarray(left, right), left);
    }
  }
  return inversions;
}
