import { describe, expect, it } from 'vitest';
import { accuracy } from './accuracy';
import { logLoss } from './log-loss';

describe('logLoss', () => {
  it('matches a hand-computed value', () => {
    // -(ln 0.8 + ln(1 - 0.4) + ln 0.5) / 3 = (0.2231435513142098 + 0.5108256237659907 + 0.6931471805599453) / 3
    expect(logLoss([1, 0, 1], [0.8, 0.4, 0.5])).toBeCloseTo((0.2231435513142098 + 0.5108256237659907 + 0.6931471805599453) / 3, 12);
  });

  it('clips probabilities to [epsilon, 1 - epsilon]', () => {
    // A sure wrong answer costs -ln(1e-7) = 16.11809565095832; a sure right one -ln(1 - 1e-7) ~ 1.00000005e-7.
    expect(logLoss([1], [0])).toBeCloseTo(16.11809565095832, 12);
    expect(logLoss([0], [1])).toBeCloseTo(16.11809565095832, 12);
    expect(logLoss([1], [1])).toBeCloseTo(1.00000005e-7, 12);
    // epsilon 0.01: -ln 0.01 = 4.605170185988091.
    expect(logLoss([1], [0], { epsilon: 0.01 })).toBeCloseTo(4.605170185988091, 12);
  });

  it('returns NaN without rows and rejects bad probabilities and options', () => {
    expect(logLoss([], [])).toBeNaN();
    expect(() => logLoss([1], [1.5])).toThrow('Invalid "probabilities": probabilities[0] is 1.5; every probability must lie in [0, 1].');
    expect(() => logLoss([1], [0.5], { epsilon: 0 })).toThrow('Invalid "epsilon": must be a number in (0, 0.5), got 0.');
  });
});

describe('accuracy', () => {
  it('predicts positive at or above the threshold', () => {
    // >= 0.5: predictions 1, 0, 0, 1 against labels 1, 0, 1, 0: 2 of 4 right.
    expect(accuracy([1, 0, 1, 0], [0.5, 0.49, 0.2, 0.7])).toBe(0.5);
    // >= 0.3: predictions 1, 1, 0, 1: only the first is right.
    expect(accuracy([1, 0, 1, 0], [0.5, 0.49, 0.2, 0.7], { threshold: 0.3 })).toBe(0.25);
  });

  it('returns NaN without rows and rejects a non-finite threshold', () => {
    expect(accuracy([], [])).toBeNaN();
    expect(() => accuracy([1], [0.5], { threshold: Number.POSITIVE_INFINITY })).toThrow('Invalid "threshold": must be a finite number, got Infinity.');
  });
});
