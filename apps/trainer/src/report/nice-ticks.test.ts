import { describe, expect, it } from 'vitest';
import { formatTick, niceTicks } from './nice-ticks';

describe('niceTicks', () => {
  it('rounds an AUC range to steps of 0.05', () => {
    const axis = niceTicks(0.5, 0.73, 5);
    expect(axis.step).toBeCloseTo(0.05, 12);
    expect(axis.ticks).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75]);
    expect(axis.ticks.map((tick) => formatTick(tick, axis.step))).toEqual(['0.50', '0.55', '0.60', '0.65', '0.70', '0.75']);
  });

  it('covers seconds from zero with whole steps', () => {
    const axis = niceTicks(0, 3700, 5);
    expect(axis.step).toBe(1000);
    expect(axis.ticks).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(formatTick(2000, axis.step)).toBe('2000');
  });

  it('widens a zero-width range and gives 2.5 steps one more decimal', () => {
    const axis = niceTicks(0.7, 0.7);
    expect(axis.min).toBeLessThan(0.7);
    expect(axis.max).toBeGreaterThan(0.7);
    expect(formatTick(0.025, 0.025)).toBe('0.025');
    expect(formatTick(7.5, 2.5)).toBe('7.5');
  });
});
