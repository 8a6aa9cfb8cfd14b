import { DataFormatError, type Item, type ItemId, type ProgressCallback, checkObject, stringOption } from '@score/core';
import { listColumns } from '../io/excerpt';
import { idValue, shown } from './generic-interactions';
import { resolveTableFormat, type TableFormat } from './table-format';
import { readTableRecords } from './table-records';

/** Options of {@link readGenericItems}. */
export interface GenericItemsOptions {
  /**
   * Items file: CSV or TSV with a header, or JSON lines. Columns `item_id` and `title`, then any
   * attribute columns (`genres`, `year`, `brand`, ...).
   */
  readonly path: string;
  /** File layout. @defaultValue from the extension, as for interactions */
  readonly format?: TableFormat;
  /** Separator of multi-valued attribute cells (`Action|Comedy`); JSON arrays are taken as they are. @defaultValue `"|"` */
  readonly multiValueSeparator?: string;
  /** Receives `data.read` events counting lines. @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** Stops reading when aborted. @defaultValue none */
  readonly signal?: AbortSignal;
}

/**
 * Reads an items file of the generic form into a map keyed by item id (in file order). Every
 * column other than `item_id` and `title` becomes an attribute; a cell is split on
 * `multiValueSeparator` and empty values are dropped. A duplicate or empty id, or a missing
 * title, throws {@link DataFormatError} naming the file, line and field.
 */
export async function readGenericItems(options: GenericItemsOptions): Promise<Map<ItemId, Item>> {
  checkObject('options', options);
  const filePath = stringOption('path', options.path);
  const format = resolveTableFormat(filePath, options.format);
  const separator = options.multiValueSeparator === undefined ? '|' : stringOption('multiValueSeparator', options.multiValueSeparator);
  const items = new Map<ItemId, Item>();
  const firstLine = new Map<ItemId, number>();
  const checkHeader = (columns: readonly string[]): void => {
    for (const name of ['item_id', 'title']) {
      if (!columns.includes(name)) throw new DataFormatError(`the header has no "${name}" column (found: ${listColumns(columns)}).`, { path: filePath, line: 1, field: name });
    }
  };
  for await (const batch of readTableRecords(filePath, format, { what: 'Items file', ...options }, checkHeader)) {
    for (const { values, line } of batch) {
      const id = idValue(values.item_id);
      if (id === undefined) throw new DataFormatError(`expected a non-empty id, got ${shown(values.item_id)}.`, { path: filePath, line, field: 'item_id' });
      if (items.has(id)) {
        throw new DataFormatError(`item id ${JSON.stringify(id)} appears again (first on line ${firstLine.get(id)}); ids must be unique.`, { path: filePath, line, field: 'item_id' });
      }
      if (typeof values.title !== 'string' && typeof values.title !== 'number') {
        throw new DataFormatError(`expected a title, got ${shown(values.title)}.`, { path: filePath, line, field: 'title' });
      }
      const attributes: Record<string, readonly string[]> = {};
      for (const [name, value] of Object.entries(values)) {
        if (name === 'item_id' || name === 'title') continue;
        attributes[name] = attributeValues(value, separator);
      }
      items.set(id, { id, title: String(values.title).trim(), attributes });
      firstLine.set(id, line);
    }
  }
  return items;
}

/** The values of one attribute cell. */
function attributeValues(value: unknown, separator: string): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((entry) => attributeValues(entry, separator));
  if (typeof value === 'object') return [JSON.stringify(value)];
  return String(value)
    .split(separator)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}
