import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProgressEvent, ScoreError } from '@score/core';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createCommandContext } from '../cli/command-context';
import { ConfigValidationError } from '../config/config-error';
import { runPrepareStage } from '../stages/prepare';
import { registerRunCommand } from './run';
import { createStageRegistry } from '../pipeline/stage-registry';

async function runCli(args: readonly string[]) {
  let stdout = '';
  const progress: ProgressEvent[] = [];
  const logs: string[] = [];
  const log = (message: string) => void logs.push(message);
  const program = new Command('score-train').exitOverride().configureOutput({ writeErr: () => {} });
  const registry = createStageRegistry({ prepare: runPrepareStage });
  registerRunCommand(program, (flags) => createCommandContext(flags, { output: { write: (text) => void (stdout += text) }, onProgress: (event) => void progress.push(event), logger: { debug: log, info: log, warn: log, error: log } }), registry);
  await program.parseAsync(['node', 'score-train', 'run', ...args]);
  return { stdout, progress, logs };
}

function tinyConfig(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-run-command-'));
  const file = path.join(dir, 'tiny.yaml');
  fs.writeFileSync(file, 'run:\n  dir: will-be-replaced\ndata:\n  source:\n    kind: synthetic\n    users: 50\n    items: 60\n');
  return { dir, file };
}

describe('score-train run', () => {
  it('runs the selected stages from a config file, prints a JSON report, and skips them on a rerun', async () => {
    const { dir, file } = tinyConfig();
    const runDir = path.join(dir, 'run');
    const first = await runCli(['--config', file, '--run-dir', runDir, '--only', 'prepare', '--set', 'data.source.seed=9', '--json']);
    const report = JSON.parse(first.stdout);
    expect(report.runDir).toBe(runDir);
    expect(report.configFile).toBe(file);
    expect(report.stages[0]).toMatchObject({ name: 'prepare', status: 'ran', reason: 'selected by --only', outputDir: path.join(runDir, 'prepare') });
    expect(report.stages[0].summary.source).toBe('synthetic (seed 9)');
    expect(first.logs.some((line) => line.startsWith(`stage prepare: done in `) && line.endsWith(`in ${path.join(runDir, 'prepare')}`))).toBe(true);
    expect(first.progress.some((event) => event.task === 'pipeline' && event.done === 1 && event.total === 1 && event.finished)).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(runDir, 'manifest.json'), 'utf8'));
    expect(manifest.config.data.source).toEqual({ kind: 'synthetic', seed: 9, users: 50, items: 60 });
    expect(manifest.configHash).toBe(report.configHash);

    // A run of every stage is refused up front while the other stages have no implementation.
    await expect(runCli(['--config', file, '--run-dir', runDir, '--set', 'data.source.seed=9'])).rejects.toThrow(/No implementation is registered for stages "crm", "car", "assess", "sare", "rec", "eval"/);
    const table = await runCli(['--config', file, '--run-dir', runDir, '--set', 'data.source.seed=9', '--only', 'prepare']);
    expect(table.stdout).toMatch(/^Run .* \(config [0-9a-f]{12}, /);
    expect(table.stdout).toMatch(/prepare\s+ran\s+/);
  });

  it('--seeds N sets run.seeds to run.seed .. run.seed + N - 1', async () => {
    const { dir, file } = tinyConfig();
    const runDir = path.join(dir, 'run');
    const { stdout } = await runCli(['--config', file, '--run-dir', runDir, '--set', 'run.seed=5', '--seeds', '3', '--only', 'prepare', '--json']);
    const report = JSON.parse(stdout) as { stages: { name: string; status: string }[] };
    expect(report.stages.map((stage) => `${stage.name} ${stage.status}`)).toEqual([
      'prepare ran', 'crm not-selected', 'car not-selected', 'assess not-selected', 'sare not-selected', 'rec not-selected',
      'seeds/6/rec not-selected', 'seeds/6/eval not-selected', 'seeds/7/rec not-selected', 'seeds/7/eval not-selected', 'eval not-selected',
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(runDir, 'manifest.json'), 'utf8'));
    expect(manifest.config.run).toMatchObject({ seed: 5, seeds: [5, 6, 7], seedStages: [] });
    await expect(runCli(['--config', file, '--seeds', '0'])).rejects.toThrow('Invalid "--seeds": must be an integer of at least 1, got 0.');
  });

  it('reports config errors with the key path, and rejects unknown stages', async () => {
    const { dir, file } = tinyConfig();
    fs.appendFileSync(file, 'crm:\n  hiden_size: 12\n');
    const error = await runCli(['--config', file, '--run-dir', path.join(dir, 'run')]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ScoreError).code).toBe('INVALID_OPTION');
    expect((error as Error).message).toContain(`Invalid "crm.hiden_size": unknown key (did you mean "hiddenSize"?); valid keys are model,`);
    expect((error as Error).message).toContain(`(in ${file})`);
    await expect(runCli(['--from', 'training'])).rejects.toThrow(/Allowed choices are prepare, crm, car, assess, sare, rec, eval/);
    await expect(runCli(['--only', 'crm', '--only', 'ranking'])).rejects.toThrow('"ranking" is not a stage; the stages are prepare, crm, car, assess, sare, rec, eval.');
    await expect(runCli(['--config', file, '--set', 'crm'])).rejects.toThrow('Invalid "--set": "crm" is not of the form key.path=value');
  });
});
