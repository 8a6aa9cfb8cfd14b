import { afterEach, describe, expect, it } from 'vitest';
import { BatchThreads } from './batch-threads';
import { ScoreError } from './errors';

const entry = new URL('./test-fixtures/sum-thread.ts', import.meta.url);
const open: BatchThreads[] = [];
afterEach(() => {
  for (const threads of open.splice(0)) threads.dispose();
});

async function start(count: number, scale = 2): Promise<BatchThreads> {
  const threads = await BatchThreads.start({ entry, workerData: { scale }, count, name: 'sum thread', model: 'the sum' });
  open.push(threads);
  return threads;
}

/** Each batch's expected values: every sequence's token sum times `scale`. */
function expected(sequences: readonly number[][], batches: readonly number[][], scale: number): Float32Array[] {
  return batches.map((batch) => Float32Array.from(batch, (i) => sequences[i]!.reduce((a, b) => a + b, 0) * scale));
}

describe('BatchThreads', () => {
  const sequences = Array.from({ length: 40 }, (_, i) => Array.from({ length: 1 + (i % 7) }, (_, j) => i + j));
  const batches = Array.from({ length: 10 }, (_, b) => [4 * b, 4 * b + 1, 4 * b + 2, 4 * b + 3]);

  it('computes every batch once, on the workers and the calling thread, whichever takes it', async () => {
    const threads = await start(2);
    expect(threads.size).toBe(2);
    let local = 0;
    const { values, localBatches } = await threads.run(sequences, batches, async (b) => {
      local += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return expected(sequences, [batches[b]!], 2)[0]!;
    });
    expect(values).toEqual(expected(sequences, batches, 2));
    expect(localBatches).toBe(local);
    expect(localBatches + threads.batchesPerWorker.reduce((a, b) => a + b, 0)).toBe(batches.length);
    // Workers only, then the calling thread only.
    expect((await threads.run(sequences, batches, undefined)).values).toEqual(expected(sequences, batches, 2));
    const alone = await threads.run(sequences, batches, async (b) => expected(sequences, [batches[b]!], 3)[0]!, { useWorkers: false });
    expect([alone.values, alone.localBatches]).toEqual([expected(sequences, batches, 3), batches.length]);
  });

  it('fails a job whose batch fails in a worker, naming the thread and the cause; a load failure fails the start', async () => {
    const threads = await start(1);
    const bad = sequences.map((sequence, i) => (i === 13 ? [...sequence, -1] : sequence));
    const error = await threads.run(bad, batches, undefined).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScoreError);
    expect((error as ScoreError).code).toBe('WORKER_FAILED');
    expect((error as Error).message).toBe('A sum thread failed: Error: token -1 in a batch');
    // The thread goes on serving the next job.
    expect((await threads.run(sequences, batches, undefined)).values).toEqual(expected(sequences, batches, 2));
    await expect(start(1, -1)).rejects.toThrow('A sum thread could not load the sum: Error: no model for scale -1');
  });

  it('an aborted signal stops the threads at their next batch', async () => {
    const threads = await start(1);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    // The calling thread takes no batch, and the run ends (the workers stop at their next batch).
    const { localBatches } = await threads.run(sequences, batches, async () => new Float32Array(4), { signal: controller.signal });
    expect(localBatches).toBe(0);
  });
});
