import { InvalidOptionError } from './errors';

/** A seeded source of uniform numbers in [0, 1), as returned by {@link createRandom}. */
export type RandomSource = () => number;

/**
 * A small, fast, seeded pseudo-random generator (mulberry32): the same seed always gives the same
 * sequence, on every platform. The one generator every @score package uses for shuffling,
 * sampling, dropout masks and weight initialisation.
 * @param seed - Any integer; it is reduced to 32 bits (`seed >>> 0`).
 * @throws InvalidOptionError when `seed` is not an integer.
 */
export function createRandom(seed: number): RandomSource {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new InvalidOptionError('seed', `must be an integer, got ${typeof seed === 'number' ? String(seed) : typeof seed}.`, seed);
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
