import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, checkOneOf, InvalidOptionError, type Logger, type ProgressCallback, ScoreError, silentLogger } from '@score/core';
import { hashConfig } from '../config/config-hash';
import { resolveStageModels } from '../config/resolve-config-models';
import type { ScoreConfig } from '../config/config-schema';
import { findDamagedArtifact, fingerprintFiles, formatBytes, listArtifacts } from './artifacts';
import { MANIFEST_FORMAT_VERSION, type RunManifest, type StageRecord, readManifest, writeManifest } from './manifest';
import { type StaleStage, findStaleStages } from '@score/data';
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

/** Which stages a run runs (`only`) and which it redoes even when up to date (`from`, `only`). */
interface StageSelection {
  /** Whether the stage runs at all in this run. */
  selected(stage: Stage): boolean;
  /** Why the stage at `index` is redone regardless of the manifest, or `undefined` when it is not forced. */
  forcedReason(stage: Stage, index: number): string | undefined;
}

/**
 * Checks the stages and the `verify`, `from` and `only` options, and that every selected stage has
 * an implementation; returns the selection they make.
 */
function checkSelection(options: RunPipelineOptions, stages: readonly Stage[]): StageSelection {
  checkStages(stages);
  if (options.verify !== undefined) checkOneOf('verify', options.verify, ['size', 'hash']);
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
  return {
    selected,
    forcedReason: (stage, index) => (forced(stage, index) ? (options.only ? 'selected by --only' : `redone from "${options.from}"`) : undefined),
  };
}

/** What the helpers of one {@link runPipeline} call share: its settings and the manifest records it updates. */
interface PipelineRun {
  readonly config: ScoreConfig;
  readonly configHash: string;
  /** The run folder (absolute). */
  readonly runDir: string;
  /** Whether artifacts are checked by sha256 (`verify: "hash"`) rather than by size. */
  readonly checkHashes: boolean;
  readonly logger: Logger;
  readonly onProgress: ProgressCallback;
  readonly signal: AbortSignal;
  /** The manifest's stage records, updated as stages finish. */
  readonly records: Record<string, StageRecord>;
  /** Stages whose artifacts were checked or written in this run. */
  readonly intact: Set<string>;
  /** Writes the manifest with the current records. */
  save(): Promise<void>;
}

/**
 * The inputs that decide whether `stage` is up to date: its config slice, its input files'
 * fingerprints, its upstream stages' output hashes and its version. Fails when an upstream stage is
 * stale and not selected to run again, or when its output is missing or damaged.
 */
async function stageInputs(run: PipelineRun, stage: Stage, stages: readonly Stage[], selection: StageSelection, stale: ReadonlyMap<string, StaleStage>): Promise<StageRecord['inputs']> {
  for (const dependency of stage.dependsOn) {
    const staleness = stale.get(dependency);
    if (staleness && !selection.selected(stages.find((candidate) => candidate.name === dependency)!)) throw new StaleStageError(stage.name, staleness, run.runDir);
  }
  const upstream: Record<string, string> = {};
  for (const dependency of stage.dependsOn) {
    const dependencyRecord = run.records[dependency];
    const dependencyDir = path.join(run.runDir, dependency);
    if (!dependencyRecord) throw new ArtifactNotFoundError(dependencyDir, `The output of stage "${dependency}" (needed by "${stage.name}")`, dependency);
    if (!run.intact.has(dependency)) {
      const damaged = await findDamagedArtifact(run.runDir, dependencyRecord.artifacts, run.checkHashes);
      if (damaged) throw new ArtifactNotFoundError(path.join(run.runDir, damaged.path), `The artifact ${damaged.path} (needed by "${stage.name}")`, dependency);
      run.intact.add(dependency);
    }
    upstream[dependency] = dependencyRecord.outputHash;
  }
  const declared = stage.inputs(run.config);
  return { config: declared.config, files: await fingerprintFiles(declared.files ?? []), upstream, version: stage.version ?? 1 };
}

/**
 * Why `stage` must run, in words, or `undefined` when it is up to date: its recorded input hash
 * matches and its folder and artifacts are still there.
 */
async function whyRun(run: PipelineRun, stage: Stage, forcedReason: string | undefined, inputHash: string): Promise<string | undefined> {
  if (forcedReason !== undefined) return forcedReason;
  const record = run.records[stage.name];
  if (!record) return 'not run before';
  if (record.inputHash !== inputHash) return 'inputs changed';
  const damaged = await findDamagedArtifact(run.runDir, record.artifacts, run.checkHashes);
  if (!damaged && fs.existsSync(path.join(run.runDir, stage.name))) return undefined;
  return damaged ? `artifact ${damaged.path} is missing or changed` : 'its folder is missing';
}

