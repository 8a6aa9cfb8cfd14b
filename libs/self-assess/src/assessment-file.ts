import fs from 'node:fs';
import { DataFormatError } from '@score/core';
import type { AssessmentRecord } from './assessment';

/** What {@link readAssessmentFile} found. */
export interface AssessmentFileContents {
  /** The complete records, by pair id (the first record of an id wins). */
  readonly records: ReadonlyMap<string, AssessmentRecord>;
  /** Bytes up to and including the last complete line. */
  readonly completeBytes: number;
  /** Whether the file ended with an unfinished line (a write cut short by a kill). */
  readonly truncatedTail: boolean;
}

/**
 * Reads an assessments file (JSON lines). A last line without its newline is the trace of a write
 * cut short (the process was killed) and is reported as `truncatedTail`, not as an error; every
 * complete line must be a valid record. A missing file reads as empty.
 *
 * @throws DataFormatError naming the file, line and field of a damaged complete line.
 */
export async function readAssessmentFile(file: string): Promise<AssessmentFileContents> {
  let buffer: Buffer;
  try {
    buffer = await fs.promises.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: new Map(), completeBytes: 0, truncatedTail: false };
    throw error;
  }
  const records = new Map<string, AssessmentRecord>();
  let start = 0;
  let line = 0;
  while (start < buffer.length) {
    const end = buffer.indexOf(0x0a, start);
    if (end < 0) break;
    line += 1;
    const text = buffer.toString('utf8', start, end).trim();
    start = end + 1;
    if (text.length === 0) continue;
    const record = parseRecord(text, file, line);
    if (!records.has(record.id)) records.set(record.id, record);
  }
  return { records, completeBytes: start, truncatedTail: start < buffer.length };
}

function parseRecord(text: string, file: string, line: number): AssessmentRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DataFormatError('is not valid JSON; each line must be one assessment record. Delete the line (or the file) to assess that pair again.', { path: file, line, cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DataFormatError('must be a JSON object (an assessment record).', { path: file, line });
  }
  const record = value as Record<string, unknown>;
  for (const field of ['id', 'userId', 'itemId', 'source', 'text'] as const) {
    if (typeof record[field] !== 'string') throw new DataFormatError(`must be a string, got ${JSON.stringify(record[field])}.`, { path: file, line, field });
  }
  for (const field of ['timestamp', 'rowIndex'] as const) {
    if (typeof record[field] !== 'number') throw new DataFormatError(`must be a number, got ${JSON.stringify(record[field])}.`, { path: file, line, field });
  }
  const source = record.source as string;
  if (source !== 'metadata' && !source.startsWith('llm:')) {
    throw new DataFormatError(`must be "metadata" or "llm:<modelId>", got ${JSON.stringify(source)}.`, { path: file, line, field: 'source' });
  }
  return value as AssessmentRecord;
}
