import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DataFormatError, InvalidOptionError, UnknownIdError } from '@score/core';
import { loadDataset } from '@score/data';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../test-helpers';

const BIN = path.resolve(import.meta.dirname, '../../bin/score-train.js');

function writeGeneric(dir: string) {
  fs.writeFileSync(
    path.join(dir, 'interactions.csv'),
    [
      'user_id,item_id,timestamp,rating,split',
      'u1,i1,100,5,train',
      'u1,i2,200,2,train',
      'u1,i3,300,4,valid',
      'u1,i1,400,5,test',
      'u2,i2,150,4,train',
      'u2,i3,150,5,train',
      'u2,i1,500,1,valid',
      'u2,i3,600,4,test',
    ].join('\n') + '\n',
  );
  fs.writeFileSync(path.join(dir, 'items.csv'), 'item_id,title,genres\ni1,Alpha,Action|Comedy\ni2,Beta,Drama\ni3,Gamma,Action\n');
}

describe('score-train prepare', () => {
  it('prepares the synthetic default and prints Table 1 statistics as JSON', async () => {
    const out = tempDir();
    const { stdout } = await runCli(['prepare', '--synthetic', '--users', '120', '--items', '150', '--seed', '3', '--out', out, '--json']);
    const report = JSON.parse(stdout);
    expect(report.runDir).toBe(path.resolve(out));
    expect(report.statistics.users).toBeGreaterThan(100);
    expect(report.statistics.rows.train).toBeGreaterThan(0);
    expect(report.statistics.rows.valid).toBeGreaterThan(0);
    expect(report.statistics.rows.test).toBeGreaterThan(0);
    const loaded = await loadDataset(path.join(out, 'prepare'));
    expect(loaded.rows.length).toBe(report.statistics.rows.train + report.statistics.rows.valid + report.statistics.rows.test);
  });

  it('keeps the given split column of the generic CSV and the history rule holds', async () => {
    const dir = tempDir();
    writeGeneric(dir);
    const out = path.join(dir, 'run');
    // The issue's own example: `prepare --interactions FILE --items FILE --out DIR`.
    const { stdout } = await runCli(['prepare', '--interactions', path.join(dir, 'interactions.csv'), '--items', path.join(dir, 'items.csv'), '--out', out]);
    expect(stdout).toContain('interactions');
    expect(stdout).toMatch(/Train\s+Validation\s+Test/);
    const dataset = await loadDataset(path.join(out, 'prepare'));
    expect(dataset.split('train').length).toBe(4);
    expect(dataset.split('valid').length).toBe(2);
    expect(dataset.split('test').length).toBe(2);
    const u1Test = dataset.split('test').find((row) => row.userId === 'u1')!;
    // u1 liked i1 (t=100) and i3 (t=300, valid); i2 (rating 2) is a negative and never in a history.
    expect(dataset.history(u1Test)).toEqual(['i1', 'i3']);
    const u2Test = dataset.split('test').find((row) => row.userId === 'u2')!;
    expect(dataset.history(u2Test)).toEqual(['i2', 'i3']);
  });

  it('names the file, line and field of a malformed line', async () => {
    const dir = tempDir();
    writeGeneric(dir);
    fs.appendFileSync(path.join(dir, 'interactions.csv'), 'u3,i1,notatime,4,train\n');
    await expect(runCli(['prepare', '--interactions', path.join(dir, 'interactions.csv'), '--items-file', path.join(dir, 'items.csv'), '--out', path.join(dir, 'run')])).rejects.toThrow(DataFormatError);
    await expect(runCli(['prepare', '--interactions', path.join(dir, 'interactions.csv'), '--items-file', path.join(dir, 'items.csv'), '--out', path.join(dir, 'run')])).rejects.toThrow(/interactions\.csv, line 10, field "timestamp"/);
  });

  it('lists unknown items, and rejects zero or two sources', async () => {
    const dir = tempDir();
    writeGeneric(dir);
    fs.writeFileSync(path.join(dir, 'items.csv'), 'item_id,title\ni1,Alpha\n');
    await expect(runCli(['prepare', '--interactions', path.join(dir, 'interactions.csv'), '--items-file', path.join(dir, 'items.csv'), '--out', path.join(dir, 'run')])).rejects.toThrow(UnknownIdError);
    await expect(runCli(['prepare', '--out', dir])).rejects.toThrow(InvalidOptionError);
    await expect(runCli(['prepare', '--out', dir, '--synthetic', '--ml-1m', dir])).rejects.toThrow(/choose only one data source, got --synthetic and --ml-1m/);
    await expect(runCli(['prepare', '--out', dir, '--synthetic', '--items', 'many'])).rejects.toThrow('Invalid "--items": must be an integer of at least 1, got "many".');
  });

  it('runs as `score-train` from the repository without a build', () => {
    const out = tempDir();
    const result = spawnSync(process.execPath, [BIN, 'prepare', '--synthetic', '--users', '80', '--items', '100', '--out', out, '--json'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).statistics.users).toBeGreaterThan(50);
    const bad = spawnSync(process.execPath, [BIN, 'prepare', '--out', out], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('score-train: Invalid "source": choose one data source');
  });
});
