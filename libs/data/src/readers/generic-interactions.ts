import { DataFormatError, SPLIT_NAMES, type Interaction, type ProgressCallback, type SplitName, checkObject, stringOption } from '@score/core';
import { parseNumberText } from '../io/text';
import { listColumns } from '../io/excerpt';
import { checkTimestampUnit, type TimestampUnit, timestampSeconds } from '../io/timestamp';
import { resolveTableFormat, type TableFormat } from './table-format';
import { readTableRecords } from './table-records';

/** Options of {@link readGenericInteractions}. */
export interface GenericInteractionsOptions {
  /**
   * Interactions file: CSV or TSV with a header, or JSON lines. Columns `user_id`, `item_id`,
   * `timestamp` (Unix seconds, or milliseconds with `timestampUnit`), then `rating` (a number) and/or `label` (0 or 1), and optionally
   * `split` (`train`, `valid` or `test`, kept as given). Other columns are ignored.
   */
  readonly path: string;
  /** File layout. @defaultValue from the extension: `.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`/`.json` (optionally `.gz`) */
  readonly format?: TableFormat;
  /**
   * Unit of the `timestamp` column; milliseconds are divided by 1000. A seconds column holding
   * milliseconds (a value above 1e11, i.e. after the year 5138) is refused with this fix.
   * @defaultValue "seconds"
   */
  readonly timestampUnit?: TimestampUnit;
  /** Receives `data.read` events counting lines. @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** Stops reading when aborted. @defaultValue none */
  readonly signal?: AbortSignal;
}

const REQUIRED = ['user_id', 'item_id', 'timestamp'] as const;

/**
 * Streams interactions of the generic form, in file order. Each value is checked: a missing or
 * empty id, a non-numeric timestamp or rating, a label other than 0/1 or an unknown split throws
 * {@link DataFormatError} naming the file, line and field.
 */
export function readGenericInteractions(options: GenericInteractionsOptions): AsyncGenerator<Interaction> {
  // Options are checked now, not at the first `next()`.
  checkObject('options', options);
  resolveTableFormat(stringOption('path', options.path), options.format);
  if (options.timestampUnit !== undefined) checkTimestampUnit('timestampUnit', options.timestampUnit);
  return streamGenericInteractions(options);
}

async function* streamGenericInteractions(options: GenericInteractionsOptions): AsyncGenerator<Interaction> {
  checkObject('options', options);
  const filePath = stringOption('path', options.path);
  const format = resolveTableFormat(filePath, options.format);
  const unit = checkTimestampUnit('timestampUnit', options.timestampUnit ?? 'seconds');
  const checkHeader = (columns: readonly string[]): void => {
    for (const name of REQUIRED) {
      if (!columns.includes(name)) throw new DataFormatError(`the header has no "${name}" column (found: ${listColumns(columns)}).`, { path: filePath, line: 1, field: name });
    }
    if (!columns.includes('rating') && !columns.includes('label')) {
      throw new DataFormatError(`the header needs a "rating" or a "label" column (found: ${listColumns(columns)}).`, { path: filePath, line: 1 });
    }
  };
  for await (const batch of readTableRecords(filePath, format, { what: 'Interactions file', ...options }, checkHeader)) {
    for (const record of batch) {
      const { values, line } = record;
      const fail = (field: string, message: string): never => {
        throw new DataFormatError(message, { path: filePath, line, field });
      };
      const userId = idValue(values.user_id) ?? fail('user_id', `expected a non-empty id, got ${shown(values.user_id)}.`);
      const itemId = idValue(values.item_id) ?? fail('item_id', `expected a non-empty id, got ${shown(values.item_id)}.`);
      const timestamp = numberValue(values.timestamp);
      if (Number.isNaN(timestamp)) fail('timestamp', `expected a Unix time in ${unit}, got ${shown(values.timestamp)}.`);
      let rating: number | undefined;
      if (values.rating !== undefined && values.rating !== '' && values.rating !== null) {
        rating = numberValue(values.rating);
        if (Number.isNaN(rating)) fail('rating', `expected a number, got ${shown(values.rating)}.`);
      }
      let label: 0 | 1 | undefined;
      if (values.label !== undefined && values.label !== '' && values.label !== null) {
        const text = String(values.label).trim();
        if (text === '1' || text === 'true') label = 1;
        else if (text === '0' || text === 'false') label = 0;
        else fail('label', `expected 0 or 1, got ${shown(values.label)}.`);
      }
      if (rating === undefined && label === undefined) fail('rating', 'the row has neither a rating nor a label.');
      let split: SplitName | undefined;
      if (values.split !== undefined) {
        const text = typeof values.split === 'string' ? values.split.trim() : values.split;
        if (!(SPLIT_NAMES as readonly unknown[]).includes(text)) {
          fail('split', `expected "train", "valid" or "test", got ${shown(values.split)}.`);
        }
        split = text as SplitName;
      }
      const interaction: { -readonly [K in keyof Interaction]: Interaction[K] } = { userId, itemId, timestamp: timestampSeconds(timestamp, unit, { path: filePath, line, field: 'timestamp' }) };
      if (rating !== undefined) interaction.rating = rating;
      if (label !== undefined) interaction.label = label;
      if (split !== undefined) interaction.split = split;
      yield interaction;
    }
  }
}

/** An id cell as a string: strings are trimmed, numbers are written in decimal; empty gives undefined. */
export function idValue(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text.length === 0 ? undefined : text;
}

/** A numeric cell (a JSON number or numeric text); `NaN` otherwise. */
export function numberValue(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'string') return parseNumberText(value);
  return Number.NaN;
}

/** A cell value shown in an error message. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
