import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { describeHistory } from './describe-history';
import { describeItem, quoteText } from './describe-item';
import { cats, fargo, heat, seven, toyStory } from './test-fixtures/items';

describe('describeItem', () => {
  it('gives the title, optionally followed by attribute values', () => {
    expect(describeItem(toyStory)).toBe('Toy Story (1995)');
    expect(describeItem(toyStory, { attributes: ['genres'] })).toBe("Toy Story (1995) (Animation, Children's, Comedy)");
    expect(describeItem(toyStory, { attributes: true })).toBe("Toy Story (1995) (Animation, Children's, Comedy, 1995)");
    expect(describeItem(toyStory, { attributes: ['year', 'genres'] })).toBe("Toy Story (1995) (1995, Animation, Children's, Comedy)");
    // Attributes the item lacks are skipped; with none left, only the title.
    expect(describeItem(heat, { attributes: ['year'] })).toBe('Heat (1995)');
    expect(describeItem({ id: 'x', title: 'Untitled', attributes: { genres: ['', 'Drama'] } }, { attributes: true })).toBe('Untitled (Drama)');
  });

  it('rejects an item without a title and bad attribute options', () => {
    expect(() => describeItem({ id: '1' } as never)).toThrow('Invalid "item.title": must be a string, got undefined.');
    expect(() => describeItem(heat, { attributes: 'genres' as never })).toThrow(
      'Invalid "attributes": must be true, false or a list of attribute names, got "genres".',
    );
  });
});

describe('quoteText', () => {
  it('wraps in double quotes and turns inner double quotes into single ones', () => {
    expect(quoteText('Heat (1995)')).toBe('"Heat (1995)"');
    expect(quoteText(cats.title)).toBe(`"'Great Performances' Cats (1998)"`);
  });
});

describe('describeHistory', () => {
  const history = [toyStory, heat, cats, fargo, seven];

  it('quotes each title and joins them oldest first', () => {
    expect(describeHistory(history)).toBe(
      `"Toy Story (1995)", "Heat (1995)", "'Great Performances' Cats (1998)", "Fargo (1996)", "Seven (Se7en) (1995)"`,
    );
    expect(describeHistory([heat, fargo], { attributes: ['genres'], separator: '; ' })).toBe(
      '"Heat (1995) (Action, Crime, Thriller)"; "Fargo (1996) (Crime, Drama, Thriller)"',
    );
    expect(describeHistory([])).toBe('');
  });

  it('keeps the most recent maxItems', () => {
    expect(describeHistory(history, { maxItems: 2 })).toBe('"Fargo (1996)", "Seven (Se7en) (1995)"');
    expect(describeHistory(history, { maxItems: Number.POSITIVE_INFINITY })).toBe(describeHistory(history));
  });

  it('drops the oldest items until the text fits maxChars', () => {
    // '"Fargo (1996)"' is 14 characters, ', ' 2, '"Seven (Se7en) (1995)"' 22: the last two take 38.
    expect(describeHistory(history, { maxChars: 38 })).toBe('"Fargo (1996)", "Seven (Se7en) (1995)"');
    expect(describeHistory(history, { maxChars: 37 })).toBe('"Seven (Se7en) (1995)"');
    expect(describeHistory(history, { maxChars: 22 })).toBe('"Seven (Se7en) (1995)"');
    // Not even the most recent item fits: nothing is kept (no item is cut).
    expect(describeHistory(history, { maxChars: 21 })).toBe('');
    // maxItems first, then the budget: the last 3 take 34 + 2 + 14 + 2 + 22 = 74 > 60 characters,
    // so the oldest of them is dropped (38 <= 60).
    expect(describeHistory(history, { maxItems: 3, maxChars: 60 })).toBe('"Fargo (1996)", "Seven (Se7en) (1995)"');
  });

  it('validates its options', () => {
    expect(() => describeHistory(history, { maxItems: 0 })).toThrow('Invalid "maxItems": must be an integer of at least 1 or Infinity, got 0.');
    expect(() => describeHistory(history, { maxChars: -1 })).toThrow(InvalidOptionError);
    expect(() => describeHistory([heat, null as never])).toThrow('Invalid "items[1]": must be an item ({ id, title, attributes }), got null.');
  });
});
