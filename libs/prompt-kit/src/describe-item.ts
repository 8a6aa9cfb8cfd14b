import { InvalidOptionError, checkOptionalObject, describeValue } from '@score/core';
import type { Item } from '@score/core';
import { checkItem } from './validate';

/** Options of {@link describeItem}. */
export interface DescribeItemOptions {
  /**
   * Which attributes follow the title in parentheses: `false` none, `true` every attribute in the
   * item's key order, or a list of attribute names in the order wanted (names the item lacks are
   * skipped). All values of the chosen attributes are joined with ", "; empty values are skipped.
   * @defaultValue false
   */
  readonly attributes?: readonly string[] | boolean;
}

/**
 * d(v) for one item (method.md, "d(.) turns an item ... into text"): its title, followed by the
 * chosen attribute values in parentheses when there are any, e.g. `Toy Story (1995) (Animation, Comedy)`.
 * The text is not quoted; {@link describeHistory} and the prompts quote it.
 *
 * @throws InvalidOptionError when the item has no string title or `attributes` is neither a
 *   boolean nor a list of names.
 */
export function describeItem(item: Item, options: DescribeItemOptions = {}): string {
  checkOptionalObject('options', options);
  const checked = checkItem('item', item);
  const names = attributeNames(checked, options.attributes ?? false);
  const values: string[] = [];
  for (const name of names) {
    if (checked.attributes === undefined || !Object.hasOwn(checked.attributes, name)) continue;
    const list = checked.attributes[name];
    for (const value of Array.isArray(list) ? list : [list]) {
      if (typeof value === 'string' && value.length > 0) values.push(value);
    }
  }
  return values.length === 0 ? checked.title : `${checked.title} (${values.join(', ')})`;
}

function attributeNames(item: Item, attributes: unknown): readonly string[] {
  if (attributes === false) return [];
  if (attributes === true) return Object.keys(item.attributes ?? {});
  if (Array.isArray(attributes) && attributes.every((name) => typeof name === 'string')) return attributes;
  throw new InvalidOptionError('attributes', `must be true, false or a list of attribute names, got ${describeValue(attributes)}.`, attributes);
}

/**
 * Wraps a description in double quotes, as CoLLM and TALLRec write titles in their prompts. A
 * double quote inside the text becomes a single quote (ML-1M has titles such as
 * `"Great Performances" Cats (1998)`), so every quoted entry stays unambiguous.
 */
export function quoteText(text: string): string {
  return `"${text.replaceAll('"', "'")}"`;
}
