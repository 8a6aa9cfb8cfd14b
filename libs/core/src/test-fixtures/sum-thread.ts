// A BatchThreads worker for batch-threads.test.ts: its "model" is a number (workerData.scale, or a
// load failure when it is negative); a batch's value is each sequence's token sum times it, and a
// token of -1 fails the batch.
import { workerData } from 'node:worker_threads';
import { serveBatchThread } from '../batch-threads';

const data = workerData as { readonly scale: number };

await serveBatchThread(
  async () => {
    if (data.scale < 0) throw new Error(`no model for scale ${data.scale}`);
    return data.scale;
  },
  async (scale, sequences) => {
    if (sequences.some((sequence) => sequence.includes(-1))) throw new Error('token -1 in a batch');
    return Float32Array.from(sequences, (sequence) => sequence.reduce((sum, token) => sum + token, 0) * scale);
  },
  () => undefined,
);
