import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AMAZON_GAMES_PROTOCOL, loadDataset, ML1M_PROTOCOL } from '@score/data';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { readManifest } from '../pipeline/manifest';
import { resolveProtocol, runPrepareStage } from './prepare';
import { runPipeline } from '../pipeline/run-pipeline';
import { createStageRegistry } from '../pipeline/stage-registry';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'score-prepare-stage-'));
}

function writeGeneric(dir: string): void {
  fs.writeFileSync(
    path.join(dir, 'interactions.csv'),
    ['user_id,item_id,timestamp,rating,split', 'u1,i1,100,5,train', 'u1,i2,200,2,train', 'u1,i3,300,4,valid', 'u1,i1,400,5,test', 'u2,i2,150,4,train', 'u2,i3,150,5,train', 'u2,i1,500,1,valid', 'u2,i3,600,4,test'].join('\n') + '\n',
  );
  fs.writeFileSync(path.join(dir, 'items.csv'), 'item_id,title,genres\ni1,Alpha,Action|Comedy\ni2,Beta,Drama\ni3,Gamma,Action\n');
}

const registry = createStageRegistry({ prepare: runPrepareStage });

describe('the prepare stage', () => {
  it('prepares the synthetic source into <run>/prepare/dataset with statistics, recorded in the manifest', async () => {
    const runDir = tempDir();
    const { config } = loadConfig({ values: { run: { dir: runDir }, data: { source: { kind: 'synthetic', users: 60, items: 80, seed: 5 } } } });
    const report = await runPipeline({ config, stages: registry.stages(), only: ['prepare'] });
    expect(report.stages.map((stage) => stage.status)).toEqual(['ran', 'not-selected', 'not-selected', 'not-selected', 'not-selected', 'not-selected', 'not-selected']);
    const dataset = await loadDataset(path.join(runDir, 'prepare'));
    const summary = report.stages[0]!.summary as { users: number; rows: Record<string, number>; domain: string; name: string };
    expect(summary.name).toBe('synthetic');
    expect(summary.domain).toBe('movies');
    expect(dataset.users.length).toBe(summary.users);
    expect(dataset.rows.length).toBe(summary.rows.train! + summary.rows.valid! + summary.rows.test!);
    expect(summary.rows.valid).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(runDir, 'prepare', 'statistics.txt'), 'utf8')).toMatch(/Train\s+Validation\s+Test/);
    const manifest = (await readManifest(runDir))!;
    expect(manifest.stages.prepare!.artifacts.map((artifact) => artifact.path)).toEqual([
      'prepare/dataset/items.jsonl',
      'prepare/dataset/meta.json',
      'prepare/dataset/rows.tsv',
      'prepare/dataset/users.jsonl',
      'prepare/statistics.txt',
    ]);
    // Same seed, same data: a forced rerun gives the same output hash.
    const again = await runPipeline({ config, stages: registry.stages(), only: ['prepare'] });
    expect(again.stages[0]!.status).toBe('ran');
    expect((await readManifest(runDir))!.stages.prepare!.outputHash).toBe(manifest.stages.prepare!.outputHash);
  });

  it('keeps the split column of generic files, and reruns when an input file changes', async () => {
    const dir = tempDir();
    writeGeneric(dir);
    const runDir = path.join(dir, 'run');
    const values = { run: { dir: runDir }, data: { source: { kind: 'generic', interactions: path.join(dir, 'interactions.csv'), items: path.join(dir, 'items.csv') }, protocol: 'given-split', domain: 'books' } };
    const { config } = loadConfig({ values });
    await runPipeline({ config, stages: registry.stages(), only: ['prepare'] });
    const dataset = await loadDataset(path.join(runDir, 'prepare'));
    expect(dataset.name).toBe('interactions');
    expect(dataset.domain).toBe('books');
    expect([dataset.split('train').length, dataset.split('valid').length, dataset.split('test').length]).toEqual([4, 2, 2]);
    const u1Test = dataset.split('test').find((row) => row.userId === 'u1')!;
    expect(dataset.history(u1Test)).toEqual(['i1', 'i3']);

    const skipped = await runPipeline({ config, stages: [registry.stages()[0]!] });
    expect(skipped.stages[0]!.status).toBe('skipped');
    fs.appendFileSync(path.join(dir, 'interactions.csv'), 'u3,i2,700,5,test\n');
    const rerun = await runPipeline({ config, stages: [registry.stages()[0]!] });
    expect(rerun.stages[0]).toMatchObject({ status: 'ran', reason: 'inputs changed' });
    expect((await loadDataset(path.join(runDir, 'prepare'))).split('test').length).toBe(3);
  });

  it('maps the config protocols to @score/data protocols', () => {
    const given = { kind: 'given-split', binarize: { threshold: 3 } } as const;
    expect(resolveProtocol({ kind: 'auto' }, ML1M_PROTOCOL)).toBe(ML1M_PROTOCOL);
    expect(resolveProtocol({ kind: 'auto', threshold: 4, inclusive: true }, AMAZON_GAMES_PROTOCOL)).toEqual({ ...AMAZON_GAMES_PROTOCOL, binarize: { threshold: 4, inclusive: true } });
    expect(resolveProtocol({ kind: 'ml-1m' }, given)).toBe(ML1M_PROTOCOL);
    expect(resolveProtocol({ kind: 'amazon-games' }, given)).toBe(AMAZON_GAMES_PROTOCOL);
    expect(resolveProtocol({ kind: 'given-split', threshold: 2, inclusive: true }, ML1M_PROTOCOL)).toEqual({ kind: 'given-split', binarize: { threshold: 2, inclusive: true } });
    expect(resolveProtocol({ kind: 'months', threshold: 3, inclusive: false, skipLastMonths: 0, trainMonths: 6, lastMonths: 10 }, given)).toEqual({
      kind: 'months',
      binarize: { threshold: 3, inclusive: false },
      skipLastMonths: 0,
      trainMonths: 6,
      lastMonths: 10,
    });
  });
});
