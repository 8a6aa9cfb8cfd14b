import { DataFormatError, type ProgressCallback } from '@score/core';
import { DelimitedRecordReader, MAX_QUOTED_FIELD_CHARS, MAX_QUOTED_FIELD_LINES } from '../io/delimited';
import { excerpt, listColumns } from '../io/excerpt';
import { readParsedLines } from '../io/line-reader';
import { decodeUtf8 } from '../io/text';
import type { TableFormat } from './table-format';

/** One record of a generic table: named values (strings from CSV/TSV, any JSON value from JSONL). */
export interface TableRecord {
  readonly line: number;
  readonly values: Readonly<Record<string, unknown>>;
}

/** Options of {@link readTableRecords}. */
export interface ReadTableOptions {
  readonly what: string;
  readonly onProgress?: ProgressCallback;
  readonly signal?: AbortSignal;
}

/**
 * Streams the records of a CSV/TSV file with a header line, or of a JSON-lines file (one object
 * per line), decoding strict UTF-8. Calls `onHeader` once with the column names of CSV/TSV files.
 * A record with the wrong number of fields, a bad JSON line or undecodable bytes throw
 * {@link DataFormatError} naming the file and line.
 */
export async function* readTableRecords(
  filePath: string,
  format: TableFormat,
  options: ReadTableOptions,
  onHeader?: (columns: readonly string[]) => void,
): AsyncGenerator<TableRecord[]> {
  const delimiter = format === 'tsv' ? '\t' : ',';
  let header: string[] | undefined;
  const records = new DelimitedRecordReader(delimiter);
  const parse = (buffer: Buffer, start: number, end: number, line: number): TableRecord | undefined => {
    const text = decodeUtf8(buffer, start, end, filePath, line);
    if (text.length === 0 && !records.pending) return undefined;
    if (format === 'jsonl') {
      if (text.trim().length === 0) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (cause) {
        throw new DataFormatError(`the line is not valid JSON (${excerpt((cause as Error).message)}).`, { path: filePath, line, cause });
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new DataFormatError('expected a JSON object on each line.', { path: filePath, line });
      }
      return { line, values: value as Record<string, unknown> };
    }
    const fields = records.push(text, line);
    if (fields === undefined) {
      const opened = records.openedAt;
      const lines = line - opened.line;
      if (lines >= MAX_QUOTED_FIELD_LINES || records.openChars > MAX_QUOTED_FIELD_CHARS) {
        throw new DataFormatError(
          `the quoted field ${opened.column} opened on this line is still open ${lines >= MAX_QUOTED_FIELD_LINES ? `${lines} lines` : `${records.openChars} characters`} later; a closing " is probably missing (a quoted field may hold line breaks, but at most ${MAX_QUOTED_FIELD_LINES} lines or 1 MiB).`,
          { path: filePath, line: opened.line, column: opened.column },
        );
      }
      return undefined;
    }
    const recordLine = records.recordLine;
    const record = { fields };
    if (header === undefined) {
      header = record.fields.map((name) => name.trim());
      const seen = new Set<string>();
      header.forEach((name, index) => {
        if (name.length === 0) throw new DataFormatError(`column ${index + 1} of the header has no name.`, { path: filePath, line: recordLine, column: index + 1 });
        if (seen.has(name)) throw new DataFormatError(`the header names column ${JSON.stringify(excerpt(name, 60))} twice.`, { path: filePath, line: recordLine, column: index + 1, field: excerpt(name, 60) });
        seen.add(name);
      });
      onHeader?.(header);
      return undefined;
    }
    if (record.fields.length !== header.length) {
      throw new DataFormatError(
        `expected ${header.length} fields (${listColumns(header, format === 'tsv' ? ', ' : ',')}), found ${record.fields.length}.`,
        { path: filePath, line: recordLine },
      );
    }
    const values: Record<string, string> = {};
    for (let c = 0; c < header.length; c++) values[header[c]] = record.fields[c];
    return { line: recordLine, values };
  };
  yield* readParsedLines(filePath, parse, { ...options, keepEmptyLines: format !== 'jsonl' });
  if (records.pending) {
    const opened = records.openedAt;
    throw new DataFormatError(`the file ends inside the quoted field ${opened.column} opened on this line (a closing " is missing).`, { path: filePath, line: opened.line, column: opened.column });
  }
  if (header === undefined && format !== 'jsonl') {
    throw new DataFormatError('the file is empty; expected a header line.', { path: filePath, line: 1 });
  }
}
