import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, RunLockedError, acquireRunLock } from './run-lock';

const FIXTURE = path.resolve(import.meta.dirname, 'test-fixtures', 'lock-racer.ts');
const RACERS = 16;
const ROUNDS = 4;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-run-lock-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

interface Racer {
  readonly child: ChildProcess;
  next(): Promise<string>;
}

function startRacer(): Racer {
  const child = spawn(process.execPath, ['--conditions=@score/source', '--import', 'tsx', FIXTURE], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    child,
    next: async () => {
      const { value, done } = await lines.next();
      if (done) throw new Error(`racer ${child.pid} exited`);
      return value as string;
    },
  };
}

/** The pid of a process that has exited (so a lock holding it is stale). */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(result.stdout);
}

describe('acquireRunLock', () => {
  it('is exclusive in-process, names the holder, releases, and takes over a dead holder\'s lock', () => {
    const dir = fs.mkdtempSync(path.join(root, 'single-'));
    const release = acquireRunLock(dir);
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    // A second holder in this process is refused too (the lock is per folder, not per process).
    expect(() => acquireRunLock(dir)).toThrow(RunLockedError);
    release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    fs.writeFileSync(path.join(dir, LOCK_FILE), `${deadPid()}\n`);
    // What a process killed while taking the lock leaves: its private file, removed by the next holder.
    fs.writeFileSync(path.join(dir, `${LOCK_FILE}-${deadPid()}-0badf00d.pending`), '1\n');
    const again = acquireRunLock(dir);
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    again();
    // Nothing but the folder's own files is left behind.
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it(`exactly one of ${RACERS} racing processes wins each round, on a free lock and on a dead holder's lock`, async () => {
    const racers = Array.from({ length: RACERS }, startRacer);
    try {
      for (const racer of racers) expect(await racer.next()).toBe('ready');
      for (let round = 0; round < ROUNDS; round++) {
        const dir = fs.mkdtempSync(path.join(root, `round-${round}-`));
        const stale = round % 2 === 1;
        if (stale) fs.writeFileSync(path.join(dir, LOCK_FILE), `${deadPid()}\n`);
        const at = Date.now() + 300;
        for (const racer of racers) racer.child.stdin!.write(`try ${dir} ${at}\n`);
        const answers = await Promise.all(racers.map((racer) => racer.next()));
        const winners = racers.filter((_, index) => answers[index] === 'won');
        expect({ round, stale, winners: winners.length }).toEqual({ round, stale, winners: 1 });
        expect(answers.filter((answer) => answer !== 'won')).toEqual(Array(RACERS - 1).fill('lost RUN_LOCKED'));
        const winner = winners[0]!;
        expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(`${winner.child.pid}\n`);
        winner.child.stdin!.write('release\n');
        expect(await winner.next()).toBe('released');
        expect(fs.readdirSync(dir)).toEqual([]);
      }
    } finally {
      for (const racer of racers) racer.child.kill();
    }
  });
});
