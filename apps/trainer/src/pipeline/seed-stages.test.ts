import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { readManifest } from './manifest';
import { runPipeline } from './run-pipeline';
import { expandSeedStages, repeatedStages, runSeeds, seedStageName } from './seed-stages';
import type { Stage } from './stage';

/**
 * Four small real stages named like SCoRe's: each writes `out.txt` holding its own seed and what it
 * read from its upstream stages, so the test sees which folder every stage read.
 */
function seedStages(calls: string[]): Stage[] {
  const stage = (name: string, dependsOn: string[]): Stage => ({
    name,
    dependsOn,
    inputs: (config) => ({ config: { seed: config.run.seed } }),
    run: async (context) => {
      calls.push(`${context.name}@${context.seed}`);
      const upstream = dependsOn.map((dependency) => `${dependency}=[${fs.readFileSync(context.artifact(dependency, 'out.txt'), 'utf8')}]`);
      fs.writeFileSync(path.join(context.outputDir, 'out.txt'), [`seed ${context.seed}`, ...upstream].join(' '));
    },
  });
  return [stage('prepare', []), stage('crm', ['prepare']), stage('rec', ['prepare', 'crm']), stage('eval', ['prepare', 'crm', 'rec'])];
}

function setup(run: Record<string, unknown>) {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-seeds-'));
  const calls: string[] = [];
  const go = (extra: { from?: string } = {}) => {
    const { config, hash } = loadConfig({ values: { run: { dir: runDir, seed: 7, ...run } } });
    return runPipeline({ config, configHash: hash, stages: seedStages(calls), ...extra });
  };
  const read = (relative: string) => fs.readFileSync(path.join(runDir, relative), 'utf8');
  return { runDir, calls, go, read };
}

describe('seed stages', () => {
  it('leaves a single-seed run as it is', () => {
    const { config } = loadConfig({ values: { run: { seed: 7 } } });
    const stages = seedStages([]);
    expect(runSeeds(config)).toEqual([7]);
    expect(expandSeedStages(config, stages).map((stage) => stage.name)).toEqual(['prepare', 'crm', 'rec', 'eval']);
    expect(seedStageName(config, 'rec', 7)).toBe('rec');
    expect(seedStageName(config, 'rec', 8)).toBe('seeds/8/rec');
  });

  it('repeats rec and eval per extra seed in seeds/<seed>/, reading the shared upstream stages, and gathers them in the main eval', async () => {
    const { runDir, calls, go, read } = setup({ seeds: [7, 8, 9] });
    const report = await go();
    expect(report.stages.map((stage) => stage.name)).toEqual(['prepare', 'crm', 'rec', 'seeds/8/rec', 'seeds/8/eval', 'seeds/9/rec', 'seeds/9/eval', 'eval']);
    expect(calls).toEqual(['prepare@7', 'crm@7', 'rec@7', 'seeds/8/rec@8', 'seeds/8/eval@8', 'seeds/9/rec@9', 'seeds/9/eval@9', 'eval@7']);
    expect(read('seeds/8/rec/out.txt')).toBe('seed 8 prepare=[seed 7] crm=[seed 7 prepare=[seed 7]]');
    expect(read('seeds/8/eval/out.txt')).toBe(`seed 8 prepare=[seed 7] crm=[seed 7 prepare=[seed 7]] rec=[${read('seeds/8/rec/out.txt')}]`);
    expect(read('eval/out.txt')).toBe(`seed 7 prepare=[seed 7] crm=[seed 7 prepare=[seed 7]] rec=[${read('rec/out.txt')}]`);
    expect(fs.readdirSync(path.join(runDir, 'seeds')).sort()).toEqual(['8', '9']);
    expect(fs.readdirSync(path.join(runDir, 'seeds', '8')).sort()).toEqual(['eval', 'rec']);
    const manifest = (await readManifest(runDir))!;
    expect(manifest.stages['seeds/9/rec']!.artifacts.map((artifact) => artifact.path)).toEqual(['seeds/9/rec/out.txt']);
    expect(Object.keys(manifest.stages['eval']!.inputs.upstream).sort()).toEqual(['crm', 'prepare', 'rec', 'seeds/8/eval', 'seeds/9/eval']);
    expect(manifest.stages['seeds/8/rec']!.inputs.config).toEqual({ seed: 8 });

    // A rerun skips everything; a leftover temporary folder of a per-seed stage is cleaned up.
    fs.mkdirSync(path.join(runDir, 'seeds', '8', '.rec.tmp-1-0badc0de'));
    const again = await go();
    expect(again.stages.every((stage) => stage.status === 'skipped')).toBe(true);
    expect(fs.readdirSync(path.join(runDir, 'seeds', '8')).sort()).toEqual(['eval', 'rec']);
    calls.length = 0;
    await go({ from: 'rec' });
    expect(calls).toEqual(['rec@7', 'seeds/8/rec@8', 'seeds/8/eval@8', 'seeds/9/rec@9', 'seeds/9/eval@9', 'eval@7']);
  });

  it('repeats an earlier stage of run.seedStages and everything after it', async () => {
    const { calls, go, read } = setup({ seeds: [7, 8], seedStages: ['crm'] });
    const { config } = loadConfig({ values: { run: { seed: 7, seeds: [7, 8], seedStages: ['crm'] } } });
    expect(repeatedStages(config, seedStages([]))).toEqual(['crm', 'rec', 'eval']);
    await go();
    expect(calls).toEqual(['prepare@7', 'crm@7', 'rec@7', 'seeds/8/crm@8', 'seeds/8/rec@8', 'seeds/8/eval@8', 'eval@7']);
    expect(read('seeds/8/rec/out.txt')).toBe('seed 8 prepare=[seed 7] crm=[seed 8 prepare=[seed 7]]');
  });

  it('checks run.seeds', () => {
    expect(() => loadConfig({ values: { run: { seed: 42, seeds: [1, 2] } } })).toThrow('"run.seeds": must start with run.seed (42), the seed of the usual stage folders, e.g. [42, 43, 44]; got [1, 2]');
    expect(() => loadConfig({ values: { run: { seed: 42, seeds: [42, 43, 43] } } })).toThrow('lists the seed 43 twice');
    expect(() => loadConfig({ values: { run: { seedStages: ['rec'] } } })).toThrow('run.seedStages');
  });
});
