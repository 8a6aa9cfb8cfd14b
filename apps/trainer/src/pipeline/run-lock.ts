import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ScoreError } from '@score/core';

/** Name of the lock file in a run folder. */
export const LOCK_FILE = '.lock';

/** Folder that guards the removal of a dead holder's lock (one remover at a time). */
const TAKEOVER_SUFFIX = '.takeover';
/** A takeover guard older than this was left by a process killed in the middle of a takeover. */
const TAKEOVER_STALE_MS = 10_000;
const ATTEMPTS = 200;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid written in a lock file, or undefined when there is no lock file. */
function readHolder(file: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // A lock file only ever appears complete (it is linked into place), so anything else is garbage: stale.
  const pid = /^(\d+)\n?$/.test(text) ? Number(text.trim()) : Number.NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : -1;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
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
 * Removes the lock file when it still holds `deadPid`, under a takeover guard (a folder made with
 * mkdir, which only one process can create), so that two processes never both remove a lock and
 * one never removes a lock another has just taken.
 */
function removeDeadLock(file: string, deadPid: number): void {
  const guard = `${file}${TAKEOVER_SUFFIX}`;
  try {
    fs.mkdirSync(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs > TAKEOVER_STALE_MS) fs.rmdirSync(guard);
    } catch {
      // Gone meanwhile.
    }
    pause(2 + Math.random() * 8);
    return;
  }
  try {
    // Under the guard nobody else removes the lock, and a live holder's lock is never dead.
    const holder = readHolder(file);
    if (holder === deadPid && (holder < 0 || !isAlive(holder))) fs.rmSync(file, { force: true });
  } finally {
    fs.rmdirSync(guard);
  }
}

const PENDING = /^\.lock-(\d+)-[0-9a-f]+\.pending$/;

/** Removes the private lock files of processes that died while taking the lock (call it holding the lock). */
function removeDeadPendingFiles(runDir: string): void {
  for (const name of fs.readdirSync(runDir)) {
    const match = PENDING.exec(name);
    if (match && Number(match[1]) !== process.pid && !isAlive(Number(match[1]))) fs.rmSync(path.join(runDir, name), { force: true });
  }
}

/**
 * Takes `<runDir>/.lock` (holding this process id) so two runs never write the same folder; a lock
 * left by a dead process is taken over. Returns the function that releases it.
 *
 * Acquisition is atomic: the pid is written to a private temporary file which is then hard-linked
 * to `.lock` (link fails when `.lock` exists), so a reader never sees a half-written lock; a dead
 * holder's lock is removed by one process at a time (see the takeover guard), then the link is
 * retried, so of many racing processes exactly one wins.
 * @throws RunLockedError when a live process holds the lock.
 */
export function acquireRunLock(runDir: string): () => void {
  const file = path.join(runDir, LOCK_FILE);
  const temporary = path.join(runDir, `${LOCK_FILE}-${process.pid}-${randomBytes(4).toString('hex')}.pending`);
  fs.writeFileSync(temporary, `${process.pid}\n`, { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        fs.linkSync(temporary, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = readHolder(file);
        if (holder === undefined) continue; // Released meanwhile: try again.
        if (holder > 0 && isAlive(holder)) throw new RunLockedError(runDir, holder);
        removeDeadLock(file, holder);
        continue;
      }
      removeDeadPendingFiles(runDir);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readHolder(file) === process.pid) fs.rmSync(file, { force: true });
        } catch {
          // Already gone.
        }
      };
    }
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  throw new ScoreError(`The lock ${file} could not be taken; delete it if no run is using ${runDir}.`, { code: 'RUN_LOCKED' });
}
