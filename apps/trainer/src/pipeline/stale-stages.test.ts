import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidOptionError } from '@score/core';
import { checkRunFreshness } from '@score/data';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { readManifest } from './manifest';
import { runPipeline } from './run-pipeline';
import { StaleStageError } from './stale-stage-error';
import { createTestStages } from './test-fixtures/test-stages';

function setup() {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-stale-'));
  const calls = new Map<string, number>();
  const run = (seed: number, only?: string[]) => {
    const { config, hash } = loadConfig({ values: { run: { dir: runDir }, data: { source: { kind: 'synthetic', seed } } } });
    return runPipeline({ config, configHash: hash, stages: createTestStages({ calls }), ...(only ? { only } : {}) });
  };
  return { runDir, calls, run };
}

describe('stale stages after a re-prepare', () => {
  it('the manifest marks downstream stages stale; a single stage on a stale input refuses; run redoes them', async () => {
    const { runDir, calls, run } = setup();
    await run(1);
    expect(await checkRunFreshness(runDir)).toEqual({ manifest: true, fresh: true, stale: [] });

    // `prepare --out RUN` on a finished run: only prepare runs, with other data.
    const reprepared = await run(20, ['prepare']);
    expect(reprepared.stages.map((stage) => [stage.name, stage.status])).toEqual([
      ['prepare', 'ran'],
      ['crm', 'not-selected'],
      ['car', 'not-selected'],
    ]);
    expect(reprepared.stages[1]!.reason).toBe('not selected by --only; stale: its input "prepare" changed after it ran');
    const freshness = await checkRunFreshness(runDir);
    expect(freshness.stale.map((entry) => [entry.stage, entry.input])).toEqual([
      ['crm', 'prepare'],
      ['car', 'crm'],
    ]);

    // car alone would read crm's output of the old dataset: refused, naming crm and the command that redoes it.
    const error = await run(20, ['car']).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StaleStageError);
    expect((error as Error).message).toBe(
      `Stage "car" needs the output of stage "crm", which is stale (its input "prepare" changed after it ran); redo "crm" first (\`score-train crm --run ${runDir}\`), or run every stale stage with \`score-train run\` on this run's config.`,
    );
    expect(calls.get('car')).toBe(1);

    // crm alone is fine (its input is current); then car is the only stale stage.
    await run(20, ['crm']);
    expect((await checkRunFreshness(runDir)).stale.map((entry) => entry.stage)).toEqual(['car']);

    // `run` redoes what is stale and leaves a fresh run.
    const full = await run(20);
    expect(full.stages.map((stage) => [stage.name, stage.status])).toEqual([
      ['prepare', 'skipped'],
      ['crm', 'skipped'],
      ['car', 'ran'],
    ]);
    expect(await checkRunFreshness(runDir)).toEqual({ manifest: true, fresh: true, stale: [] });
    expect(Object.fromEntries(calls)).toEqual({ prepare: 2, crm: 2, car: 2 });
  });

  it('a re-prepare with the same data leaves the run fresh', async () => {
    const { runDir, run } = setup();
    await run(1);
    await run(1, ['prepare']);
    expect((await checkRunFreshness(runDir)).fresh).toBe(true);
  });
});

describe('the run folder', () => {
  it('a file as the run folder is refused with a clear message', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-out-'));
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'keep me');
    const { config, hash } = loadConfig({ values: { run: { dir: file } } });
    const error = await runPipeline({ config, configHash: hash, stages: createTestStages({ calls: new Map() }) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toBe(`Invalid "run.dir": ${file} is a file, not a folder; name a new folder or a run folder made by score-train.`);
    const below = loadConfig({ values: { run: { dir: path.join(file, 'run') } } });
    await expect(runPipeline({ config: below.config, stages: createTestStages({ calls: new Map() }) })).rejects.toThrow(
      `Invalid "run.dir": ${path.join(file, 'run')} cannot be made: ${file} is a file, not a folder.`,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('an existing folder that is not a run but holds a stage-named folder is refused, and nothing is deleted', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-out-'));
    fs.mkdirSync(path.join(dir, 'prepare'));
    fs.writeFileSync(path.join(dir, 'prepare', 'thesis.tex'), 'years of work');
    fs.writeFileSync(path.join(dir, 'other.txt'), 'more');
    const { config } = loadConfig({ values: { run: { dir } } });
    await expect(runPipeline({ config, stages: createTestStages({ calls: new Map() }) })).rejects.toThrow(
      `Invalid "run.dir": ${dir} is not a run folder (it has no manifest.json) but holds prepare/, which a run would replace; name a new or empty folder, or move prepare/ away first (for a run folder whose manifest.json was deleted: delete prepare/ too to start it over).`,
    );
    expect(fs.readdirSync(dir).sort()).toEqual(['other.txt', 'prepare']);
    expect(fs.readFileSync(path.join(dir, 'prepare', 'thesis.tex'), 'utf8')).toBe('years of work');
  });

  it('an existing folder with other files only becomes a run folder, and the manifest is written before the first stage', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-out-'));
    fs.writeFileSync(path.join(dir, 'README.txt'), 'hello');
    const { config } = loadConfig({ values: { run: { dir } } });
    let manifestDuringPrepare: unknown;
    const stages = createTestStages({ calls: new Map(), midWrite: { prepare: async () => void (manifestDuringPrepare = await readManifest(dir)) } });
    await runPipeline({ config, stages });
    // A kill after the first stage's folder is in place but before its record is saved leaves a run folder, not a stranger's folder.
    expect(manifestDuringPrepare).toMatchObject({ stages: {} });
    expect(fs.readdirSync(dir).sort()).toEqual(['README.txt', 'car', 'crm', 'manifest.json', 'prepare']);
  });

  it('paths in a stage summary name the final folder, not the temporary one the stage wrote in', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-out-'));
    const { config } = loadConfig({ values: { run: { dir } } });
    const stage = {
      name: 'prepare',
      dependsOn: [],
      inputs: () => ({ config: {} }),
      run: async (context: { outputDir: string }) => {
        fs.writeFileSync(path.join(context.outputDir, 'data.txt'), 'x');
        return { summary: { files: { data: path.join(context.outputDir, 'data.txt') }, folder: context.outputDir, list: [context.outputDir], other: `${context.outputDir}-not-below` } };
      },
    };
    await runPipeline({ config, stages: [stage] });
    const summary = (await readManifest(dir))!.stages.prepare!.summary as Record<string, unknown>;
    expect(summary.files).toEqual({ data: path.join(dir, 'prepare', 'data.txt') });
    expect(summary.folder).toBe(path.join(dir, 'prepare'));
    expect(summary.list).toEqual([path.join(dir, 'prepare')]);
    expect(summary.other).toMatch(/\.prepare\.tmp-\d+-[0-9a-f]+-not-below$/);
  });
});
