import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { readManifest } from './manifest';
import { runPipeline } from './run-pipeline';
import { createTestStages } from './test-fixtures/test-stages';

const FIXTURE = path.resolve(import.meta.dirname, 'test-fixtures', 'killable-run.ts');

async function waitFor(file: string, child: ReturnType<typeof spawn>): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (fs.existsSync(file)) return;
    if (child.exitCode !== null) throw new Error(`the child exited early with code ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the child never reached the middle of its write');
}

describe('runPipeline, killed mid-write', () => {
  it('a stage killed by SIGKILL mid-write loses nothing finished, and the rerun completes cleanly', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-pipeline-kill-'));
    const calls = new Map<string, number>();
    const first = loadConfig({ values: { run: { dir: runDir } } });
    await runPipeline({ config: first.config, stages: createTestStages({ calls }) });
    const finishedWeights = fs.readFileSync(path.join(runDir, 'crm', 'model', 'weights.txt'), 'utf8');
    const manifestBefore = (await readManifest(runDir))!;

    const marker = path.join(runDir, '..', `${path.basename(runDir)}.marker`);
    const child = spawn(process.execPath, ['--conditions=@score/source', '--import', 'tsx', FIXTURE, runDir, marker], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      await waitFor(marker, child);
    } catch (error) {
      throw new Error(`${(error as Error).message}: ${stderr}`);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The kill left a partial temporary folder and a stale lock; the finished folders are intact.
    const leftovers = fs.readdirSync(runDir).filter((name) => name.startsWith('.'));
    expect(leftovers).toContain('.lock');
    const partial = leftovers.find((name) => name.startsWith('.crm.tmp-'))!;
    expect(fs.readFileSync(path.join(runDir, partial, 'model', 'weights.txt'), 'utf8')).toBe('partial');
    expect(fs.readFileSync(path.join(runDir, 'crm', 'model', 'weights.txt'), 'utf8')).toBe(finishedWeights);
    expect((await readManifest(runDir))!.stages).toEqual(manifestBefore.stages);

    // Rerunning the killed run's config cleans up and redoes crm (and car, whose input changed).
    const second = loadConfig({ values: { run: { dir: runDir }, crm: { epochs: 7 } } });
    const report = await runPipeline({ config: second.config, stages: createTestStages({ calls }) });
    expect(report.stages.map((stage) => stage.status)).toEqual(['skipped', 'ran', 'ran']);
    expect(fs.readFileSync(path.join(runDir, 'crm', 'model', 'weights.txt'), 'utf8')).toMatch(/^epochs=7 /);
    expect(fs.readdirSync(runDir).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(Object.fromEntries(calls)).toEqual({ prepare: 1, crm: 2, car: 2 });
  });
});
