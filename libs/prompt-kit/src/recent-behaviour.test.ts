import { describe, expect, it } from 'vitest';
import { describeHistory } from './describe-history';
import { behaviourEntries, recentBehaviour } from './recent-behaviour';

describe('recentBehaviour', () => {
  const text = '"A (1999)", "B: it\'s (2001)", "C (2003)"';

  it('splits a describeHistory text into its quoted entries and keeps the most recent ones', () => {
    expect(behaviourEntries(text)).toEqual(['"A (1999)"', '"B: it\'s (2001)"', '"C (2003)"']);
    expect(behaviourEntries('')).toEqual([]);
    expect(recentBehaviour(text, 2)).toBe('"B: it\'s (2001)", "C (2003)"');
    expect(recentBehaviour(text, 3)).toBe(text);
    expect(recentBehaviour(text, Number.POSITIVE_INFINITY)).toBe(text);
  });

  it('leaves texts of another form unchanged', () => {
    expect(behaviourEntries('liked A and B')).toBeUndefined();
    expect(recentBehaviour('liked A and B', 1)).toBe('liked A and B');
  });

  it('reads what describeHistory writes, quotes inside titles included', () => {
    const written = describeHistory([{ id: '1', title: 'Say "Hi" (1990)', attributes: {} }, { id: '2', title: 'Two (1991)', attributes: {} }]);
    expect(behaviourEntries(written)).toHaveLength(2);
    expect(recentBehaviour(written, 1)).toBe('"Two (1991)"');
  });
});
