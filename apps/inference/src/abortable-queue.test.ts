import { describe, expect, it } from 'vitest';
import { type AbortableEntry, enqueueAbortable, forgetAbort } from './abortable-queue';

interface Entry extends AbortableEntry {
  readonly name: string;
}

describe('enqueueAbortable', () => {
  it('takes a waiting entry out of the queue and rejects it with the reason when its signal aborts', () => {
    const queue: Entry[] = [];
    const rejected: unknown[] = [];
    let cancelled = 0;
    const controller = new AbortController();
    enqueueAbortable(queue, undefined, (onAbort) => ({ name: 'a', reject: (reason) => rejected.push(reason), onAbort, queuedAt: 0 }));
    enqueueAbortable(queue, controller.signal, (onAbort) => ({ name: 'b', reject: (reason) => rejected.push(reason), signal: controller.signal, onAbort, queuedAt: 0 }), () => (cancelled += 1));
    enqueueAbortable(queue, undefined, (onAbort) => ({ name: 'c', reject: (reason) => rejected.push(reason), onAbort, queuedAt: 0 }));
    expect(queue.map((entry) => entry.name)).toEqual(['a', 'b', 'c']);
    controller.abort(new Error('client went away'));
    expect(queue.map((entry) => entry.name)).toEqual(['a', 'c']);
    expect(rejected).toEqual([new Error('client went away')]);
    expect(cancelled).toBe(1);
  });

  it('leaves an entry that left the queue alone (forgetAbort drops the listener)', () => {
    const queue: Entry[] = [];
    const rejected: unknown[] = [];
    const controller = new AbortController();
    enqueueAbortable(queue, controller.signal, (onAbort) => ({ name: 'a', reject: (reason) => rejected.push(reason), signal: controller.signal, onAbort, queuedAt: 0 }));
    const running = queue.shift()!;
    forgetAbort(running);
    controller.abort(new Error('late'));
    expect(rejected).toEqual([]);
    expect(queue).toEqual([]);
  });
});
