import { checkInteger, checkOneOf } from './option-checks';

/** A seeded source of uniform numbers in [0, 1), as returned by {@link createRandom}. */
export type RandomSource = () => number;

/** The generators {@link createRandom} offers. */
export type RandomAlgorithm = 'mulberry32' | 'sfc32';

/** Options of {@link createRandom}. */
export interface RandomOptions {
  /**
   * `"mulberry32"`: the generator of shuffling, sampling, dropout and initialisation everywhere;
   * `"sfc32"` (seeded through splitmix32, 12 warm-up draws): the synthetic dataset's generator,
   * kept so that the same seed still gives the same dataset.
   * @defaultValue "mulberry32"
   */
  readonly algorithm?: RandomAlgorithm;
}

/**
 * The one seeded pseudo-random source of @score: the same seed always gives the same sequence,
 * on every platform. Every package draws from it, for shuffling, sampling, dropout masks, weight
 * initialisation and synthetic data.
 * @param seed - Any integer; it is reduced to 32 bits (`seed >>> 0`).
 * @throws InvalidOptionError when `seed` is not an integer or the algorithm is unknown.
 */
export function createRandom(seed: number, options: RandomOptions = {}): RandomSource {
  checkInteger('seed', seed);
  const algorithm = checkOneOf('algorithm', options.algorithm ?? 'mulberry32', ['mulberry32', 'sfc32'] as const);
  return algorithm === 'sfc32' ? sfc32(seed) : mulberry32(seed);
}

function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    // mulberry32 (public domain), https://gist.github.com/tommyettinger/46a874533244883189143505d203312c
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG, PractRand), its four words seeded by splitmix32.
function sfc32(seed: number): RandomSource {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const uint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) uint32();
  return () => uint32() / 4294967296;
}
