// Races for run locks on command, for the lock race test. Reads lines from stdin:
//   "try DIR AT_MS"  spins until Date.now() >= AT_MS, then tries acquireRunLock(DIR) once and
//                    answers "won" or "lost CODE";
//   "release"        releases a lock it holds and answers "released".
// Usage: node --conditions=@score/source --import tsx lock-racer.ts
import readline from 'node:readline';
import { ScoreError } from '@score/core';
import { acquireRunLock } from '../run-lock';

let release: (() => void) | undefined;
const answer = (text: string) => process.stdout.write(`${text}\n`);
answer('ready');
for await (const line of readline.createInterface({ input: process.stdin })) {
  const [command, dir, at] = line.split(' ');
  if (command === 'try') {
    while (Date.now() < Number(at));
    try {
      release = acquireRunLock(dir!);
      answer('won');
    } catch (error) {
      answer(`lost ${error instanceof ScoreError ? error.code : String(error)}`);
    }
  } else if (command === 'release') {
    release?.();
    release = undefined;
    answer('released');
  }
}
