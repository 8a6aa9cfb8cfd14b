import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkOneOf, DataFormatError, describeValue, InvalidOptionError, silentLogger, type Logger } from '@score/core';
import { assertRunFresh } from '@score/data';

/** How {@link checkRunFolder} checks the run's artifacts against `manifest.json`: sizes only, or also sha256 (reads every file). */
export type VerifyMode = 'size' | 'hash';

/** The stages whose artifacts the service reads (eval, assess and the report are not served). */
export const SERVED_STAGES: readonly string[] = Object.freeze(['prepare', 'crm', 'encoders', 'car', 'sare', 'rec']);

/** Options of {@link checkRunFolder}. */
export interface CheckRunFolderOptions {
  /** @defaultValue "size" */
  readonly verify?: VerifyMode;
  /** Receives one warn line per fallback the service will use. @defaultValue silentLogger */
  readonly logger?: Logger;
  /** Whether the default retriever loader is used (then a missing car/ is warned about). @defaultValue true */
  readonly defaultRetriever?: boolean;
  /** Whether the default reranker loader is used (then a missing sare/ is warned about). @defaultValue true */
  readonly defaultReranker?: boolean;
}

/** What {@link checkRunFolder} found. */
export interface RunFolderCheck {
  /** Whether the run has a manifest.json. */
  readonly manifest: boolean;
  /** Artifact files checked against the manifest. */
  readonly verifiedFiles: number;
  /** The fallbacks the service will use, as warned. */
  readonly fallbacks: readonly string[];
}

interface ManifestArtifacts {
  readonly stages?: Readonly<Record<string, { readonly artifacts?: readonly { readonly path: string; readonly bytes: number; readonly sha256: string }[] }>>;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Checks that the `runDir` option is a path (a non-empty string); the folder itself is checked by {@link checkRunFolder}. */
export function checkRunDir(runDir: unknown): string {
  if (typeof runDir !== 'string' || runDir.length === 0) throw new InvalidOptionError('runDir', `must be the path of a run folder, got ${describeValue(runDir)}.`, runDir);
  return runDir;
}

/**
 * Checks a run folder before the service loads it: a stale run (a stage built on other inputs than
 * the run holds now) is refused with `@score/data`'s `StaleRunError`; every artifact the trainer recorded in
 * `manifest.json` for a served stage ({@link SERVED_STAGES}) must exist with its recorded size
 * (and, with `verify: "hash"`, its sha256), else a {@link DataFormatError} names the file, what
 * differs, and the stage to rerun. A run without `manifest.json`, `car/` or `sare/` is served with
 * a documented fallback, each announced on the logger at warn level.
 */
export async function checkRunFolder(runDir: string, options: CheckRunFolderOptions = {}): Promise<RunFolderCheck> {
  checkRunDir(runDir);
  // Stale stages first (a re-prepared run): that names the stage to redo, where a changed file would not.
  await assertRunFresh(runDir);
  const verify = checkOneOf('verify', options.verify ?? 'size', ['size', 'hash']);
  const logger = options.logger ?? silentLogger;
  const fallbacks: string[] = [];
  const warn = (message: string, fields: Record<string, unknown>) => {
    fallbacks.push(message);
    logger.warn(message, fields);
  };
  const manifestFile = path.join(runDir, 'manifest.json');
  let verifiedFiles = 0;
  const hasManifest = fs.existsSync(manifestFile);
  if (!hasManifest) {
    warn('no manifest.json in the run folder: artifacts are not verified, and the prompt settings fall back to the defaults (K_s 2, K_e 10, the 20 most recent history items, whole behaviours)', { path: manifestFile });
  } else {
    let manifest: ManifestArtifacts;
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as ManifestArtifacts;
    } catch (cause) {
      throw new DataFormatError('is not valid JSON; rerun `score-train run` to rewrite it.', { path: manifestFile, cause });
    }
    for (const stage of SERVED_STAGES) {
      for (const artifact of manifest.stages?.[stage]?.artifacts ?? []) {
        const file = path.join(runDir, ...artifact.path.split('/'));
        let stat: fs.Stats;
        try {
          stat = fs.statSync(file);
        } catch {
          throw new DataFormatError(`is recorded in manifest.json by the "${stage}" stage but is missing; rerun the stage (score-train ${stage} --out RUN).`, { path: file });
        }
        if (stat.size !== artifact.bytes) {
          throw new DataFormatError(`has ${stat.size} bytes, but manifest.json records ${artifact.bytes} for the "${stage}" stage; the file was changed or truncated: rerun the stage (score-train ${stage} --out RUN).`, { path: file });
        }
        if (verify === 'hash') {
          const actual = await sha256Of(file);
          if (actual !== artifact.sha256) {
            throw new DataFormatError(`has sha256 ${actual}, but manifest.json records ${artifact.sha256} for the "${stage}" stage; the file is corrupt: rerun the stage (score-train ${stage} --out RUN).`, { path: file });
          }
        }
        verifiedFiles += 1;
      }
    }
  }
  if (options.defaultRetriever ?? true) {
    if (!fs.existsSync(path.join(runDir, 'car', 'car.json'))) {
      warn('no CAR stage in the run folder (car/car.json): similar users are retrieved by the overlap fallback (shared training positives), not CAR', { path: path.join(runDir, 'car') });
    }
  }
  if (options.defaultReranker ?? true) {
    if (!fs.existsSync(path.join(runDir, 'sare', 'report.json'))) {
      warn("no SARE stage in the run folder (sare/report.json): similar users are not reranked (the identity fallback keeps the retriever's order)", { path: path.join(runDir, 'sare') });
    }
  }
  return { manifest: hasManifest, verifiedFiles, fallbacks };
}
