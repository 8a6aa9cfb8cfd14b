import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_PIPELINE_SETS, runCli, setFlags, tempDir } from '../test-helpers';

describe('score-train demo', () => {
  it('runs every stage of the embedded demo config (scaled down with --set), prints the results table and leaves the report', async () => {
    const run = path.join(tempDir(), 'demo');
    const scale = setFlags([...TINY_PIPELINE_SETS, 'rec.pretrainEpochs=1', 'rec.trainRows=40', 'rec.validRows=30', 'eval.maxRows=40']);
    const { stdout } = await runCli(['demo', '--run-dir', run, ...scale, '--quiet']);
    expect(stdout).toMatch(/^Run .* \(config [0-9a-f]{12}, [\d.]+ s\)/);
    for (const stage of ['prepare', 'crm', 'car', 'assess', 'sare', 'rec', 'eval']) expect(stdout).toMatch(new RegExp(`\\n${stage}\\s+ran`));
    expect(stdout).toMatch(/Model\s+AUC \[95% CI\]\s+UAUC \[95% CI\]/);
    for (const label of ['Item popularity', 'SASRec', 'LM with P^b', 'SCoRe (CAR + SARE)']) expect(stdout).toContain(label);
    expect(stdout).toContain(`Report: ${path.join(run, 'eval', 'report.html')}`);
    for (const file of ['metrics.json', 'report.md', 'report.html']) expect(fs.existsSync(path.join(run, 'eval', file))).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(run, 'manifest.json'), 'utf8'));
    expect(manifest.config.rec.maxHistoryItems).toBe(15); // the demo config's own value, under the --set overrides
    expect(fs.existsSync(path.join(run, 'rec', 'models', 'pretrained', 'tokenizer.json'))).toBe(true);

    const again = await runCli(['demo', '--run-dir', run, ...scale, '--quiet', '--json']);
    const report = JSON.parse(again.stdout) as { run: { stages: { name: string; status: string }[] }; metrics: { models: unknown[] } };
    expect(report.run.stages.every((stage) => stage.status === 'skipped')).toBe(true);
    expect(report.metrics.models.length).toBeGreaterThan(3);
  }, 300_000);
});
