import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError, type Logger, type ProgressCallback, ScoreError, silentLogger } from '@score/core';
import { hashConfig } from '../config/config-hash';
import { resolveStageModels } from '../config/resolve-config-models';
import type { ScoreConfig } from '../config/config-schema';
import { findDamagedArtifact, fingerprintFiles, formatBytes, listArtifacts } from './artifacts';
import { MANIFEST_FORMAT_VERSION, type RunManifest, type StageRecord, readManifest, writeManifest } from './manifest';
import { findStaleStages } from '@score/data';
import { checkRunFolder } from './run-folder-check';
import { acquireRunLock } from './run-lock';
import { StaleStageError } from './stale-stage-error';
import type { Stage, StageContext } from './stage';
import { expandSeedStages } from './seed-stages';
import { StageFailedError } from './stage-failed-error';
import { commitStageFolder, createStageTempFolder, recoverStageFolders } from './stage-folder';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  /** The resolved config (from `loadConfig`). */
  readonly config: ScoreConfig;
  /** Its hash. @defaultValue `hashConfig(config)` */
  readonly configHash?: string;
  /** The stages, in pipeline order (each after the stages it depends on). */
  readonly stages: readonly Stage[];
  /** The run folder. @defaultValue `config.run.dir`, resolved against the working directory */
  readonly runDir?: string;
  /** Redo this stage and every stage after it, even when up to date. @defaultValue none */
  readonly from?: string;
  /** Run (and redo) only these stages; their upstream stages must have finished. @defaultValue every stage */
  readonly only?: readonly string[];
  /**
   * How a finished stage's artifacts are checked before it is skipped: by existence and size, or
   * also by sha256 (reads every file). @defaultValue "size"
   */
  readonly verify?: 'size' | 'hash';
  /** Cancels the run; the running stage's partial output is discarded. @defaultValue none */
  readonly signal?: AbortSignal;
  /** Where the runner and the stages log. @defaultValue silentLogger */
  readonly logger?: Logger;
  /** Stage progress (task "pipeline", unit "stages") and the stages' own events. @defaultValue none */
  readonly onProgress?: ProgressCallback;
}

/** What happened to one stage in a run. */
export interface StageReport {
  /** Stage name. */
  readonly name: string;
  /** Ran now, skipped (up to date), or not selected (`only`). */
  readonly status: 'ran' | 'skipped' | 'not-selected';
  /** Why it ran or was skipped, in words. */
  readonly reason: string;
  /** The stage's folder. */
  readonly outputDir: string;
  /** Wall time of this run of the stage (0 when skipped). */
  readonly seconds: number;
  /** Files in its folder (from the manifest). */
  readonly artifacts: number;
  /** Their total size in bytes. */
  readonly bytes: number;
  /** The figures the stage returned (from the manifest). */
  readonly summary?: Readonly<Record<string, unknown>>;
}

/** What {@link runPipeline} returns. */
export interface PipelineReport {
  /** The run folder (absolute). */
  readonly runDir: string;
  /** sha256 of the resolved config. */
  readonly configHash: string;
  /** One entry per stage, in order. */
  readonly stages: readonly StageReport[];
  /** Wall time of the whole run. */
  readonly seconds: number;
}

/** `value` with every string that starts with the folder `from` rewritten to start with `to` instead. */
function relocatePaths<T>(value: T, from: string, to: string): T {
  if (typeof value === 'string') return (value === from || value.startsWith(`${from}${path.sep}`) ? `${to}${value.slice(from.length)}` : value) as T;
  if (Array.isArray(value)) return value.map((entry: unknown) => relocatePaths(entry, from, to)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, relocatePaths(entry, from, to)])) as T;
  return value;
}

function checkStages(stages: readonly Stage[]): void {
  const seen = new Set<string>();
  for (const stage of stages) {
    if (seen.has(stage.name)) throw new InvalidOptionError('stages', `the stage "${stage.name}" is listed twice.`);
    for (const dependency of stage.dependsOn) {
      if (!seen.has(dependency)) {
        throw new InvalidOptionError('stages', `the stage "${stage.name}" depends on "${dependency}", which is not an earlier stage (earlier: ${[...seen].join(', ') || 'none'}).`);
      }
    }
    seen.add(stage.name);
  }
}

function checkStageName(flag: string, name: string, stages: readonly Stage[]): void {
  if (!stages.some((stage) => stage.name === name)) {
    throw new InvalidOptionError(flag, `"${name}" is not a stage; the stages are ${stages.map((stage) => stage.name).join(', ')}.`, name);
  }
}

function stageReport(name: string, status: StageReport['status'], reason: string, outputDir: string, seconds: number, record: StageRecord | undefined): StageReport {
  return {
    name,
    status,
    reason,
    outputDir,
    seconds,
    artifacts: record?.artifacts.length ?? 0,
    bytes: record?.artifacts.reduce((sum, artifact) => sum + artifact.bytes, 0) ?? 0,
    ...(record?.summary ? { summary: record.summary } : {}),
  };
}

