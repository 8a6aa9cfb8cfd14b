import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../test-helpers';

describe('score-train crm, car, assess, sare on a prepared run folder', () => {
  it('runs each stage, prints its metrics and records it in the manifest', async () => {
    const run = path.join(tempDir(), 'run');
    await runCli(['prepare', '--synthetic', '--users', '90', '--items', '120', '--seed', '5', '--out', run, '--quiet']);

    const crm = JSON.parse((await runCli(['crm', '--run', run, '--epochs', '1', '--json'])).stdout);
    expect(crm.stage).toBe('crm');
    expect(Object.keys(crm.models).sort()).toEqual(['mf', 'sasrec']);
    for (const model of ['sasrec', 'mf']) {
      expect(crm.models[model].test.auc).toBeGreaterThan(0);
      expect(crm.models[model].test.auc).toBeLessThan(1);
      expect(crm.models[model].test.rows).toBeGreaterThan(0);
    }
    expect(fs.existsSync(path.join(run, 'crm', 'sasrec', 'neighbours.json'))).toBe(true);

    const car = JSON.parse((await runCli(['car', '--run', run, '--epochs', '1', '--json'])).stdout);
    expect(car.cf.recall).toBe(1);
    expect(car.car.recall).toBeGreaterThanOrEqual(0);
    expect(fs.existsSync(path.join(run, 'car', 'index'))).toBe(true);

    const assess = await runCli(['assess', '--run', run, '--sample', '40']);
    expect(assess.stdout).toMatch(/^40 pairs assessed by Metadata fallback \(no LLM\)/);
    const rankings = fs.readFileSync(path.join(run, 'assess', 'rankings.jsonl'), 'utf8').trim().split('\n');
    expect(rankings.length).toBe(40);

    const sare = await runCli(['sare', '--run', run, '--epochs', '1']);
    expect(sare.stdout).toMatch(/Agreement with the self-assessment order O on \d+ held-out pairs/);
    expect(sare.stdout).toMatch(/CAR order\s+\d\.\d{4}/);

    const rec = JSON.parse((await runCli(['rec', '--run', run, '--epochs', '1', '--train-rows', '40', '--valid-rows', '30', '--variants', 'basic,score', '--json'])).stdout);
    expect(rec.variants.map((entry: { variant: string }) => entry.variant)).toEqual(['basic', 'score']);
    expect(fs.existsSync(path.join(run, 'rec', 'models', 'score', 'model.safetensors'))).toBe(true);

    const evaluation = await runCli(['eval', '--run', run, '--max-rows', '40']);
    expect(evaluation.stdout).toMatch(/^Model\s+AUC \[95% CI\]\s+UAUC \[95% CI\]/);
    for (const label of ['Item popularity', 'MF', 'SASRec', 'LM with P^b', 'SCoRe (CAR + SARE)']) expect(evaluation.stdout).toContain(label);
    const metrics = JSON.parse(fs.readFileSync(path.join(run, 'eval', 'metrics.json'), 'utf8'));
    expect(metrics.rows).toBe(40);
    expect(metrics.models.map((model: { id: string }) => model.id)).toEqual(['popularity', 'mf', 'sasrec', 'llm-basic', 'score']);
    expect(metrics.sweeps.kept.length).toBeGreaterThan(0);
    // Intervals from the paired bootstrap over users; the LM rows' differences; the sample said as such.
    expect(metrics.splitRows).toBeGreaterThan(40);
    expect(metrics.bootstrap).toMatchObject({ unit: 'user', paired: true, samples: 1000, confidence: 0.95, seed: 42 });
    const score = metrics.models.find((model: { id: string }) => model.id === 'score');
    expect(score.aucInterval.lower).toBeLessThanOrEqual(score.auc);
    expect(score.aucInterval.upper).toBeGreaterThanOrEqual(score.auc);
    expect(score.differences.map((difference: { reference: string }) => difference.reference)).toEqual(['llm-basic']);
    expect(score.differences[0].auc).toBeCloseTo(score.auc - metrics.models.find((model: { id: string }) => model.id === 'llm-basic').auc, 12);
    expect(metrics.sweeps.retrained).toBe(false);
    expect(metrics.sweeps.kept[0].aucInterval).toBeDefined();
    expect(evaluation.stdout).toContain(`Scored: 40 of ${metrics.splitRows.toLocaleString('en-US')} test rows`);
    expect(fs.readFileSync(path.join(run, 'eval', 'report.html'), 'utf8')).toContain('<svg');

    const manifest = JSON.parse(fs.readFileSync(path.join(run, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stages).sort()).toEqual(['assess', 'car', 'crm', 'eval', 'prepare', 'rec', 'sare']);
    expect(manifest.config.crm.epochs).toBe(1);
  });

  it('names what is missing: a folder without a manifest, a stage whose input stage has not run', async () => {
    const empty = tempDir();
    await expect(runCli(['crm', '--run', empty])).rejects.toThrow(ArtifactNotFoundError);
    await expect(runCli(['crm', '--run', empty])).rejects.toThrow(/Run folder manifest not found at .*manifest\.json\. Run the "prepare" stage first\./);
    const run = path.join(tempDir(), 'run');
    await runCli(['prepare', '--synthetic', '--users', '60', '--items', '80', '--out', run, '--quiet']);
    await expect(runCli(['sare', '--run', run])).rejects.toThrow(/The output of stage "car" \(needed by "sare"\) not found at .*Run the "car" stage first/);
    await expect(runCli(['car', '--run', run, '--encoder', 'word2vec'])).rejects.toThrow(InvalidOptionError);
  });
});
