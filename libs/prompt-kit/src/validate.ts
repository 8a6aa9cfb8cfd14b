import { describeValue, InvalidOptionError } from '@score/core';
import type { Item } from '@score/core';

/** Throws unless `item` looks like a core `Item` (a string title and an attributes record). */
export function checkItem(field: string, item: unknown): Item {
  if (item === null || typeof item !== 'object') {
    throw new InvalidOptionError(field, `must be an item ({ id, title, attributes }), got ${describeValue(item)}.`, item);
  }
  const candidate = item as Partial<Item>;
  if (typeof candidate.title !== 'string') {
    throw new InvalidOptionError(`${field}.title`, `must be a string, got ${describeValue(candidate.title)}.`, candidate.title);
  }
  if (candidate.attributes !== undefined && (candidate.attributes === null || typeof candidate.attributes !== 'object')) {
    throw new InvalidOptionError(`${field}.attributes`, `must be a record of string lists, got ${describeValue(candidate.attributes)}.`, candidate.attributes);
  }
  return candidate as Item;
}
