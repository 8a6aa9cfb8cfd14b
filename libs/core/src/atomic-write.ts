import fs from 'node:fs';
import path from 'node:path';

// The one way @score writes a file or a folder: under a temporary name in the same folder (so the
// final rename is atomic on one file system), fsynced, then renamed into place; on any failure the
// temporary is removed and whatever was at the target before is left as it was.

/** What {@link writeFileAtomic} accepts: a whole string or buffer, or chunks of them (a `Readable` stream is an async iterable of chunks). */
export type AtomicWriteData = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

/**
 * A temporary path beside `target`, in the same folder: `.<name>.tmp-<pid>-<8 hex digits>` (or
 * `.old-` for a folder moved away by {@link commitFolder}). Leftovers of a killed process are
 * recognisable by this one scheme.
 * @param kind - `"tmp"` for a file or folder being written, `"old"` for a replaced folder. @defaultValue "tmp"
 */
export function temporaryPathFor(target: string, kind: 'tmp' | 'old' = 'tmp'): string {
  const suffix = Math.floor(Math.random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0');
  return path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${process.pid}-${suffix}`);
}

function toBytes(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * Writes `data` to `target` atomically: the parent folder is created, the bytes go to a temporary
 * file beside `target` ({@link temporaryPathFor}), which is fsynced, closed and renamed over
 * `target`. When anything fails (a chunk source that throws included) the temporary file is
 * removed and the previous `target`, if any, is unchanged.
 */
export async function writeFileAtomic(target: string, data: AtomicWriteData): Promise<void> {
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const temporary = temporaryPathFor(target);
  const handle = await fs.promises.open(temporary, 'w');
  try {
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) {
        await handle.writeFile(data);
      } else {
        for await (const chunk of data) {
          const bytes = toBytes(chunk);
          let written = 0;
          while (written < bytes.byteLength) {
            const { bytesWritten } = await handle.write(bytes, written, bytes.byteLength - written);
            written += bytesWritten;
          }
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temporary, target);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
}

/** The synchronous {@link writeFileAtomic} for a whole string or buffer (same temporary name, fsync, rename and clean-up). */
export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = temporaryPathFor(target);
  try {
    const descriptor = fs.openSync(temporary, 'w');
    try {
      fs.writeFileSync(descriptor, data);
      fs.fsyncSync(descriptor);
    } finally {
      fs.closeSync(descriptor);
    }
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** Writes `lines`, each followed by a newline, atomically ({@link writeFileAtomic}), in chunks of about 1 MiB. */
export async function writeLinesAtomic(target: string, lines: Iterable<string> | AsyncIterable<string>): Promise<void> {
  await writeFileAtomic(
    target,
    (async function* () {
      let chunk = '';
      for await (const line of lines) {
        chunk += `${line}\n`;
        if (chunk.length >= 1 << 20) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk.length > 0) yield chunk;
    })(),
  );
}

/** Writes `value` as pretty JSON (two-space indent) with a final newline, atomically. */
export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/** Creates an empty temporary folder beside `target` (its parent created too) for {@link commitFolder} to move into place. */
export async function createTemporaryFolder(target: string): Promise<string> {
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const temporary = temporaryPathFor(target);
  await fs.promises.mkdir(temporary);
  return temporary;
}

/**
 * Moves a finished temporary folder to `target`, replacing what was there: the old folder is
 * renamed away (`.<name>.old-…`), the new one renamed in, then the old one deleted. A kill at any
 * point leaves either the old or the new folder in place, or the old one under its `.old-` name.
 * @returns `target`.
 */
export async function commitFolder(temporary: string, target: string): Promise<string> {
  const previous = temporaryPathFor(target, 'old');
  let movedAway = false;
  try {
    await fs.promises.rename(target, previous);
    movedAway = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await fs.promises.rename(temporary, target);
  } catch (error) {
    if (movedAway) await fs.promises.rename(previous, target);
    throw error;
  }
  if (movedAway) await fs.promises.rm(previous, { recursive: true, force: true });
  return target;
}

/**
 * Replaces the folder `target` all-or-nothing: `write` fills a temporary folder beside it, which
 * then replaces `target` ({@link commitFolder}). When `write` throws, the temporary folder is
 * deleted and `target` is left as it was.
 * @returns `target`.
 */
export async function replaceFolder(target: string, write: (temporary: string) => Promise<void>): Promise<string> {
  const temporary = await createTemporaryFolder(target);
  try {
    await write(temporary);
    return await commitFolder(temporary, target);
  } catch (error) {
    await fs.promises.rm(temporary, { recursive: true, force: true });
    throw error;
  }
}
