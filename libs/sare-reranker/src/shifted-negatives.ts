import { checkInteger } from '@score/core';

/**
 * "Top-k shifted by N" negative sampling (method.md Stage 2 step 3, Eq. 11; Moreira et al. 2024):
 * `count` distinct positions drawn uniformly from `threshold..length-1` of the order O (all of
 * them when fewer), in the order drawn.
 */
export function sampleShiftedNegatives(length: number, threshold: number, count: number, random: () => number): number[] {
  checkInteger('length', length, 0);
  const pool: number[] = [];
  for (let position = threshold; position < length; position += 1) pool.push(position);
  const picked: number[] = [];
  while (picked.length < count && pool.length > 0) {
    const at = Math.floor(random() * pool.length);
    picked.push(pool[at]);
    pool[at] = pool[pool.length - 1];
    pool.pop();
  }
  return picked;
}
