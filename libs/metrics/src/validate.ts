import { describeValue, InvalidOptionError } from '@score/core';

/** Checks that `values` has `expected` entries (one per row, like `labels`). */
export function checkLength(field: string, values: ArrayLike<unknown>, expected: number, against = 'labels'): void {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new InvalidOptionError(field, `must be an array (or typed array) with one entry per row, got ${describeValue(values)}.`, values);
  }
  if (values.length !== expected) {
    throw new InvalidOptionError(
      field,
      `has ${values.length} entries but "${against}" has ${expected}; both must hold one entry per row.`,
      values.length,
    );
  }
}

/** Copies 0/1 labels into a Uint8Array, naming the first entry that is not exactly 0 or 1. */
export function readLabels(labels: ArrayLike<number>, field = 'labels'): Uint8Array {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new InvalidOptionError(field, `must be an array (or typed array) of 0/1 labels, got ${describeValue(labels)}.`, labels);
  }
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i += 1) {
    const label = labels[i];
    if (label === 1) out[i] = 1;
    else if (label !== 0) {
      throw new InvalidOptionError(field, `${field}[${i}] is ${describeValue(label)}; every label must be 0 or 1.`, label);
    }
  }
  return out;
}

/** Copies scores into a Float64Array, naming the first entry that is NaN or not a number. */
export function readScores(scores: ArrayLike<number>, expected: number, field = 'scores'): Float64Array {
  checkLength(field, scores, expected);
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i += 1) {
    const score = scores[i];
    if (typeof score !== 'number' || Number.isNaN(score)) {
      throw new InvalidOptionError(field, `${field}[${i}] is ${describeValue(score)}; every score must be a number (NaN is not allowed).`, score);
    }
    out[i] = score;
  }
  return out;
}

/** Copies probabilities into a Float64Array, naming the first entry outside [0, 1]. */
export function readProbabilities(probabilities: ArrayLike<number>, expected: number, field = 'probabilities'): Float64Array {
  const out = readScores(probabilities, expected, field);
  for (let i = 0; i < out.length; i += 1) {
    if (out[i] < 0 || out[i] > 1) {
      const rule = field === 'probabilities' ? 'every probability must lie in [0, 1]' : `every entry of "${field}" must be a probability in [0, 1]`;
      throw new InvalidOptionError(field, `${field}[${i}] is ${out[i]}; ${rule}.`, out[i]);
    }
  }
  return out;
}

/** Throws when an id appears twice in a list. */
export function checkUnique(field: string, ids: readonly string[]): void {
  const seen = new Set<string>();
  for (let i = 0; i < ids.length; i += 1) {
    if (seen.has(ids[i])) {
      throw new InvalidOptionError(field, `${field}[${i}] repeats the id ${JSON.stringify(ids[i])}; each id may appear once.`, ids[i]);
    }
    seen.add(ids[i]);
  }
}
