import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { InvalidOptionError } from '@score/core';
import { checkRunFreshness } from '@score/data';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../pipeline/manifest';
import { runCli, tempDir } from '../test-helpers';

const BIN = path.resolve(import.meta.dirname, '../../bin/score-train.js');
const SMALL = ['--synthetic', '--users', '40', '--items', '60'];

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidOptionError);
  return error as Error;
}

describe('score-train prepare --out', () => {
  it('refuses a file, with one clear line and exit code 2 from the binary (no stack trace)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'keep me');
    expect((await failure(runCli(['prepare', ...SMALL, '--out', file]))).message).toBe(`Invalid "--out": ${file} is a file, not a folder; name a new folder or a run folder made by score-train.`);
    expect((await failure(runCli(['prepare', ...SMALL, '--out', path.join(file, 'run')]))).message).toBe(`Invalid "--out": ${path.join(file, 'run')} cannot be made: ${file} is a file, not a folder.`);
    const result = spawnSync(process.execPath, [BIN, 'prepare', ...SMALL, '--out', file], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`score-train: Invalid "--out": ${file} is a file, not a folder; name a new folder or a run folder made by score-train.\n`);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('refuses an existing folder that is not a run but has a prepare/ subfolder, deleting nothing', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'prepare'));
    fs.writeFileSync(path.join(dir, 'prepare', 'notes.md'), 'mine');
    const error = await failure(runCli(['prepare', ...SMALL, '--out', dir]));
    expect(error.message).toBe(`Invalid "--out": ${dir} is not a run folder (it has no manifest.json) but holds prepare/, which a run would replace; name a new or empty folder, or move prepare/ away first (for a run folder whose manifest.json was deleted: delete prepare/ too to start it over).`);
    expect(fs.readdirSync(dir)).toEqual(['prepare']);
    expect(fs.readFileSync(path.join(dir, 'prepare', 'notes.md'), 'utf8')).toBe('mine');
  });

  it('re-preparing a run keeps its other settings, and a changed dataset leaves the later stages stale', async () => {
    const dir = tempDir();
    await runCli(['prepare', ...SMALL, '--out', dir]);
    const manifest = (await readManifest(dir))!;
    // What a finished later stage looks like (its record holds the prepare output it ran on), with a non-default setting.
    const crm = { ...manifest.stages.prepare!, inputs: { ...manifest.stages.prepare!.inputs, upstream: { prepare: manifest.stages.prepare!.outputHash } }, outputHash: 'c', artifacts: [] };
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, config: { ...manifest.config, crm: { ...manifest.config.crm, epochs: 7 } }, stages: { ...manifest.stages, crm } }));
    expect((await checkRunFreshness(dir)).fresh).toBe(true);
    await runCli(['prepare', ...SMALL, '--seed', '5', '--out', dir]);
    const after = (await readManifest(dir))!;
    expect(after.config.crm.epochs).toBe(7);
    expect(after.config.data.source).toMatchObject({ kind: 'synthetic', seed: 5 });
    expect((await checkRunFreshness(dir)).stale).toEqual([{ stage: 'crm', input: 'prepare', reason: 'its input "prepare" changed after it ran' }]);
  });
});

describe('score-train prepare --timestamp-unit', () => {
  it('a millisecond timestamp column is refused with the fix, and read with --timestamp-unit milliseconds', async () => {
    const dir = tempDir();
    const interactions = path.join(dir, 'interactions.csv');
    const items = path.join(dir, 'items.csv');
    const rows = ['user_id,item_id,timestamp,rating,split'];
    for (const [user, split, base] of [['u1', 'train', 0], ['u1', 'valid', 10], ['u1', 'test', 20], ['u2', 'train', 1], ['u2', 'valid', 11], ['u2', 'test', 21]] as const) {
      rows.push(`${user},i${base % 3},${1_700_000_000_000 + base * 1000},5,${split}`);
    }
    fs.writeFileSync(interactions, `${rows.join('\n')}\n`);
    fs.writeFileSync(items, 'item_id,title\ni0,Zero\ni1,One\ni2,Two\n');
    const args = ['prepare', '--interactions', interactions, '--items', items, '--out', path.join(dir, 'run')];
    await expect(runCli(args)).rejects.toThrow(`${interactions}, line 2, field "timestamp": 1700000000000 is not a Unix time in seconds`);
    const { stdout } = await runCli([...args, '--timestamp-unit', 'milliseconds', '--json']);
    expect(JSON.parse(stdout).statistics.rows).toEqual({ train: 2, valid: 2, test: 2 });
    expect((await readManifest(path.join(dir, 'run')))!.config.data.source).toMatchObject({ kind: 'generic', timestampUnit: 'milliseconds' });
  });
});
