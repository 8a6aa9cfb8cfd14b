import { describe, expect, it } from 'vitest';
import { applyMerges, learnMerges } from './bpe-merge-trainer';

describe('learnMerges', () => {
  it('learns the merges of Sennrich et al. (2016), ties broken by the smaller pair', () => {
    const words = [
      { word: 'low', count: 5 },
      { word: 'lower', count: 2 },
      { word: 'newest', count: 6 },
      { word: 'widest', count: 3 },
    ].map(({ word, count }) => ({ symbols: [...word], count }));
    const join = (a: string, b: string) => a + b;
    const merges = learnMerges(words, { stop: () => false, minFrequency: 3, join });
    // "e s" and "s t" both occur 9 times ("e s" first), then "es t"; "l o" and "o w" 7 times.
    expect(merges.slice(0, 4)).toEqual([['e', 's'], ['es', 't'], ['l', 'o'], ['lo', 'w']]);
    // Then "e w" (6, before "n e"), "ew est", "n ewest", and "d est", "i dest", "w idest" (3 each);
    // "low e" (2) is below minFrequency 3.
    expect(merges.slice(4)).toEqual([['e', 'w'], ['ew', 'est'], ['n', 'ewest'], ['d', 'est'], ['i', 'dest'], ['w', 'idest']]);
    expect(words.map((w) => w.symbols)).toEqual([['low'], ['low', 'e', 'r'], ['newest'], ['widest']]);
    const ranks = new Map(merges.map(([a, b], i) => [`${a} ${b}`, i]));
    expect(applyMerges([...'lowest'], ranks, join)).toEqual(['low', 'est']);
    let learned = 0;
    learnMerges([{ symbols: [...'aaaa'], count: 4 }], { stop: () => learned >= 1, minFrequency: 1, join, onLearn: () => learned++ });
    expect(learned).toBe(1);
  });
});