/** The context a stage runs with: it writes into `outputDir` (its temporary folder) and reads finished stages' folders. */
function createStageContext(run: PipelineRun, stage: Stage, stageConfig: ScoreConfig, outputDir: string): StageContext {
  const context: StageContext = {
    name: stage.name,
    config: stageConfig,
    configHash: run.configHash,
    runDir: run.runDir,
    outputDir,
    seed: run.config.run.seed,
    logger: run.logger,
    onProgress: run.onProgress,
    signal: run.signal,
    stageDir: (name) => {
      const folder = path.join(run.runDir, name);
      if (!run.records[name] || !fs.existsSync(folder)) throw new ArtifactNotFoundError(folder, `The output of stage "${name}"`, name);
      return folder;
    },
    artifact: (name, relativePath) => {
      const file = path.join(context.stageDir(name), relativePath);
      if (!fs.existsSync(file)) throw new ArtifactNotFoundError(file, `The artifact ${name}/${relativePath}`, name);
      return file;
    },
  };
  return context;
}

/**
 * Runs `stage` in a temporary folder, renames it to `<runDir>/<stage>` when the stage returns and
 * records it in the manifest; a stage that throws leaves no partial folder (the previous one is kept).
 */
async function runStage(run: PipelineRun, stage: Stage, reason: string, inputs: StageRecord['inputs'], inputHash: string): Promise<StageReport> {
  const { runDir, logger, signal } = run;
  const outputDir = path.join(runDir, stage.name);
  const record = run.records[stage.name];
  logger.info(`stage ${stage.name}: running (${reason})`);
  // model:NAME in the keys this stage opens becomes a local path (pulled once into the models cache).
  const stageConfig = await resolveStageModels(run.config, stage.name, { logger, onProgress: run.onProgress, signal });
  const temporary = await createStageTempFolder(runDir, stage.name);
  const startedAt = new Date();
  const stageStarted = performance.now();
  let result: Awaited<ReturnType<NonNullable<Stage['run']>>>;
  try {
    result = await stage.run!(createStageContext(run, stage, stageConfig, temporary));
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
    configHash: run.configHash,
    outputHash: hashConfig(artifacts),
    artifacts,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    seconds,
    // Paths in the summary name where the files end up, not the temporary folder they were written in.
    ...(result?.summary ? { summary: relocatePaths(result.summary, temporary, outputDir) } : {}),
  };
  run.records[stage.name] = finished;
  run.intact.add(stage.name);
  await run.save();
  const report = stageReport(stage.name, 'ran', reason, outputDir, seconds, finished);
  logger.info(`stage ${stage.name}: done in ${seconds.toFixed(1)} s; ${report.artifacts} artifact${report.artifacts === 1 ? '' : 's'} (${formatBytes(report.bytes)}) in ${outputDir}`);
  return report;
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
  const selection = checkSelection(options, stages);

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
    const run: PipelineRun = { config, configHash, runDir, checkHashes, logger, onProgress, signal, records, intact: new Set<string>(), save };
    // A run folder has a manifest before its first stage folder appears (see checkRunFolder).
    if (!previous) await save();
    const reports: StageReport[] = [];
    const total = stages.filter(selection.selected).length;
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
      if (!selection.selected(stage)) {
        const staleness = stale.get(stage.name);
        reports.push(stageReport(stage.name, 'not-selected', `not selected by --only${staleness ? `; stale: ${staleness.reason}` : ''}`, outputDir, 0, record));
        continue;
      }
      const inputs = await stageInputs(run, stage, stages, selection, stale);
      const inputHash = hashConfig(inputs);
      const reason = await whyRun(run, stage, selection.forcedReason(stage, index), inputHash);
      if (reason === undefined) {
        logger.info(`stage ${stage.name}: up to date, skipped; artifacts in ${outputDir}`);
        reports.push(stageReport(stage.name, 'skipped', 'up to date', outputDir, 0, record));
        run.intact.add(stage.name);
      } else {
        reports.push(await runStage(run, stage, reason, inputs, inputHash));
      }
      advance();
    }
    await save();
    return { runDir, configHash, stages: reports, seconds: (performance.now() - started) / 1000 };
  } finally {
    release();
  }
}
