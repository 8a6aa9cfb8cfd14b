import type { ItemId } from './ids';

/**
 * An item with its text metadata. `attributes` holds any further columns of the items file;
 * multi-valued columns (e.g. `genres` written `Action|Comedy`) keep every value.
 */
export interface Item {
  readonly id: ItemId;
  readonly title: string;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}
