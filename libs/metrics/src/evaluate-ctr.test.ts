import { describe, expect, it } from 'vitest';
import { evaluateCtr } from './evaluate-ctr';
import { logLoss } from './log-loss';
import { labels, scores, users } from './test-fixtures/grouped-example';

describe('evaluateCtr', () => {
  it('reports every CTR figure of the grouped example', () => {
    const result = evaluateCtr({ userIds: users, labels, scores });
    // Overall AUC: positives {0.9, 0.3, 0.7, 0.4, 0.8, 0.6, 0.2} against negatives
    // {0.1, 0.1, 0.2, 0.3, 0.5, 0.6, 0.95}: 6 + 3.5 + 6 + 4 + 6 + 5.5 + 2.5 = 33.5 of 49 pairs.
    expect(result.auc).toBeCloseTo(33.5 / 49, 12);
    expect(result.uauc).toBeCloseTo(25 / 36, 12);
    expect(result.gauc).toBeCloseTo(0.75, 12);
    expect(result.uaucUsers).toBe(3);
    expect(result.uaucSkipped).toBe(2);
    // >= 0.5 is right for a: 2, b: 2, c: 0, d: 1, e: 3 = 8 of 14.
    expect(result.accuracy).toBeCloseTo(8 / 14, 12);
    expect(result.logLoss).toBe(logLoss(labels, scores));
    expect(result.rows).toBe(14);
  });

  it('passes epsilon and threshold on', () => {
    const result = evaluateCtr({ userIds: ['a', 'a'], labels: [1, 0], scores: [0, 0.4], epsilon: 0.01, threshold: 0.3 });
    // -(ln 0.01 + ln 0.6) / 2; predictions 0, 1 against 1, 0: none right.
    expect(result.logLoss).toBeCloseTo((4.605170185988091 + 0.5108256237659907) / 2, 12);
    expect(result.accuracy).toBe(0);
    expect(result.auc).toBe(0);
  });

  it('names the caller\'s own fields in its errors', () => {
    // A score outside [0, 1] is reported as "scores" (the caller's field), not as the
    // "probabilities" parameter of logLoss/accuracy that evaluateCtr calls.
    expect(() => evaluateCtr({ userIds: ['a', 'a'], labels: [1, 0], scores: [0.2, 1.5] })).toThrow(
      'Invalid "scores": scores[1] is 1.5; every entry of "scores" must be a probability in [0, 1].',
    );
    expect(() => evaluateCtr({ userIds: ['a', 'a'], labels: [1, 0], scores: [-0.1, 0.5] })).toThrow('Invalid "scores": scores[0] is -0.1;');
    expect(() => evaluateCtr({ userIds: ['a', 'a'], labels: [1, 0], scores: [0.2, Number.NaN] })).toThrow(
      'Invalid "scores": scores[1] is NaN; every score must be a number (NaN is not allowed).',
    );
    expect(() => evaluateCtr({ userIds: ['a', 'a'], labels: [1, 0], scores: [0.2] })).toThrow(
      'Invalid "scores": has 1 entries but "labels" has 2; both must hold one entry per row.',
    );
    expect(() => evaluateCtr({ userIds: ['a'], labels: [1, 0], scores: [0.2, 0.5] })).toThrow('Invalid "userIds": has 1 entries but "labels" has 2;');
    expect(() => evaluateCtr({ userIds: ['a', 'a'], labels: [1, 2], scores: [0.2, 0.5] })).toThrow('Invalid "labels": labels[1] is 2;');
    expect(() => evaluateCtr({ userIds: ['a', 'a'], labels: [1, 0], scores: [0.2, 0.5], epsilon: 0.7 })).toThrow('Invalid "epsilon": must be a number in (0, 0.5), got 0.7.');
    expect(() => evaluateCtr({ userIds: ['a', 'a'], labels: [1, 0], scores: [0.2, 0.5], threshold: Number.NaN })).toThrow('Invalid "threshold": must be a finite number, got NaN.');
    // logLoss itself still names its own parameter.
    expect(() => logLoss([1], [1.5])).toThrow('Invalid "probabilities": probabilities[0] is 1.5; every probability must lie in [0, 1].');
  });
});
