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
