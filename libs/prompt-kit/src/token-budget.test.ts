import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { behaviourEntries, recentBehaviour } from './recent-behaviour';
import { fitPromptToBudget, measurePromptTokens, resolveTokenBudget, trimmingSteps, type PromptItemLimits } from './token-budget';

/** One token per space-separated word: lengths are easy to count by hand. */
const words = { encode: (text: string) => ({ ids: text.split(' ').filter((word) => word !== '').map((word) => word.length) }) };

describe('token budget', () => {
  it('measures mean, p95 (nearest rank) and max with the special token, and counts prompts over budget', () => {
    const prompts = Array.from({ length: 20 }, (_, i) => Array.from({ length: i + 1 }, () => 'w').join(' '));
    // Lengths 2..21 (one BOS each): mean 11.5, p95 = 19th of 20 = 20.
    expect(measurePromptTokens(prompts, { tokenizer: words, maxTokens: 15 })).toEqual({ prompts: 20, mean: 11.5, p95: 20, max: 21, overBudget: 6, maxTokens: 15 });
    expect(measurePromptTokens([], { tokenizer: words })).toEqual({ prompts: 0, mean: 0, p95: 0, max: 0, overBudget: 0, maxTokens: 256 });
    expect(measurePromptTokens(['a b'], { tokenizer: words, specialTokens: 0 }).max).toBe(2);
  });

  it('drops the larger limit first (history on ties) until the prompt fits', () => {
    const history = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
    const behaviour = ['b1', 'b2', 'b3'];
    const build = (limits: PromptItemLimits) => ['P', ...history.slice(-limits.historyItems), '|', ...behaviour.slice(-limits.behaviourItems), '|', ...behaviour.slice(-limits.behaviourItems)].join(' ');
    const budget = resolveTokenBudget({ tokenizer: words, maxTokens: 10 });
    // Full: 1 + 6 + 1 + 3 + 1 + 3 + BOS = 16. Steps: h5 (15), h4 (14), h3 (13) -> tie 3/3 drops history: h2 (12),
    // then behaviour 2 (10).
    expect(fitPromptToBudget(build, { historyItems: 20, behaviourItems: Infinity }, { historyItems: 6, behaviourItems: 3 }, budget)).toEqual({
      prompt: 'P h5 h6 | b2 b3 | b2 b3',
      tokens: 10,
      historyItems: 2,
      behaviourItems: 2,
    });
    const tight = fitPromptToBudget(build, { historyItems: 6, behaviourItems: 3 }, { historyItems: 6, behaviourItems: 3 }, resolveTokenBudget({ tokenizer: words, maxTokens: 3 }));
    expect(tight).toMatchObject({ historyItems: 1, behaviourItems: 1, tokens: 7 });
  });

  it('steps through the limits by the rule and finds the same prompt with any estimate', () => {
    expect(trimmingSteps({ historyItems: 3, behaviourItems: 9 }, { historyItems: 5, behaviourItems: 2 }).map((l) => [l.historyItems, l.behaviourItems])).toEqual([
      [3, 2],
      [2, 2],
      [1, 2],
      [1, 1],
    ]);
    const history = Array.from({ length: 12 }, (_, i) => `h${i}`);
    const behaviour = Array.from({ length: 9 }, (_, i) => `b${i}`);
    const build = (limits: PromptItemLimits) => ['P', ...history.slice(-limits.historyItems), '|', ...behaviour.slice(-limits.behaviourItems)].join(' ');
    for (const maxTokens of [4, 6, 9, 13, 17, 20, 30]) {
      const budget = resolveTokenBudget({ tokenizer: words, maxTokens });
      const start = { historyItems: 12, behaviourItems: 9 };
      const expected = fitPromptToBudget(build, start, start, budget);
      const exact = (limits: PromptItemLimits) => 3 + limits.historyItems + limits.behaviourItems;
      for (const estimate of [exact, (l: PromptItemLimits) => exact(l) + 5, (l: PromptItemLimits) => exact(l) - 7, () => 0, () => 1000]) {
        expect(fitPromptToBudget(build, start, start, budget, estimate)).toEqual(expected);
      }
      expect(expected.tokens <= maxTokens || (expected.historyItems === 1 && expected.behaviourItems === 1)).toBe(true);
    }
  });

  it('rejects a budget that leaves no room or lacks a tokenizer', () => {
    expect(() => resolveTokenBudget({ tokenizer: words, maxTokens: 1 })).toThrow(InvalidOptionError);
    expect(() => resolveTokenBudget({ tokenizer: {} as never })).toThrow(/tokenBudget\.tokenizer/);
    expect(() => resolveTokenBudget({ tokenizer: words, specialTokens: -1 })).toThrow(/specialTokens/);
  });
});

describe('recentBehaviour', () => {
  it('keeps the most recent items of a describeHistory text', () => {
    const text = '"Heat (1995)", "Fargo (1996)", "It\'s \'Cats\', 1998"';
    expect(behaviourEntries(text)).toEqual(['"Heat (1995)"', '"Fargo (1996)"', '"It\'s \'Cats\', 1998"']);
    expect(recentBehaviour(text, 2)).toBe('"Fargo (1996)", "It\'s \'Cats\', 1998"');
    expect(recentBehaviour(text, 3)).toBe(text);
    expect(recentBehaviour(text, Infinity)).toBe(text);
    expect(behaviourEntries('')).toEqual([]);
  });

  it('leaves texts of another form unchanged', () => {
    expect(behaviourEntries('Heat, Fargo')).toBeUndefined();
    expect(recentBehaviour('Heat, Fargo', 1)).toBe('Heat, Fargo');
  });
});
