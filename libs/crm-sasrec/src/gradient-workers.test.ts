import { InvalidOptionError, createRandom } from '@score/core';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { GradientWorkerError } from './errors';
import { SasrecGradientWorkers } from './gradient-workers';
import { AUTO_WORKERS_MIN_ROWS } from './options';
import { SasrecNetwork } from './sasrec-network';
import { createSasrec } from './sasrec';
import { makeSequentialDataset } from './test-fixtures/in-memory-dataset';

// Three epochs over ~220 rows at batch 64: each batch (including the short last one) is split
// into shards of 22 / 22 / 20 rows with 3 workers.
const tiny = { hiddenSize: 8, blocks: 2, heads: 2, maxHistory: 5, epochs: 3, patience: 5, batchSize: 64, seed: 5 } as const;
const inputs = [
  { history: ['i1', 'i2', 'i3'], itemId: 'i4' },
  { history: [], itemId: 'i5' },
  { history: ['i9', 'i8', 'i7', 'i6'], itemId: 'i2' },
];

describe('gradient workers', () => {
  it('validates the worker count and leaves it out of the checkpoint config', async () => {
    expect(createSasrec().options.workers).toBe('auto');
    expect(() => createSasrec({ workers: 0 })).toThrow(InvalidOptionError);
    expect(() => createSasrec({ workers: 1.5 })).toThrow(/"sasrec.workers": must be "auto" or an integer in \[1, 64\], got 1.5/);
    expect(() => createSasrec({ workers: 'two' as never })).toThrow(/"sasrec.workers"/);
    expect(createSasrec().options.gradientChunkRows).toBe(256);
    expect(() => createSasrec({ gradientChunkRows: 0 })).toThrow(/"sasrec.gradientChunkRows"/);
    // "auto" trains small epochs in the calling thread.
    expect(createSasrec().workerCount(AUTO_WORKERS_MIN_ROWS - 1)).toBe(1);
    expect(createSasrec({ workers: 3 }).workerCount(10)).toBe(3);
    await initTensorflow();
    const model = createSasrec({ ...tiny, epochs: 1, workers: 1 });
    await model.fit(makeSequentialDataset({ users: 10, items: 12, rowsPerUser: 10 }));
    expect(model.config().options).not.toHaveProperty('workers');
    expect(model.config().options).not.toHaveProperty('gradientChunkRows');
    expect(model.config().options).toMatchObject({ hiddenSize: 8, seed: 5 });
    model.dispose();
  });

  it('gives the single-thread loss trajectory and scores (CTR, no dropout; whole shards and chunked ones), frees every tensor and stops its threads', async () => {
    await initTensorflow();
    const dataset = makeSequentialDataset({ users: 30, items: 25, rowsPerUser: 12, seed: 4 });
    const threadResources = () => process.getActiveResourcesInfo().filter((name) => name === 'MessagePort' || name === 'Worker').length;
    const resourcesBefore = threadResources();
    const before = tf.memory().numTensors;
    const single = createSasrec({ ...tiny, dropout: 0, workers: 1 });
    const singleReport = await single.fit(dataset);
    const singleLosses = singleReport.history.map((epoch) => epoch.loss);
    expect(singleLosses[2]).toBeLessThan(singleLosses[0]!);
    const singleScores = await single.scoreRows(inputs);
    // Shards of 22 / 22 / 20 rows in one pass each, then in chunks of 7 / 7 / 7 / 1 and 7 / 7 / 6;
    // then in this thread, 64-row batches in chunks of 7.
    for (const [workers, gradientChunkRows] of [[3, 256], [3, 7], [1, 7]] as const) {
      const parallel = createSasrec({ ...tiny, dropout: 0, workers, gradientChunkRows });
      const parallelReport = await parallel.fit(dataset);
      expect(parallelReport.epochs).toBe(3);
      parallelReport.history.forEach((epoch, i) => expect(epoch.loss).toBeCloseTo(singleLosses[i]!, 4));
      const parallelScores = await parallel.scoreRows(inputs);
      parallelScores.forEach((score, i) => expect(score).toBeCloseTo(singleScores[i]!, 4));
      parallel.dispose();
    }
    single.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // The worker threads were terminated when fit returned: nothing keeps the process alive.
    expect(threadResources()).toBe(resourcesBefore);
  });

  it('weights next-item chunks by their target positions (chunked passes, in workers or in this thread, give the one-pass trajectory)', async () => {
    await initTensorflow();
    // Users like different numbers of train items: chunks hold different numbers of targets.
    const dataset = makeSequentialDataset({ users: 24, items: 20, rowsPerUser: 12, seed: 8 });
    const options = { ...tiny, objective: 'next-item', dropout: 0, epochs: 2, batchSize: 16 } as const;
    const single = createSasrec({ ...options, workers: 1 });
    const singleReport = await single.fit(dataset);
    const singleScores = await single.scoreRows(inputs);
    for (const workers of [2, 1]) {
      const chunked = createSasrec({ ...options, workers, gradientChunkRows: 3 });
      const chunkedReport = await chunked.fit(dataset);
      chunkedReport.history.forEach((epoch, i) => expect(epoch.loss).toBeCloseTo(singleReport.history[i]!.loss, 4));
      const chunkedScores = await chunked.scoreRows(inputs);
      chunkedScores.forEach((score, i) => expect(score).toBeCloseTo(singleScores[i]!, 4));
      chunked.dispose();
    }
    single.dispose();
  });

  it('is deterministic for a seed and worker count with dropout (next-item objective)', async () => {
    await initTensorflow();
    const dataset = makeSequentialDataset({ users: 30, items: 25, rowsPerUser: 12, seed: 6 });
    const options = { ...tiny, objective: 'next-item', epochs: 2, batchSize: 8, workers: 2 } as const;
    const first = createSasrec(options);
    const firstReport = await first.fit(dataset);
    const second = createSasrec(options);
    const secondReport = await second.fit(dataset);
    expect(firstReport.history[0]!.loss).toBeGreaterThan(0);
    expect(secondReport.history.map((epoch) => epoch.loss)).toEqual(firstReport.history.map((epoch) => epoch.loss));
    expect(Array.from(await second.scoreRows(inputs))).toEqual(Array.from(await first.scoreRows(inputs)));
    first.dispose();
    second.dispose();
  });

  it('reports a failing shard as a GradientWorkerError naming the worker and the cause', async () => {
    await initTensorflow();
    const architecture = { itemCount: 6, hiddenSize: 4, blocks: 1, heads: 1, maxHistory: 3, dropout: 0, layerNormEpsilon: 1e-8 };
    const network = new SasrecNetwork(architecture, createRandom(1));
    const pool = await SasrecGradientWorkers.create({ count: 2, architecture, variables: network.variables, backend: 'wasm', chunkRows: 256, seed: 1 });
    const payload = { kind: 'ctr', count: 2, histories: Int32Array.from([0, 1, 2, 0, 0, 3]), targets: Int32Array.from([4, 99]), labels: Float32Array.from([1, 0]) } as const;
    try {
      // Row 1 (worker 1's shard) targets item 99 of a 6-item table.
      expect(() => tf.tidy(() => pool.gradients(payload).value)).toThrow(GradientWorkerError);
      expect(() => tf.tidy(() => pool.gradients({ ...payload, targets: Int32Array.from([99, 4]) }).value)).toThrow(/gradient worker 0 failed: step 2: RangeError: embeddingLookup: index 99 is outside the table/);
    } finally {
      await pool.close();
      network.dispose();
    }
    expect(() => pool.gradients(payload)).toThrow(/already closed/);
  });
});
