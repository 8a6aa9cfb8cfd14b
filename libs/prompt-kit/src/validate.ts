import { InvalidOptionError } from '@score/core';
import type { Item } from '@score/core';

/** A short, readable rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null || typeof value === 'bigint') {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** Throws unless `options` is undefined or a plain object. */
export function checkOptionsObject(field: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new InvalidOptionError(field, `must be an options object, got ${describeValue(options)}.`, options);
  }
}

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
