import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Writes lines (each followed by a newline) to a temporary file beside `file`, then renames it into place. */
export async function writeLinesAtomic(file: string, lines: Iterable<string>): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await fs.promises.open(temporary, 'w');
  try {
    let chunk = '';
    for (const line of lines) {
      chunk += `${line}\n`;
      if (chunk.length >= 1 << 20) {
        await handle.write(chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) await handle.write(chunk);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await fs.promises.rename(temporary, file);
}

/** Writes a JSON document (pretty, with a final newline) atomically. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeLinesAtomic(file, [JSON.stringify(value, null, 2)]);
}
