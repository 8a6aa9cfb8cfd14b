import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError } from '@score/core';
import { afterAll, describe, expect, it } from 'vitest';
import { StaleRunError, assertRunFresh, checkRunFreshness, findStaleStages } from './run-freshness';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-freshness-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const record = (outputHash: string, upstream: Record<string, string> = {}) => ({ status: 'done', outputHash, inputHash: `in-${outputHash}`, inputs: { config: {}, files: [], upstream, version: 1 } });

/** A finished seven-stage run's stage records, as the trainer's manifest holds them. */
function finishedRun() {
  return {
    prepare: record('p1'),
    crm: record('c1', { prepare: 'p1' }),
    car: record('r1', { prepare: 'p1', crm: 'c1' }),
    assess: record('a1', { prepare: 'p1', car: 'r1' }),
    sare: record('s1', { prepare: 'p1', car: 'r1', assess: 'a1' }),
    rec: record('l1', { prepare: 'p1', car: 'r1', sare: 's1' }),
    eval: record('e1', { prepare: 'p1', crm: 'c1', car: 'r1', sare: 's1', rec: 'l1' }),
  };
}

function writeRun(name: string, stages: unknown): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ formatVersion: 1, config: {}, stages }));
  return dir;
}

describe('run freshness', () => {
  it('a finished run is fresh', async () => {
    expect(findStaleStages(finishedRun())).toEqual([]);
    const dir = writeRun('fresh', finishedRun());
    expect(await checkRunFreshness(dir)).toEqual({ manifest: true, fresh: true, stale: [] });
    await expect(assertRunFresh(dir)).resolves.toBeUndefined();
  });

  it('after a re-prepare every stage downstream of prepare is stale, each naming the input that changed', async () => {
    const stages = { ...finishedRun(), prepare: record('p2') };
    expect(findStaleStages(stages)).toEqual([
      { stage: 'crm', input: 'prepare', reason: 'its input "prepare" changed after it ran' },
      { stage: 'car', input: 'prepare', reason: 'its input "prepare" changed after it ran' },
      { stage: 'assess', input: 'prepare', reason: 'its input "prepare" changed after it ran' },
      { stage: 'sare', input: 'prepare', reason: 'its input "prepare" changed after it ran' },
      { stage: 'rec', input: 'prepare', reason: 'its input "prepare" changed after it ran' },
      { stage: 'eval', input: 'prepare', reason: 'its input "prepare" changed after it ran' },
    ]);
    const dir = writeRun('re-prepared', stages);
    const freshness = await checkRunFreshness(dir);
    expect(freshness.fresh).toBe(false);
    const error = await assertRunFresh(dir).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StaleRunError);
    expect((error as StaleRunError).code).toBe('RUN_STALE');
    expect((error as StaleRunError).stale.map((entry) => entry.stage)).toEqual(['crm', 'car', 'assess', 'sare', 'rec', 'eval']);
    expect((error as Error).message).toBe(
      `The run ${dir} is stale: stage "crm" (its input "prepare" changed after it ran), "car", "assess", "sare", "rec", "eval" no longer match their inputs; redo them with \`score-train run\` on this run's config (or each with \`score-train <stage> --run ${dir}\`, from "crm" on).`,
    );
  });

  it('staleness passes down: a stage whose input is stale is stale, and a missing input record counts', () => {
    const stages = { ...finishedRun(), sare: record('s2', { prepare: 'p1', car: 'r1', assess: 'a1' }) };
    expect(findStaleStages(stages)).toEqual([
      { stage: 'rec', input: 'sare', reason: 'its input "sare" changed after it ran' },
      { stage: 'eval', input: 'sare', reason: 'its input "sare" changed after it ran' },
    ]);
    const { crm: _crm, ...withoutCrm } = finishedRun();
    expect(findStaleStages(withoutCrm).slice(0, 2)).toEqual([
      { stage: 'car', input: 'crm', reason: 'its input "crm" has not finished (no record in the manifest)' },
      { stage: 'assess', input: 'car', reason: 'its input "car" is stale' },
    ]);
  });

  it('a folder without a manifest (a bare dataset) has nothing to check; a broken manifest is a DataFormatError', async () => {
    const bare = path.join(root, 'bare');
    fs.mkdirSync(bare);
    expect(await checkRunFreshness(bare)).toEqual({ manifest: false, fresh: true, stale: [] });
    const broken = path.join(root, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'manifest.json'), '{"stages": ');
    await expect(checkRunFreshness(broken)).rejects.toThrow(DataFormatError);
    // A manifest without stage records (e.g. hand-written settings only) is fresh.
    const settingsOnly = path.join(root, 'settings-only');
    fs.mkdirSync(settingsOnly);
    fs.writeFileSync(path.join(settingsOnly, 'manifest.json'), JSON.stringify({ config: { car: { retrieved: 12 } } }));
    expect(await checkRunFreshness(settingsOnly)).toEqual({ manifest: true, fresh: true, stale: [] });
  });
});
