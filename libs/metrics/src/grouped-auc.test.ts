import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { gauc } from './gauc';
import { labels, scores, users } from './test-fixtures/grouped-example';
import { uauc } from './uauc';

describe('uauc', () => {
  it('is the unweighted mean of per-user AUCs and counts the skipped users', () => {
    // (0.5 + 0.75 + 5/6) / 3 = (18 + 27 + 30) / 36 / 3 = 25 / 36.
    const result = uauc(users, labels, scores);
    expect(result.value).toBeCloseTo(25 / 36, 12);
    expect(result).toMatchObject({ users: 3, skipped: 2, skippedSingleRow: 1, skippedSingleClass: 1 });
  });

  it('does not depend on row order', () => {
    const order = [13, 2, 7, 0, 10, 5, 1, 12, 3, 8, 6, 11, 4, 9];
    const result = uauc(order.map((i) => users[i]), order.map((i) => labels[i]), order.map((i) => scores[i]));
    expect(result.value).toBeCloseTo(25 / 36, 12);
  });

  it('tells number and string ids apart and accepts numeric ids', () => {
    // User 1: pos {0.8} vs neg {0.2} = 1; user "1": pos {0.1} vs neg {0.9} = 0; mean 0.5.
    const result = uauc([1, 1, '1', '1'], [1, 0, 1, 0], [0.8, 0.2, 0.1, 0.9]);
    expect(result.value).toBe(0.5);
    expect(result.users).toBe(2);
  });

  it('returns NaN and the counts when no user has both classes', () => {
    const result = uauc(['x', 'y', 'y'], [1, 0, 0], [0.5, 0.5, 0.4]);
    expect(result).toEqual({ value: Number.NaN, users: 0, skipped: 2, skippedSingleRow: 1, skippedSingleClass: 1 });
  });

  it('rejects a user id that is neither a string nor a number, and a length mismatch', () => {
    expect(() => uauc(['a', null as unknown as string], [1, 0], [0.1, 0.2])).toThrow(
      'Invalid "userIds": userIds[1] is null; every user id must be a string or a number.',
    );
    expect(() => uauc(['a'], [1, 0], [0.1, 0.2])).toThrow(InvalidOptionError);
  });
});

describe('gauc', () => {
  it('weights each user AUC by the user positives (RecBole)', () => {
    // (0.5 x 1 + 0.75 x 2 + 5/6 x 3) / (1 + 2 + 3) = (0.5 + 1.5 + 2.5) / 6 = 0.75.
    const result = gauc(users, labels, scores);
    expect(result.value).toBeCloseTo(0.75, 12);
    expect(result).toMatchObject({ users: 3, skipped: 2, skippedSingleRow: 1, skippedSingleClass: 1 });
  });
});
