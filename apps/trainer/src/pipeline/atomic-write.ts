import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Writes a file under a temporary name in the same folder, then renames it into place. */
export async function writeFileAtomic(filePath: string, contents: string): Promise<void> {
  const temporary = path.join(path.dirname(filePath), `.${path.basename(filePath)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await fs.promises.writeFile(temporary, contents);
    await fs.promises.rename(temporary, filePath);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
}
