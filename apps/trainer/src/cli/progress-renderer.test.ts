import { describe, expect, it } from 'vitest';
import { createProgressRenderer } from './progress-renderer';

/** A terminal-like stream that keeps what was written. */
function terminal(isTTY: boolean) {
  let text = '';
  const stream = { isTTY, columns: 160, write: (chunk: string) => ((text += chunk), true), on: () => stream, removeListener: () => stream } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

describe('createProgressRenderer with tasks running at once (rec.workers)', () => {
  it('draws one task\'s bar at a time on a terminal: the other task\'s bar starts once the first ends', () => {
    const out = terminal(true);
    const render = createProgressRenderer({ stream: out.stream, interactive: true });
    render({ task: 'rec.basic', done: 8, total: 32, unit: 'rows', epoch: 1 });
    render({ task: 'rec.cf', done: 8, total: 32, unit: 'rows', epoch: 1 });
    render({ task: 'rec.basic', done: 16, total: 32, unit: 'rows', epoch: 1 });
    render({ task: 'rec.cf', done: 16, total: 32, unit: 'rows', epoch: 1 });
    expect(out.text()).toContain('rec.basic epoch 1 [');
    expect(out.text()).not.toContain('rec.cf');
    render({ task: 'rec.basic', done: 1, total: 1, unit: 'epochs', epoch: 1, finished: true });
    render({ task: 'rec.cf', done: 24, total: 32, unit: 'rows', epoch: 1 });
    expect(out.text()).toContain('rec.cf epoch 1 [');
    // The same task's next epoch is not held back by its own earlier bar.
    render({ task: 'rec.cf', done: 8, total: 32, unit: 'rows', epoch: 2 });
    expect(out.text()).toContain('rec.cf epoch 2 [');
    render.stop();
  });

  it('prints every task\'s own lines when the stream is not a terminal', () => {
    const out = terminal(false);
    const render = createProgressRenderer({ stream: out.stream, interactive: false, lineEveryPercent: 50 });
    for (const done of [16, 32]) for (const task of ['rec.basic', 'rec.cf']) render({ task, done, total: 32, unit: 'rows', epoch: 1 });
    const lines = out.text().trim().split('\n');
    expect(lines.map((line) => line.replace(/ \(.*$/, ''))).toEqual(['rec.basic epoch 1: 16/32 rows', 'rec.cf epoch 1: 16/32 rows', 'rec.basic epoch 1: 32/32 rows', 'rec.cf epoch 1: 32/32 rows']);
  });
});
