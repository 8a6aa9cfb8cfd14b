/**
 * Recall@k of approximate results against exact ones: for each query, the share of the exact
 * top-k that the approximate top-k also holds, averaged over queries. Ids are compared as given
 * (use row ids when one user may own several entries).
 */
export function annRecallAtK(approximate: readonly (readonly string[])[], exact: readonly (readonly string[])[], k: number): number {
  if (approximate.length !== exact.length) {
    throw new RangeError(`annRecallAtK needs one approximate list per exact list, got ${approximate.length} and ${exact.length}.`);
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`annRecallAtK needs a positive integer k, got ${k}.`);
  }
  let sum = 0;
  let counted = 0;
  for (let q = 0; q < exact.length; q++) {
    const truth = exact[q].slice(0, k);
    if (truth.length === 0) continue;
    const found = new Set(approximate[q].slice(0, k));
    sum += truth.filter((id) => found.has(id)).length / truth.length;
    counted++;
  }
  return counted === 0 ? 1 : sum / counted;
}
