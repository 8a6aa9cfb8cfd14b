import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { runPrepareStage } from '../stages/prepare';
import { runPipeline } from './run-pipeline';
import { STAGE_NAMES, type StageName } from './stage';
import { dataSourceFiles } from './stage-definitions';
import { createStageRegistry } from './stage-registry';

const defaultStageRegistry = createStageRegistry({ prepare: runPrepareStage });

describe('the stage registry', () => {
  it('lists the seven stages in order, each depending only on earlier ones, with prepare built in', () => {
    const stages = defaultStageRegistry.stages();
    expect(stages.map((stage) => stage.name)).toEqual(['prepare', 'crm', 'car', 'assess', 'sare', 'rec', 'eval']);
    expect(stages.map((stage) => [stage.name, stage.dependsOn])).toEqual([
      ['prepare', []],
      ['crm', ['prepare']],
      ['car', ['prepare', 'crm']],
      ['assess', ['prepare', 'car']],
      ['sare', ['prepare', 'car', 'assess']],
      ['rec', ['prepare', 'car', 'sare']],
      ['eval', ['prepare', 'crm', 'car', 'sare', 'rec']],
    ]);
    expect(defaultStageRegistry.has('prepare')).toBe(true);
    expect(stages[0]!.run).toBeTypeOf('function');
  });

  it('gives each stage only its own config slice, so other sections never rerun it', () => {
    const base = loadConfig().config;
    const changed = loadConfig({ values: { car: { tau: 0.5 } } }).config;
    const stages = createStageRegistry().stages();
    const differing = stages.filter((stage) => JSON.stringify(stage.inputs(base)) !== JSON.stringify(stage.inputs(changed))).map((stage) => stage.name);
    expect(differing).toEqual(['car']);
    const kept = loadConfig({ values: { sare: { kept: 1 } } }).config;
    expect(stages.filter((stage) => JSON.stringify(stage.inputs(base)) !== JSON.stringify(stage.inputs(kept))).map((stage) => stage.name)).toEqual(['sare', 'rec', 'eval']);
  });

  it('plugs in implementations and runs them with the real dependencies', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-registry-'));
    const order: string[] = [];
    const registry = createStageRegistry();
    for (const name of STAGE_NAMES) {
      registry.register(name, async (context) => {
        order.push(name);
        const upstream = defaultStageRegistry
          .stages().find((stage) => stage.name === name)!.dependsOn.map((dependency) => fs.readFileSync(context.artifact(dependency, 'out.txt'), 'utf8'));
        fs.writeFileSync(path.join(context.outputDir, 'out.txt'), `${name}(${upstream.join(',')})`);
      });
    }
    const { config } = loadConfig({ values: { run: { dir: runDir } } });
    await runPipeline({ config, stages: registry.stages() });
    expect(order).toEqual([...STAGE_NAMES]);
    expect(fs.readFileSync(path.join(runDir, 'sare', 'out.txt'), 'utf8')).toBe('sare(prepare(),car(prepare(),crm(prepare())),assess(prepare(),car(prepare(),crm(prepare()))))');
    await runPipeline({ config, stages: registry.stages(), from: 'rec' });
    expect(order.slice(STAGE_NAMES.length)).toEqual(['rec', 'eval']);
  });

  it('rejects unknown stage names and non-functions', () => {
    const registry = createStageRegistry();
    expect(() => registry.register('ranking' as StageName, async () => {})).toThrow('Invalid "stage": "ranking" is not a stage; the stages are prepare, crm, car, assess, sare, rec, eval.');
    expect(() => registry.register('crm', 'train' as never)).toThrow(InvalidOptionError);
    expect(registry.has('crm')).toBe(false);
  });

  it('fingerprints the files of each data source', () => {
    const files = (source: Record<string, unknown>) => dataSourceFiles(loadConfig({ values: { data: { source } } }).config);
    expect(files({ kind: 'synthetic' })).toEqual([]);
    expect(files({ kind: 'ml-1m', dir: 'd' })).toEqual([path.join('d', 'ratings.dat'), path.join('d', 'movies.dat')]);
    expect(files({ kind: 'ml-100k', dir: 'd' })).toEqual([path.join('d', 'u.data'), path.join('d', 'u.item')]);
    expect(files({ kind: 'amazon', reviews: 'r.json.gz', meta: 'm.json.gz' })).toEqual(['r.json.gz', 'm.json.gz']);
    expect(files({ kind: 'generic', interactions: 'i.csv', items: 'v.csv' })).toEqual(['i.csv', 'v.csv']);
  });
});
