import fs from 'node:fs';
import path from 'node:path';
import { DataFormatError, writeFileAtomic } from '@score/core';
import type { ScoreConfig } from '../config/config-schema';

/** Version of manifest.json's layout. */
export const MANIFEST_FORMAT_VERSION = 1;

/** Name of the manifest file in a run folder. */
export const MANIFEST_FILE = 'manifest.json';

/** One file a stage wrote. */
export interface ArtifactRecord {
  /** Path relative to the run folder, with `/` separators, e.g. "prepare/dataset/rows.tsv". */
  readonly path: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** sha256 of the contents (hex). */
  readonly sha256: string;
}

/** An input file outside the run folder, as fingerprinted for the input hash. */
export interface InputFileRecord {
  /** Absolute path. */
  readonly path: string;
  /** Size in bytes, or null when the file is missing. */
  readonly bytes: number | null;
  /** Modification time in milliseconds, or null when the file is missing. */
  readonly modifiedMs: number | null;
}

/** What the manifest keeps of a finished stage. */
export interface StageRecord {
  /** Only finished stages are recorded. */
  readonly status: 'done';
  /** sha256 of `inputs`: a rerun skips the stage while this is unchanged and its artifacts exist. */
  readonly inputHash: string;
  /** What the stage depended on: its config slice, input files and upstream output hashes. */
  readonly inputs: {
    readonly config: unknown;
    readonly files: readonly InputFileRecord[];
    readonly upstream: Readonly<Record<string, string>>;
    readonly version: number;
  };
  /** sha256 of the whole resolved config when the stage ran. */
  readonly configHash: string;
  /** sha256 of the artifact list (paths, sizes, hashes): what downstream input hashes include. */
  readonly outputHash: string;
  /** Every file the stage wrote, sorted by path. */
  readonly artifacts: readonly ArtifactRecord[];
  /** ISO time the stage started. */
  readonly startedAt: string;
  /** ISO time the stage finished. */
  readonly finishedAt: string;
  /** Wall time in seconds. */
  readonly seconds: number;
  /** Figures the stage returned. */
  readonly summary?: Readonly<Record<string, unknown>>;
}

/** Contents of `<runDir>/manifest.json`. */
export interface RunManifest {
  /** {@link MANIFEST_FORMAT_VERSION}. */
  readonly formatVersion: number;
  /** sha256 of the resolved config of the latest run. */
  readonly configHash: string;
  /** The resolved config of the latest run. */
  readonly config: ScoreConfig;
  /** ISO time of the latest change. */
  readonly updatedAt: string;
  /** Finished stages by name. */
  readonly stages: Readonly<Record<string, StageRecord>>;
}

/** Reads `<runDir>/manifest.json`, or returns undefined when there is none yet. */
export async function readManifest(runDir: string): Promise<RunManifest | undefined> {
  const file = path.join(runDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EISDIR') throw new DataFormatError('is a folder, not a run manifest; move it away to rerun every stage.', { path: file });
    throw error;
  }
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(text) as RunManifest;
  } catch (cause) {
    throw new DataFormatError('the run manifest is not valid JSON; delete it and the stage folders to rerun every stage.', { path: file, cause });
  }
  if (manifest.formatVersion !== MANIFEST_FORMAT_VERSION || typeof manifest.stages !== 'object' || manifest.stages === null) {
    throw new DataFormatError(`manifest format version ${JSON.stringify(manifest.formatVersion)} is not supported (this version reads ${MANIFEST_FORMAT_VERSION}); delete it and the stage folders to rerun every stage.`, { path: file, field: 'formatVersion' });
  }
  return manifest;
}

/** Writes `<runDir>/manifest.json` atomically (temporary file, then rename). */
export async function writeManifest(runDir: string, manifest: RunManifest): Promise<void> {
  await writeFileAtomic(path.join(runDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}
