/** A writable array of numbers (a plain array or a typed array). */
export interface NumberSlots {
  readonly length: number;
  [index: number]: number;
}

/**
 * Offers one candidate to a running top-k list kept best first: `indices` and `scores` hold the
 * `filled` best candidates so far in descending score, and the new one is inserted in place
 * (insertion sort) when the list has room or it beats the last entry. A candidate whose score
 * equals one already listed goes after it, so offering candidates in ascending index order breaks
 * ties to the lower index. `indices` and `scores` need room for `k` entries.
 * @returns The new number of listed candidates (`filled`, or `filled + 1` while below `k`).
 */
export function offerTopK(indices: NumberSlots, scores: NumberSlots, filled: number, k: number, index: number, score: number): number {
  if (k <= 0 || (filled === k && score <= scores[k - 1]!)) return filled;
  let position = filled < k ? filled : k - 1;
  while (position > 0 && scores[position - 1]! < score) {
    scores[position] = scores[position - 1]!;
    indices[position] = indices[position - 1]!;
    position -= 1;
  }
  scores[position] = score;
  indices[position] = index;
  return filled < k ? filled + 1 : filled;
}