/**
 * Runs the stages of a pipeline in a run folder with a manifest (`<runDir>/manifest.json`).
 *
 * - A stage is skipped when its input hash (config slice, input files, upstream output hashes,
 *   version) matches the manifest and its recorded artifacts are still there; otherwise it reruns,
 *   and the stages after it rerun only if its output changed.
 * - `from` redoes a stage and every later one; `only` runs just the named stages.
 * - Each stage writes into a temporary folder renamed to `<runDir>/<stage>` only when it returns,
 *   so a stage that throws or is killed never leaves a partial folder nor loses the previous one;
 *   the next run cleans what an interrupted one left and reruns the stage.
 * - With `run.seeds` holding more than one seed, the seed-dependent stages (rec, eval and
 *   `run.seedStages`) also run once per extra seed S in `<runDir>/seeds/S/<stage>`, before the
 *   eval of `run.seed`, which gathers them ({@link expandSeedStages}).
 * - A stage whose upstream output is missing and not selected to run fails with
 *   `ArtifactNotFoundError` naming the file and the stage that makes it.
 */
export async function runPipeline(options: RunPipelineOptions): Promise<PipelineReport> {
  const { config } = options;
  // With run.seeds, the seed-dependent stages also run once per extra seed (seeds/<seed>/<stage>).
  const stages = expandSeedStages(config, options.stages);
  const logger = options.logger ?? silentLogger;
  const onProgress: ProgressCallback = options.onProgress ?? (() => {});
  const signal = options.signal ?? new AbortController().signal;
  const configHash = options.configHash ?? hashConfig(config);
  const runDir = path.resolve(options.runDir ?? config.run.dir);
  const checkHashes = (options.verify ?? 'size') === 'hash';
  checkStages(stages);
  if (options.verify !== undefined && options.verify !== 'size' && options.verify !== 'hash') {
    throw new InvalidOptionError('verify', `must be "size" or "hash", got ${JSON.stringify(options.verify)}.`, options.verify);
  }
  if (options.from !== undefined && options.only !== undefined) throw new InvalidOptionError('--from', 'cannot be combined with --only; use one or the other.');
  if (options.from !== undefined) checkStageName('--from', options.from, stages);
  for (const name of options.only ?? []) checkStageName('--only', name, stages);

  const fromIndex = options.from === undefined ? -1 : stages.findIndex((stage) => stage.name === options.from);
  const selected = (stage: Stage) => options.only === undefined || options.only.includes(stage.name);
  const forced = (stage: Stage, index: number) => (fromIndex >= 0 && index >= fromIndex) || (options.only !== undefined && options.only.includes(stage.name));
  const missing = stages.filter((stage) => selected(stage) && stage.run === undefined).map((stage) => stage.name);
  if (missing.length > 0) {
    throw new ScoreError(`No implementation is registered for stage${missing.length > 1 ? 's' : ''} ${missing.map((name) => `"${name}"`).join(', ')}; plug one into the stage registry (createStageRegistry({ name: implementation })), or run the others with --only.`, { code: 'STAGE_NOT_REGISTERED' });
  }

  const started = performance.now();
  checkRunFolder(runDir, 'run.dir', [...new Set(stages.map((stage) => stage.name.split('/')[0]!))]);
  await fs.promises.mkdir(runDir, { recursive: true });
  const release = acquireRunLock(runDir);
  try {
    await recoverStageFolders(runDir, logger);
    const previous = await readManifest(runDir);
    const records: Record<string, StageRecord> = { ...(previous?.stages ?? {}) };
    const save = () => {
      const manifest: RunManifest = { formatVersion: MANIFEST_FORMAT_VERSION, configHash, config, updatedAt: new Date().toISOString(), stages: records };
      return writeManifest(runDir, manifest);
    };
    // A run folder has a manifest before its first stage folder appears (see checkRunFolder).
    if (!previous) await save();
    const reports: StageReport[] = [];
    // Stages whose artifacts were checked or written in this run.
    const intact = new Set<string>();
    const total = stages.filter(selected).length;
    let done = 0;
    const advance = () => {
      done++;
      onProgress({ task: 'pipeline', done, total, unit: 'stages', ...(done === total ? { finished: true } : {}) });
    };

    for (const [index, stage] of stages.entries()) {
      signal.throwIfAborted();
      const outputDir = path.join(runDir, stage.name);
      const record = records[stage.name];
      // Stale: a finished stage whose upstream output changed after it ran (`run` redoes it; --only refuses to build on it).
      const stale = new Map(findStaleStages(records).map((entry) => [entry.stage, entry]));
      if (!selected(stage)) {
        const staleness = stale.get(stage.name);
        reports.push(stageReport(stage.name, 'not-selected', `not selected by --only${staleness ? `; stale: ${staleness.reason}` : ''}`, outputDir, 0, record));
        continue;
      }
      for (const dependency of stage.dependsOn) {
        const staleness = stale.get(dependency);
        if (staleness && !selected(stages.find((candidate) => candidate.name === dependency)!)) throw new StaleStageError(stage.name, staleness, runDir);
      }
      const upstream: Record<string, string> = {};
      for (const dependency of stage.dependsOn) {
        const dependencyRecord = records[dependency];
        const dependencyDir = path.join(runDir, dependency);
        if (!dependencyRecord) throw new ArtifactNotFoundError(dependencyDir, `The output of stage "${dependency}" (needed by "${stage.name}")`, dependency);
        if (!intact.has(dependency)) {
          const damaged = await findDamagedArtifact(runDir, dependencyRecord.artifacts, checkHashes);
          if (damaged) throw new ArtifactNotFoundError(path.join(runDir, damaged.path), `The artifact ${damaged.path} (needed by "${stage.name}")`, dependency);
          intact.add(dependency);
        }
        upstream[dependency] = dependencyRecord.outputHash;
      }
      const declared = stage.inputs(config);
      const inputs = { config: declared.config, files: await fingerprintFiles(declared.files ?? []), upstream, version: stage.version ?? 1 };
      const inputHash = hashConfig(inputs);

      let reason: string;
      if (forced(stage, index)) reason = options.only ? 'selected by --only' : `redone from "${options.from}"`;
      else if (!record) reason = 'not run before';
      else if (record.inputHash !== inputHash) reason = 'inputs changed';
      else {
        const damaged = await findDamagedArtifact(runDir, record.artifacts, checkHashes);
        if (!damaged && fs.existsSync(outputDir)) {
          logger.info(`stage ${stage.name}: up to date, skipped; artifacts in ${outputDir}`);
          reports.push(stageReport(stage.name, 'skipped', 'up to date', outputDir, 0, record));
          intact.add(stage.name);
          advance();
          continue;
        }
        reason = damaged ? `artifact ${damaged.path} is missing or changed` : 'its folder is missing';
      }

      logger.info(`stage ${stage.name}: running (${reason})`);
      // model:NAME in the keys this stage opens becomes a local path (pulled once into the models cache).
      const stageConfig = await resolveStageModels(config, stage.name, { logger, onProgress, signal });
      const temporary = await createStageTempFolder(runDir, stage.name);
      const startedAt = new Date();
      const stageStarted = performance.now();
      const context: StageContext = {
        name: stage.name,
        config: stageConfig,
        configHash,
        runDir,
        outputDir: temporary,
        seed: config.run.seed,
        logger,
        onProgress,
        signal,
        stageDir: (name) => {
          const folder = path.join(runDir, name);
          if (!records[name] || !fs.existsSync(folder)) throw new ArtifactNotFoundError(folder, `The output of stage "${name}"`, name);
          return folder;
        },
        artifact: (name, relativePath) => {
          const file = path.join(context.stageDir(name), relativePath);
          if (!fs.existsSync(file)) throw new ArtifactNotFoundError(file, `The artifact ${name}/${relativePath}`, name);
          return file;
        },
      };
      let result: Awaited<ReturnType<NonNullable<Stage['run']>>>;
      try {
        result = await stage.run!(context);
        signal.throwIfAborted();
      } catch (error) {
        await fs.promises.rm(temporary, { recursive: true, force: true });
        const seconds = (performance.now() - stageStarted) / 1000;
        logger.error(`stage ${stage.name}: failed after ${seconds.toFixed(1)} s; its partial output was removed${record ? ` and ${outputDir} is kept` : ''}`);
        if (error instanceof ScoreError || signal.aborted) throw error;
        throw new StageFailedError(stage.name, error);
      }
      const artifacts = await listArtifacts(temporary, stage.name);
      await commitStageFolder(runDir, stage.name, temporary);
      const seconds = (performance.now() - stageStarted) / 1000;
      const finished: StageRecord = {
        status: 'done',
        inputHash,
        inputs,
        configHash,
        outputHash: hashConfig(artifacts),
        artifacts,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        seconds,
        // Paths in the summary name where the files end up, not the temporary folder they were written in.
        ...(result?.summary ? { summary: relocatePaths(result.summary, temporary, outputDir) } : {}),
      };
      records[stage.name] = finished;
      intact.add(stage.name);
      await save();
      const report = stageReport(stage.name, 'ran', reason, outputDir, seconds, finished);
      reports.push(report);
      logger.info(`stage ${stage.name}: done in ${seconds.toFixed(1)} s; ${report.artifacts} artifact${report.artifacts === 1 ? '' : 's'} (${formatBytes(report.bytes)}) in ${outputDir}`);
      advance();
    }
    await save();
    return { runDir, configHash, stages: reports, seconds: (performance.now() - started) / 1000 };
  } finally {
    release();
  }
}
