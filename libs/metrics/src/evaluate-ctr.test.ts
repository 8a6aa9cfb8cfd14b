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
});
