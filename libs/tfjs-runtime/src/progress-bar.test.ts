import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressBar } from './progress-bar';

describe('createProgressBar', () => {
  it('draws the task, epoch, rows, loss, rows/s and validation figure', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const bar = createProgressBar({ stream, forceOutput: true });
    bar.onProgress({ task: 'crm.sasrec.train', done: 512, total: 1024, unit: 'rows', epoch: 1, metrics: { loss: 0.5, rowsPerSecond: 2048 } });
    bar.onProgress({ task: 'crm.sasrec.train', done: 1024, total: 1024, unit: 'rows', epoch: 1, metrics: { loss: 0.25, rowsPerSecond: 4000, validAuc: 0.71 }, finished: true });
    bar.stop();
    expect(text).toContain('crm.sasrec.train epoch 1');
    expect(text).toContain('512/1024 rows  loss 0.5000  2048 rows/s');
    expect(text).toContain('1024/1024 rows  loss 0.2500  4000 rows/s  validAuc 0.7100');
  });
});
