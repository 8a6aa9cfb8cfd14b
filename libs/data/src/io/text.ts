import { DataFormatError } from '@score/core';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes bytes as strict UTF-8; undecodable bytes give a {@link DataFormatError} naming the line. */
export function decodeUtf8(buffer: Buffer, start: number, end: number, filePath: string, lineNumber: number): string {
  // Pure ASCII lines (the common case) skip the decoder.
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (buffer[i] > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return buffer.toString('latin1', start, end);
  try {
    return utf8.decode(buffer.subarray(start, end));
  } catch (cause) {
    let offset = start;
    while (offset < end && buffer[offset] <= 0x7f) offset++;
    throw new DataFormatError(
      `the line is not valid UTF-8 (first non-ASCII byte 0x${buffer[offset].toString(16)} at byte ${offset - start + 1} of the line); save the file as UTF-8.`,
      { path: filePath, line: lineNumber, cause },
    );
  }
}

/** Decodes bytes as latin-1 (ISO-8859-1, every byte is valid), as MovieLens files are written. */
export function decodeLatin1(buffer: Buffer, start: number, end: number): string {
  return buffer.toString('latin1', start, end);
}

/**
 * Parses a decimal number held in bytes; `NaN` when the bytes are not a finite number.
 * Plain unsigned integers (ratings, timestamps) take a fast path without making a string.
 */
export function parseNumberBytes(buffer: Buffer, start: number, end: number): number {
  if (end <= start) return Number.NaN;
  if (end - start <= 15) {
    const value = digitsValue(buffer, start, end);
    if (value >= 0) return value;
  }
  return parseNumberText(buffer.toString('latin1', start, end));
}

/** Parses a decimal number from text (surrounding spaces allowed); `NaN` when it is not one. */
export function parseNumberText(text: string): number {
  const trimmed = text.trim();
  if (trimmed.length === 0 || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return Number.NaN;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : Number.NaN;
}

/** The integer that bytes [start, end) spell when every one is an ASCII digit (0 for none), else -1. */
function digitsValue(buffer: Buffer, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = buffer[i] - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Turns id bytes into a string, sharing one string per small numeric id (MovieLens ids are
 * integers), so that a million rows do not allocate a million id strings.
 */
export class IdInterner {
  readonly #numeric: (string | undefined)[] = [];

  intern(buffer: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length > 0 && length <= 7 && (buffer[start] !== 48 || length === 1)) {
      const value = digitsValue(buffer, start, end);
      if (value >= 0) {
        let text = this.#numeric[value];
        if (text === undefined) {
          text = buffer.toString('latin1', start, end);
          this.#numeric[value] = text;
        }
        return text;
      }
    }
    return buffer.toString('latin1', start, end);
  }
}
