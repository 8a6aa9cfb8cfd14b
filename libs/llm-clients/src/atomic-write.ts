import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A temp path next to `target`, in the same folder so that the final rename is atomic. */
export function temporaryPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `chunks` to a temp file next to `target`, fsyncs it, then renames it over `target`.
 * The temp file is removed when anything fails.
 */
export async function writeFileAtomic(target: string, chunks: Iterable<Uint8Array>): Promise<void> {
  const temporary = temporaryPathFor(target);
  const handle = await fs.promises.open(temporary, 'w');
  try {
    for (const chunk of chunks) {
      let written = 0;
      while (written < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, written, chunk.byteLength - written);
        written += bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    await fs.promises.rename(temporary, target);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
}
