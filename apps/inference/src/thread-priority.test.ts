import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { lowerOtherThreadsPriority } from './worker-pool';

const linux = fs.existsSync('/proc/self/task');

describe.runIf(linux)('lowerOtherThreadsPriority', () => {
  it('lowers every other thread of the process by the given steps and leaves the calling thread as it was', () => {
    const self = Number.parseInt(fs.readlinkSync('/proc/thread-self').split('/').at(-1)!, 10);
    const before = os.getPriority(self);
    const others = () => fs.readdirSync('/proc/self/task').map(Number).filter((id) => id !== self);
    expect(others().length).toBeGreaterThan(0); // V8's and libuv's threads
    const lowered = lowerOtherThreadsPriority(3);
    expect(lowered).toBeGreaterThan(0);
    expect(os.getPriority(self)).toBe(before);
    for (const id of others()) {
      let nice: number;
      try {
        nice = os.getPriority(id);
      } catch {
        continue; // ended meanwhile
      }
      expect(nice, `thread ${id}`).toBeGreaterThanOrEqual(Math.min(19, before + 3));
    }
    // Threads already at that level are left alone.
    expect(lowerOtherThreadsPriority(3)).toBe(0);
  });
});
