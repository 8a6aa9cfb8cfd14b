import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { ArtifactNotFoundError, InvalidOptionError, type ProgressEvent, ScoreError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { readManifest } from './manifest';
import { RunLockedError } from './run-lock';
import { runPipeline, type RunPipelineOptions } from './run-pipeline';
import { StageFailedError } from './stage-failed-error';
import { createTestStages, type TestStageOptions } from './test-fixtures/test-stages';

function setup(values: Record<string, unknown> = {}) {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-pipeline-'));
  const calls = new Map<string, number>();
  const run = (extra: { values?: Record<string, unknown>; midWrite?: TestStageOptions['midWrite'] } & Partial<Omit<RunPipelineOptions, 'config' | 'stages'>> = {}) => {
    const { values: more, midWrite, ...options } = extra;
    const { config, hash } = loadConfig({ values: { ...values, ...more, run: { dir: runDir } } });
    return runPipeline({ config, configHash: hash, stages: createTestStages({ calls, midWrite }), ...options });
  };
  const read = (relative: string) => fs.readFileSync(path.join(runDir, relative), 'utf8');
  const counts = () => Object.fromEntries(calls);
  return { runDir, calls, run, read, counts };
}

describe('runPipeline', () => {
  it('runs every stage once, writes a manifest with artifacts, hashes and timings, and skips them on a rerun', async () => {
    const { runDir, run, read, counts } = setup();
    const progress: ProgressEvent[] = [];
    const first = await run({ onProgress: (event) => void progress.push(event) });
    expect(first.stages.map((stage) => [stage.name, stage.status, stage.reason])).toEqual([
      ['prepare', 'ran', 'not run before'],
      ['crm', 'ran', 'not run before'],
      ['car', 'ran', 'not run before'],
    ]);
    expect(counts()).toEqual({ prepare: 1, crm: 1, car: 1 });
    expect(read('crm/model/weights.txt')).toBe(`epochs=50 data=${read('prepare/data.txt').length}`);
    expect(progress.filter((event) => event.task === 'pipeline').map((event) => event.done)).toEqual([1, 2, 3]);
    expect(progress.at(-1)!.finished).toBe(true);

    const manifest = (await readManifest(runDir))!;
    expect(manifest.configHash).toBe(first.configHash);
    const crm = manifest.stages.crm!;
    expect(crm.status).toBe('done');
    expect(crm.artifacts).toEqual([
      { path: 'crm/model/weights.txt', bytes: Buffer.byteLength(read('crm/model/weights.txt')), sha256: createHash('sha256').update(read('crm/model/weights.txt')).digest('hex') },
    ]);
    expect(crm.inputs.upstream).toEqual({ prepare: manifest.stages.prepare!.outputHash });
    expect(crm.inputs.config).toMatchObject({ epochs: 50, hiddenSize: 64 });
    expect(Date.parse(crm.finishedAt)).toBeGreaterThanOrEqual(Date.parse(crm.startedAt));
    expect(crm.seconds).toBeGreaterThanOrEqual(0);
    expect(manifest.stages.prepare!.summary).toEqual({ lines: 1 });
    expect(fs.readdirSync(runDir).sort()).toEqual(['car', 'crm', 'manifest.json', 'prepare']);

    const second = await run();
    expect(second.stages.map((stage) => stage.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(second.stages[1]!.artifacts).toBe(1);
    expect(counts()).toEqual({ prepare: 1, crm: 1, car: 1 });
  });

  it('reruns a stage whose inputs changed, and the later ones only when its output changed', async () => {
    const { run, read, counts } = setup();
    await run();
    // crm.patience is an input of crm but does not change its output: car stays.
    const patience = await run({ values: { crm: { patience: 9 } } });
    expect(patience.stages.map((stage) => stage.status)).toEqual(['skipped', 'ran', 'skipped']);
    expect(patience.stages[1]!.reason).toBe('inputs changed');
    expect(counts()).toEqual({ prepare: 1, crm: 2, car: 1 });
    // crm.epochs changes crm's output: car reruns too.
    const epochs = await run({ values: { crm: { patience: 9, epochs: 3 } } });
    expect(epochs.stages.map((stage) => stage.status)).toEqual(['skipped', 'ran', 'ran']);
    expect(counts()).toEqual({ prepare: 1, crm: 3, car: 2 });
    expect(read('car/index.txt')).toContain('epochs=3');
    // car.retrieved only concerns car.
    await run({ values: { crm: { patience: 9, epochs: 3 }, car: { retrieved: 4 } } });
    expect(counts()).toEqual({ prepare: 1, crm: 3, car: 3 });
    expect(read('car/index.txt')).toMatch(/k=4$/);
  });

  it('--from redoes a stage and every later one; --only runs just the named stage', async () => {
    const { run, counts } = setup();
    await run();
    const from = await run({ from: 'crm' });
    expect(from.stages.map((stage) => `${stage.name}:${stage.status}`)).toEqual(['prepare:skipped', 'crm:ran', 'car:ran']);
    expect(from.stages[1]!.reason).toBe('redone from "crm"');
    expect(counts()).toEqual({ prepare: 1, crm: 2, car: 2 });
    const only = await run({ only: ['crm'] });
    expect(only.stages.map((stage) => stage.status)).toEqual(['not-selected', 'ran', 'not-selected']);
    expect(counts()).toEqual({ prepare: 1, crm: 3, car: 2 });
    await expect(run({ from: 'nope' })).rejects.toThrow(/"--from": "nope" is not a stage; the stages are prepare, crm, car/);
    await expect(run({ from: 'crm', only: ['car'] })).rejects.toThrow(InvalidOptionError);
  });

  it('a stage throwing mid-write leaves every finished folder intact and the rerun completes', async () => {
    const { runDir, run, read, counts } = setup();
    await run();
    const before = { prepare: read('prepare/data.txt'), crm: read('crm/model/weights.txt'), car: read('car/index.txt') };
    const manifestBefore = (await readManifest(runDir))!;
    const failing = run({
      values: { crm: { epochs: 4 } },
      midWrite: {
        crm: () => {
          throw new RangeError('out of memory while writing weights');
        },
      },
    });
    await expect(failing).rejects.toThrow(StageFailedError);
    await expect(failing).rejects.toThrow('Stage "crm" failed: out of memory while writing weights. Its previous output, if any, is kept');
    expect({ prepare: read('prepare/data.txt'), crm: read('crm/model/weights.txt'), car: read('car/index.txt') }).toEqual(before);
    expect(fs.readdirSync(runDir).filter((name) => name.startsWith('.'))).toEqual([]);
    expect((await readManifest(runDir))!.stages).toEqual(manifestBefore.stages);

    const rerun = await run({ values: { crm: { epochs: 4 } } });
    expect(rerun.stages.map((stage) => stage.status)).toEqual(['skipped', 'ran', 'ran']);
    expect(read('crm/model/weights.txt')).toMatch(/^epochs=4 /);
    expect(counts()).toEqual({ prepare: 1, crm: 3, car: 2 });
  });

  it('an aborted stage discards its partial output and keeps the finished stages', async () => {
    const { runDir, run, read, counts } = setup();
    await run();
    const controller = new AbortController();
    const aborted = run({
      from: 'car',
      signal: controller.signal,
      midWrite: {
        car: async (context) => {
          controller.abort(new Error('stopped by the user'));
          await new Promise((resolve) => setTimeout(resolve, 5));
          context.signal.throwIfAborted();
        },
      },
    });
    await expect(aborted).rejects.toThrow('stopped by the user');
    expect(read('car/index.txt')).toMatch(/^index of epochs=50/);
    expect(fs.readdirSync(runDir).filter((name) => name.startsWith('.'))).toEqual([]);
    const rerun = await run({ from: 'car' });
    expect(rerun.stages.map((stage) => stage.status)).toEqual(['skipped', 'skipped', 'ran']);
    expect(counts()).toEqual({ prepare: 1, crm: 1, car: 3 });
  });

  it('a missing artifact reruns its stage cleanly, or fails with ArtifactNotFoundError when that stage is not selected', async () => {
    const { runDir, run, counts } = setup();
    await run();
    fs.rmSync(path.join(runDir, 'crm', 'model', 'weights.txt'));
    const error = await run({ only: ['car'] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArtifactNotFoundError);
    expect((error as ArtifactNotFoundError).producedBy).toBe('crm');
    expect((error as ArtifactNotFoundError).path).toBe(path.join(runDir, 'crm', 'model', 'weights.txt'));
    expect((error as Error).message).toContain('crm/model/weights.txt (needed by "car") not found');
    expect((error as Error).message).toContain('Run the "crm" stage first.');

    const rerun = await run();
    expect(rerun.stages.map((stage) => `${stage.status}: ${stage.reason}`)).toEqual([
      'skipped: up to date',
      'ran: artifact crm/model/weights.txt is missing or changed',
      'skipped: up to date',
    ]);
    expect(counts()).toEqual({ prepare: 1, crm: 2, car: 1 });

    fs.rmSync(path.join(runDir, 'prepare'), { recursive: true });
    const { prepare: _prepare, ...others } = (await readManifest(runDir))!.stages;
    fs.writeFileSync(path.join(runDir, 'manifest.json'), JSON.stringify({ ...(await readManifest(runDir))!, stages: others }));
    await expect(run({ only: ['crm'] })).rejects.toThrow(/The output of stage "prepare" \(needed by "crm"\) not found at .*prepare\. Run the "prepare" stage first\./);
  });

  it('with verify "hash", a finished artifact whose contents changed at the same size reruns its stage', async () => {
    const { runDir, run, read, counts } = setup();
    await run();
    const weights = read('crm/model/weights.txt');
    fs.writeFileSync(path.join(runDir, 'crm', 'model', 'weights.txt'), weights.replace('epochs=50', 'epochs=99'));
    expect((await run()).stages.map((stage) => stage.status)).toEqual(['skipped', 'skipped', 'skipped']);
    const checked = await run({ verify: 'hash' });
    expect(checked.stages.map((stage) => stage.status)).toEqual(['skipped', 'ran', 'skipped']);
    expect(read('crm/model/weights.txt')).toBe(weights);
    expect(counts()).toEqual({ prepare: 1, crm: 2, car: 1 });
  });

  it('an upstream file read through context.artifact names the file and its stage', async () => {
    const { runDir, run } = setup();
    await run();
    const stages = createTestStages({ calls: new Map() });
    const reader = { ...stages[2]!, run: async (context: Parameters<NonNullable<(typeof stages)[2]['run']>>[0]) => void context.artifact('crm', 'model/absent.bin') };
    const { config } = loadConfig({ values: { run: { dir: runDir } } });
    const error = await runPipeline({ config, stages: [stages[0]!, stages[1]!, reader], only: ['car'] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArtifactNotFoundError);
    expect((error as Error).message).toBe(`The artifact crm/model/absent.bin not found at ${path.join(runDir, 'crm', 'model', 'absent.bin')}. Run the "crm" stage first.`);
  });

  it('recovers what an interrupted commit left: restores a moved-away folder and removes partial ones', async () => {
    const { runDir, run, read, counts } = setup();
    await run();
    const finished = read('car/index.txt');
    fs.renameSync(path.join(runDir, 'car'), path.join(runDir, '.car.old-4242-0a1b2c3d'));
    fs.mkdirSync(path.join(runDir, '.car.tmp-4242-deadbeef'));
    fs.writeFileSync(path.join(runDir, '.car.tmp-4242-deadbeef', 'index.txt'), 'partial');
    const logs: string[] = [];
    const log = (message: string) => void logs.push(message);
    const rerun = await run({ logger: { debug: log, info: log, warn: log, error: log } });
    expect(rerun.stages.map((stage) => stage.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(read('car/index.txt')).toBe(finished);
    expect(fs.readdirSync(runDir).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(logs.some((line) => line.startsWith('restored the folder of stage "car"'))).toBe(true);
    expect(logs.some((line) => line.startsWith('stage car: up to date, skipped; artifacts in'))).toBe(true);
    expect(counts()).toEqual({ prepare: 1, crm: 1, car: 1 });
  });

  it('refuses a run folder held by a live process and stages without an implementation', async () => {
    const { runDir, run } = setup();
    fs.writeFileSync(path.join(runDir, '.lock'), `${process.ppid}\n`);
    await expect(run()).rejects.toThrow(RunLockedError);
    fs.writeFileSync(path.join(runDir, '.lock'), '999999999\n');
    await expect(run()).resolves.toMatchObject({ runDir });
    expect(fs.existsSync(path.join(runDir, '.lock'))).toBe(false);

    const { config } = loadConfig({ values: { run: { dir: runDir } } });
    const [prepare, crm] = createTestStages({ calls: new Map() });
    const error = await runPipeline({ config, stages: [prepare!, { ...crm!, run: undefined }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScoreError);
    expect((error as ScoreError).code).toBe('STAGE_NOT_REGISTERED');
    expect((error as Error).message).toContain('No implementation is registered for stage "crm"');
  });
});
