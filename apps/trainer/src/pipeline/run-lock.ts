import fs from 'node:fs';
import path from 'node:path';
import { ScoreError } from '@score/core';

/** Name of the lock file in a run folder. */
export const LOCK_FILE = '.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Another live process holds the run folder. */
export class RunLockedError extends ScoreError {
  /** The run folder. */
  readonly runDir: string;
  /** Process id of the holder. */
  readonly pid: number;

  constructor(runDir: string, pid: number) {
    super(`The run folder ${runDir} is in use by process ${pid}; wait for it to finish or stop it, then run again.`, { code: 'RUN_LOCKED' });
    this.runDir = runDir;
    this.pid = pid;
  }
}

/**
 * Takes `<runDir>/.lock` (holding this process id) so two runs never write the same folder; a lock
 * left by a dead process is taken over. Returns the function that releases it.
 */
export function acquireRunLock(runDir: string): () => void {
  const file = path.join(runDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.rmSync(file, { force: true });
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && isAlive(holder)) throw new RunLockedError(runDir, holder);
      fs.rmSync(file, { force: true });
    }
  }
  throw new ScoreError(`The lock ${file} could not be taken; delete it if no run is using ${runDir}.`, { code: 'RUN_LOCKED' });
}
