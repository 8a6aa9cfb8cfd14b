import { describe, expect, it } from 'vitest';
import { createRandom, randomInteger, shuffleInPlace } from './random';

describe('createRandom', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const first = createRandom(42);
    const second = createRandom(42);
    const a = Array.from({ length: 5 }, () => first());
    expect(Array.from({ length: 5 }, () => second())).toEqual(a);
    const other = createRandom(43);
    expect(Array.from({ length: 5 }, () => other())).not.toEqual(a);
    // Seeds are reduced to 32 bits: 2^32 + 42 is the same generator as 42.
    const wrapped = createRandom(2 ** 32 + 42);
    expect(Array.from({ length: 5 }, () => wrapped())).toEqual(a);
  });

  it('draws uniform numbers in [0, 1)', () => {
    const random = createRandom(0);
    const bins = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i += 1) {
      const value = random();
      if (!(value >= 0 && value < 1)) outside += 1;
      else bins[Math.floor(value * 10)] += 1;
    }
    expect(outside).toBe(0);
    // Each bin expects 10,000 (sd ~95); 600 is more than six standard deviations.
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(600);
  });

  it('rejects a non-integer seed', () => {
    expect(() => createRandom(1.5)).toThrow('Invalid "seed": must be an integer, got 1.5.');
  });
});

describe('randomInteger and shuffleInPlace', () => {
  it('draws every integer in [0, size) and nothing else', () => {
    const random = createRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i += 1) seen.add(randomInteger(random, 7));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(() => randomInteger(random, 0)).toThrow('Invalid "size": must be an integer of at least 1, got 0.');
  });

  it('permutes deterministically by seed', () => {
    const a = shuffleInPlace([1, 2, 3, 4, 5, 6, 7, 8], createRandom(9));
    const b = shuffleInPlace([1, 2, 3, 4, 5, 6, 7, 8], createRandom(9));
    expect(a).toEqual(b);
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(a).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
