import { InvalidOptionError } from '@score/core';

/** Layout of a generic table file. */
export type TableFormat = 'csv' | 'tsv' | 'jsonl';

/** Every supported {@link TableFormat}. */
export const TABLE_FORMATS: readonly TableFormat[] = Object.freeze(['csv', 'tsv', 'jsonl'] as const);

/** The format given, or the one named by the file extension (`.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`/`.json`, optionally `.gz`). */
export function resolveTableFormat(filePath: string, format: TableFormat | undefined, field = 'format'): TableFormat {
  if (format !== undefined) {
    if (!TABLE_FORMATS.includes(format)) {
      throw new InvalidOptionError(field, `expected one of "csv", "tsv", "jsonl", got ${JSON.stringify(format)}.`, format);
    }
    return format;
  }
  const name = filePath.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.tsv') || name.endsWith('.tab')) return 'tsv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || name.endsWith('.json')) return 'jsonl';
  throw new InvalidOptionError(field, `cannot tell the format of ${filePath} from its extension; pass "csv", "tsv" or "jsonl".`, format);
}
