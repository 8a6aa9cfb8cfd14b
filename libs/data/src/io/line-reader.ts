import fs from 'node:fs';
import zlib from 'node:zlib';
import { ArtifactNotFoundError, type ProgressCallback } from '@score/core';

/**
 * Parses one line given as a byte range of `buffer` (without the line break).
 * Returns the parsed value, or `undefined` to skip the line.
 */
export type LineParser<T> = (buffer: Buffer, start: number, end: number, lineNumber: number) => T | undefined;

/** Options of {@link readParsedLines}. */
export interface ReadLinesOptions {
  /** What the file holds, for the "not found" error ("Ratings file"). */
  readonly what: string;
  /** Progress task name; events count lines. */
  readonly task?: string;
  readonly onProgress?: ProgressCallback;
  readonly signal?: AbortSignal;
  /** Pass empty lines to `parse` too (a quoted CSV field may hold them). @defaultValue false */
  readonly keepEmptyLines?: boolean;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Streams a file (gunzipping `*.gz`) and yields, per chunk of about 1 MiB, the values that
 * `parse` returned for its complete lines. Lines are split on the raw bytes (LF or CRLF), so
 * memory stays bounded by one chunk plus the caller's state; empty lines are skipped (unless
 * `keepEmptyLines`) and a UTF-8 byte-order mark on line 1 is dropped.
 */
export async function* readParsedLines<T>(filePath: string, parse: LineParser<T>, options: ReadLinesOptions): AsyncGenerator<T[]> {
  await assertReadable(filePath, options.what);
  const raw = fs.createReadStream(filePath, { highWaterMark: CHUNK_BYTES });
  const source: AsyncIterable<Buffer> = filePath.endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
  let carry: Buffer | undefined;
  let lineNumber = 0;
  let first = true;
  const keepEmpty = options.keepEmptyLines === true;
  try {
    for await (const chunk of source) {
      options.signal?.throwIfAborted();
      let buffer = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
      carry = undefined;
      let position = 0;
      if (first) {
        first = false;
        if (buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) buffer = buffer.subarray(3);
      }
      const out: T[] = [];
      for (;;) {
        const newline = buffer.indexOf(10, position);
        if (newline < 0) break;
        lineNumber++;
        const end = newline > position && buffer[newline - 1] === 13 ? newline - 1 : newline;
        if (end > position || keepEmpty) {
          const value = parse(buffer, position, end, lineNumber);
          if (value !== undefined) out.push(value);
        }
        position = newline + 1;
      }
      if (position < buffer.length) carry = Buffer.from(buffer.subarray(position));
      if (out.length > 0) yield out;
      options.onProgress?.({ task: options.task ?? 'data.read', done: lineNumber, unit: 'lines' });
    }
    if (carry !== undefined) {
      lineNumber++;
      let end = carry.length;
      if (carry[end - 1] === 13) end--;
      if (end > 0 || keepEmpty) {
        const value = parse(carry, 0, end, lineNumber);
        if (value !== undefined) yield [value];
      }
    }
    options.onProgress?.({ task: options.task ?? 'data.read', done: lineNumber, unit: 'lines', finished: true });
  } finally {
    raw.destroy();
  }
}

/** Throws {@link ArtifactNotFoundError} when the file does not exist or is not a file. */
export async function assertReadable(filePath: string, what: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(filePath);
  } catch {
    throw new ArtifactNotFoundError(filePath, what);
  }
  if (!stat.isFile()) throw new ArtifactNotFoundError(filePath, `${what} (a regular file)`);
}
