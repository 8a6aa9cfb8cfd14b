import fs from 'node:fs';
import path from 'node:path';

/** Writes a file under a temporary name in the same folder, then renames it into place. */
export async function writeFileAtomic(filePath: string, data: string | Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(filePath), { recursive: true });
  const temp = `${filePath}.tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  await fs.promises.writeFile(temp, data);
  await fs.promises.rename(temp, filePath);
}
