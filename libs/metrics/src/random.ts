import { InvalidOptionError } from '@score/core';
import { checkInteger, describeValue } from './validate';

/** A seeded source of uniform numbers in [0, 1), as returned by {@link createRandom}. */
export type RandomSource = () => number;

/**
 * A small, fast, seeded pseudo-random generator (mulberry32, Tommy Ettinger's 32-bit generator):
 * the same seed always gives the same sequence, on every platform.
 *
 * @param seed - Any integer; it is reduced to 32 bits (`seed >>> 0`).
 * @returns A function giving the next number in [0, 1) at each call.
 * @throws InvalidOptionError when `seed` is not an integer.
 */
export function createRandom(seed: number): RandomSource {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new InvalidOptionError('seed', `must be an integer, got ${describeValue(seed)}.`, seed);
  }
  let state = seed >>> 0;
  return () => {
    // mulberry32 (public domain), https://gist.github.com/tommyettinger/46a874533244883189143505d203312c
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
