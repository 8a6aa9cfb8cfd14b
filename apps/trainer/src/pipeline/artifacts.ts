import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ArtifactRecord, InputFileRecord } from './manifest';

async function sha256OfFile(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Lists every file under `folder` (recursively, sorted) with size and sha256; paths are given
 * relative to the run folder as `<prefix>/<relative path>` with `/` separators.
 */
export async function listArtifacts(folder: string, prefix: string): Promise<ArtifactRecord[]> {
  const entries = await fs.promises.readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  const records: ArtifactRecord[] = [];
  for (const file of files) {
    const relative = path.relative(folder, file).split(path.sep).join('/');
    const stat = await fs.promises.stat(file);
    records.push({ path: `${prefix}/${relative}`, bytes: stat.size, sha256: await sha256OfFile(file) });
  }
  return records;
}

/** The first recorded artifact that is missing or changed size (with `checkHashes`: changed contents), if any. */
export async function findDamagedArtifact(runDir: string, artifacts: readonly ArtifactRecord[], checkHashes: boolean): Promise<ArtifactRecord | undefined> {
  for (const artifact of artifacts) {
    const file = path.join(runDir, ...artifact.path.split('/'));
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(file);
    } catch {
      return artifact;
    }
    if (!stat.isFile() || stat.size !== artifact.bytes) return artifact;
    if (checkHashes && (await sha256OfFile(file)) !== artifact.sha256) return artifact;
  }
  return undefined;
}

/** Size and modification time of input files (null for missing ones). */
export async function fingerprintFiles(files: readonly string[]): Promise<InputFileRecord[]> {
  return Promise.all(
    files.map(async (file) => {
      try {
        const stat = await fs.promises.stat(file);
        return { path: file, bytes: stat.size, modifiedMs: Math.round(stat.mtimeMs) };
      } catch {
        return { path: file, bytes: null, modifiedMs: null };
      }
    }),
  );
}

/** "1.2 MB"-style size. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
