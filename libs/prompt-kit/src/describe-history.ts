import { InvalidOptionError, checkInteger, checkOptionalObject, describeValue, checkIntegerOrInfinity } from '@score/core';
import type { Item } from '@score/core';
import { type DescribeItemOptions, describeItem, quoteText } from './describe-item';
import { checkItem } from './validate';

/** Options of {@link describeHistory}. */
export interface DescribeHistoryOptions extends DescribeItemOptions {
  /**
   * Keep at most this many items, the most recent ones (a positive integer, or `Infinity` for all).
   * @defaultValue 20
   */
  readonly maxItems?: number;
  /**
   * Length budget of the whole text in UTF-16 code units (JavaScript `string.length`), quotes and
   * separators included. After `maxItems` is applied, the oldest items are dropped one at a time
   * until the text fits; when not even the most recent item fits, the result is the empty string.
   * `undefined` means no budget.
   * @defaultValue undefined
   */
  readonly maxChars?: number;
  /**
   * Written between two items.
   * @defaultValue ", "
   */
  readonly separator?: string;
}

/**
 * d(H(u)) for a history (method.md): the items' descriptions ({@link describeItem}), each in
 * double quotes ({@link quoteText}), joined by the separator, oldest first:
 * `"Heat (1995)", "Fargo (1996)"`.
 *
 * Rule: `items` is oldest first. The most recent `maxItems` are kept; then, while the joined text
 * is longer than `maxChars`, the oldest remaining item is dropped. The kept items stay in
 * chronological order, so the text always ends with the most recent item. No item is cut.
 *
 * @param items - The history, oldest first.
 * @returns The text, or "" for an empty history (or when nothing fits the budget).
 * @throws InvalidOptionError on an item without a string title or an invalid option.
 */
export function describeHistory(items: readonly Item[], options: DescribeHistoryOptions = {}): string {
  checkOptionalObject('options', options);
  if (!Array.isArray(items)) {
    throw new InvalidOptionError('items', `must be an array of items (oldest first), got ${describeValue(items)}.`, items);
  }
  const maxItems = options.maxItems ?? 20;
  checkIntegerOrInfinity('maxItems', maxItems);
  const maxChars = options.maxChars;
  if (maxChars !== undefined) checkInteger('maxChars', maxChars, 0);
  const separator = options.separator ?? ', ';
  if (typeof separator !== 'string') {
    throw new InvalidOptionError('separator', `must be a string, got ${describeValue(separator)}.`, separator);
  }

  const first = Math.max(0, items.length - maxItems);
  const entries: string[] = [];
  for (let i = first; i < items.length; i += 1) {
    entries.push(quoteText(describeItem(checkItem(`items[${i}]`, items[i]), { attributes: options.attributes })));
  }
  if (maxChars === undefined) return entries.join(separator);
  let start = 0;
  let length = entries.reduce((sum, entry) => sum + entry.length, 0) + separator.length * Math.max(0, entries.length - 1);
  while (start < entries.length && length > maxChars) {
    length -= entries[start].length + (start < entries.length - 1 ? separator.length : 0);
    start += 1;
  }
  return entries.slice(start).join(separator);
}
