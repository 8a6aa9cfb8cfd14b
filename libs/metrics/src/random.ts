import { type RandomSource, checkInteger } from '@score/core';

// The generator itself lives in @score/core so that every package draws from the same one.
export { createRandom, type RandomSource } from '@score/core';

/**
 * A uniform integer in [0, size) drawn from `random`.
 * @throws InvalidOptionError when `size` is not a positive integer.
 */
export function randomInteger(random: RandomSource, size: number): number {
  checkInteger('size', size, 1);
  return Math.floor(random() * size);
}

/**
 * Shuffles `values` in place (Fisher-Yates) with `random` and returns the same array.
 */
export function shuffleInPlace<T>(values: T[], random: RandomSource): T[] {
  for (let i = values.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const swap = values[i];
    values[i] = values[j];
    values[j] = swap;
  }
  return values;
}
