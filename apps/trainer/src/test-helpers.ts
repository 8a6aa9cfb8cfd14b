import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProgressEvent } from '@score/core';
import { createProgram } from './program';

/** Runs `score-train` in-process with captured stdout, progress events and log lines. */
export async function runCli(args: readonly string[]): Promise<{ stdout: string; progress: ProgressEvent[]; logs: string[] }> {
  let stdout = '';
  const progress: ProgressEvent[] = [];
  const logs: string[] = [];
  const log = (message: string) => void logs.push(message);
  const program = createProgram({
    output: { write: (text) => void (stdout += text) },
    onProgress: (event) => void progress.push(event),
    logger: { debug: log, info: log, warn: log, error: log },
  }).exitOverride();
  await program.parseAsync(['node', 'score-train', ...args]);
  return { stdout, progress, logs };
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'score-trainer-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * `--set` overrides that shrink a whole pipeline run to seconds for end-to-end tests: 60 users,
 * 90 items, one epoch per stage, the basic and full-SCoRe variants only, a few dozen rows per
 * evaluation. Tests add what they need (rec rows, a checkpoint) after these.
 */
export const TINY_PIPELINE_SETS: readonly string[] = Object.freeze([
  'data.source.users=60',
  'data.source.items=90',
  'crm.epochs=1',
  'crm.baseline=false',
  'car.epochs=1',
  'assess.sample=40',
  'sare.epochs=1',
  'rec.variants=[basic,score]',
  'rec.epochs=1',
  'eval.retrievedSweep=[10]',
  'eval.keptSweep=[2]',
]);

/** `entries` as repeated `--set` flags. */
export const setFlags = (entries: readonly string[]): string[] => entries.flatMap((entry) => ['--set', entry]);
