import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError, SPLIT_NAMES } from '@score/core';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSyntheticDataset } from '../synthetic/generate';
import { loadDataset, saveDataset } from './dataset-store';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-store-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('saveDataset / loadDataset', () => {
  it('round-trips every row, item, history and statistic', async () => {
    const dataset = await generateSyntheticDataset({ seed: 3, users: 60, items: 90, months: 8 });
    const run = fs.mkdtempSync(path.join(root, 'run-'));
    const folder = await saveDataset(dataset, run);
    expect(folder).toBe(path.join(run, 'dataset'));
    expect(fs.readdirSync(run)).toEqual(['dataset']);
    expect(fs.readdirSync(folder).sort()).toEqual(['items.jsonl', 'meta.json', 'rows.tsv', 'users.jsonl']);
    const meta = JSON.parse(fs.readFileSync(path.join(folder, 'meta.json'), 'utf8'));
    expect(meta.formatVersion).toBe(1);
    expect(meta.statistics).toEqual(dataset.statistics());

    const loaded = await loadDataset(run);
    expect(loaded.name).toBe(dataset.name);
    expect(loaded.domain).toBe(dataset.domain);
    expect(loaded.rows).toEqual(dataset.rows);
    expect([...loaded.items.entries()]).toEqual([...dataset.items.entries()]);
    expect(loaded.users).toEqual(dataset.users);
    expect(loaded.statistics()).toEqual(dataset.statistics());
    expect(loaded.protocol).toEqual(dataset.protocol);
    for (const split of SPLIT_NAMES) expect(loaded.split(split)).toEqual(dataset.split(split));
    for (const row of dataset.rows) expect(loaded.history(row, 20)).toEqual(dataset.history(row, 20));
    for (const user of dataset.users) expect(loaded.positiveTimes(user)).toEqual(dataset.positiveTimes(user));
  });

  it('replaces an earlier dataset in place', async () => {
    const run = fs.mkdtempSync(path.join(root, 'run-'));
    await saveDataset(await generateSyntheticDataset({ seed: 1, users: 40, items: 60, months: 6 }), run);
    const second = await generateSyntheticDataset({ seed: 2, users: 40, items: 60, months: 6 });
    await saveDataset(second, run);
    expect(fs.readdirSync(run)).toEqual(['dataset']);
    expect((await loadDataset(run)).rows).toEqual(second.rows);
  });

  it('throws ArtifactNotFoundError (produced by "prepare") without a dataset', async () => {
    const run = fs.mkdtempSync(path.join(root, 'empty-'));
    const error = (await loadDataset(run).catch((caught: unknown) => caught)) as ArtifactNotFoundError;
    expect(error).toBeInstanceOf(ArtifactNotFoundError);
    expect(error.producedBy).toBe('prepare');
    expect(error.path).toBe(path.join(run, 'dataset'));
  });

  it('rejects another format version and damaged rows', async () => {
    const run = fs.mkdtempSync(path.join(root, 'run-'));
    const folder = await saveDataset(await generateSyntheticDataset({ seed: 4, users: 40, items: 60, months: 6 }), run);
    const rowsPath = path.join(folder, 'rows.tsv');
    const lines = fs.readFileSync(rowsPath, 'utf8').split('\n');
    lines[2] = lines[2].replace(/\t\d+$/, '\tx');
    fs.writeFileSync(rowsPath, lines.join('\n'));
    const damaged = (await loadDataset(run).catch((caught: unknown) => caught)) as DataFormatError;
    expect(damaged).toBeInstanceOf(DataFormatError);
    expect([damaged.line, damaged.field]).toEqual([3, 'split']);
    const metaPath = path.join(folder, 'meta.json');
    fs.writeFileSync(metaPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(metaPath, 'utf8')), formatVersion: 99 }));
    await expect(loadDataset(run)).rejects.toMatchObject({ field: 'formatVersion' });
  });
});
