import { createRandom, type RandomSource } from '@score/core';

/**
 * The synthetic dataset's draws over core's seeded source (`createRandom` with the sfc32
 * algorithm), so that the dataset is identical for the same seed on every platform.
 */
export class SeededRandom {
  readonly #next: RandomSource;
  #spare: number | undefined;

  constructor(seed: number) {
    this.#next = createRandom(seed, { algorithm: 'sfc32' });
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.#spare !== undefined) {
      const value = this.#spare;
      this.#spare = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.#spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** One element of a non-empty array. */
  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)];
  }

  /** Index drawn from a cumulative distribution (non-decreasing, last entry the total). */
  pickCumulative(cumulative: Float64Array): number {
    const target = this.next() * cumulative[cumulative.length - 1];
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle] > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** Shuffles in place (Fisher-Yates). */
  shuffle<T>(values: T[]): T[] {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [values[i], values[j]] = [values[j], values[i]];
    }
    return values;
  }
}
