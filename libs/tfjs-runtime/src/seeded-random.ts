import type { RandomSource } from '@score/core';

/** A seeded source of uniform numbers in [0, 1) (core's type). */
export type { RandomSource } from '@score/core';

// Helpers over core's seeded generator (`createRandom`).

/** A new 31-bit integer seed drawn from `random` (to seed a child generator). */
export function deriveSeed(random: RandomSource): number {
  return Math.floor(random() * 0x7fffffff);
}

/** The integers 0..n-1 in a random order (Fisher-Yates with `random`). */
export function shuffledIndices(n: number, random: RandomSource): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}

/**
 * Fills `out` with standard normal draws (Box-Muller) scaled by `std`, from `random`; returns `out`.
 */
export function fillNormal(out: Float32Array, random: RandomSource, std = 1): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - random();
    const u2 = random();
    const radius = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = radius * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
  return out;
}
