import { describe, expect, it } from 'vitest';
import { mapConcurrently } from './map-concurrently';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('mapConcurrently', () => {
  it('keeps at most `concurrency` calls in flight and returns results in the items order', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await mapConcurrently([5, 1, 4, 2, 3, 0, 6], 3, async (value) => {
      started.push(value);
      running += 1;
      most = Math.max(most, running);
      for (let index = 0; index < value; index += 1) await tick();
      running -= 1;
      return value * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
    expect(started).toEqual([5, 1, 4, 2, 3, 0, 6]);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await expect(
      mapConcurrently([0, 1, 2, 3, 4], 2, async (value) => {
        started.push(value);
        await tick();
        if (value === 1) throw new Error('pair 1 failed');
        return value;
      }),
    ).rejects.toThrow('pair 1 failed');
    expect(started).toEqual([0, 1, 2]);
  });

  it('handles an empty list and a concurrency above the item count', async () => {
    expect(await mapConcurrently([], 4, async (value: number) => value)).toEqual([]);
    expect(await mapConcurrently([1, 2], 64, async (value) => value + 1)).toEqual([2, 3]);
  });
});
