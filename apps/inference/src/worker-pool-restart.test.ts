import { describe, expect, it } from 'vitest';
import { WorkerPool } from './worker-pool';

const entry = new URL('./test-fixtures/crash-worker.ts', import.meta.url);

describe('WorkerPool restarts', () => {
  it('replaces a worker that dies: its job fails with WORKER_FAILED, queued jobs run on the replacement', async () => {
    const pool = new WorkerPool({ entry, size: 1, workerData: {} });
    try {
      await pool.ready();
      expect(await pool.run('echo', 1)).toBe(1);
      const crashed = pool.run('crash', null);
      const queued = pool.run('echo', 2);
      await expect(crashed).rejects.toMatchObject({ code: 'WORKER_FAILED' });
      expect(await queued).toBe(2);
      expect(pool.stats).toMatchObject({ restarts: 1, queued: 0, running: 0 });
      expect(await pool.run('echo', 3)).toBe(3);
    } finally {
      await pool.dispose();
    }
  }, 30_000);

  it('stops replacing after maxRestarts, then fails every job with the worker error', async () => {
    const pool = new WorkerPool({ entry, size: 1, workerData: {}, maxRestarts: 1 });
    try {
      await pool.ready();
      await expect(pool.run('crash', null)).rejects.toMatchObject({ code: 'WORKER_FAILED' });
      expect(await pool.run('echo', 'after one restart')).toBe('after one restart');
      await expect(pool.run('crash', null)).rejects.toMatchObject({ code: 'WORKER_FAILED' });
      expect(pool.stats.restarts).toBe(1);
      await expect(pool.run('echo', 4)).rejects.toMatchObject({ code: 'WORKER_FAILED' });
    } finally {
      await pool.dispose();
    }
  }, 30_000);

  it('keeps serving on the other workers while one is replaced', async () => {
    const pool = new WorkerPool({ entry, size: 2, workerData: {} });
    try {
      await pool.ready();
      const slow = pool.run('slow', 300);
      await expect(pool.run('crash', null)).rejects.toMatchObject({ code: 'WORKER_FAILED' });
      const answers = await Promise.all([slow, ...Array.from({ length: 6 }, (_, index) => pool.run('echo', index))]);
      expect(answers).toEqual(['slow done', 0, 1, 2, 3, 4, 5]);
      expect(pool.stats.restarts).toBe(1);
    } finally {
      await pool.dispose();
    }
  }, 30_000);

  it('does not replace a worker that fails to load: ready() rejects with its error', async () => {
    const pool = new WorkerPool({ entry, size: 1, workerData: { failLoad: true } });
    await expect(pool.ready()).rejects.toMatchObject({ code: 'ARTIFACT_NOT_FOUND', message: expect.stringContaining('no model here') });
    await expect(pool.run('echo', 1)).rejects.toMatchObject({ code: 'WORKER_FAILED' });
    expect(pool.stats.restarts).toBe(0);
    await pool.dispose();
  }, 30_000);

  it('rejects a negative maxRestarts, naming the field', () => {
    expect(() => new WorkerPool({ entry, size: 1, workerData: {}, maxRestarts: -1 })).toThrow(/maxRestarts.*an integer of at least 0, got -1/);
  });
});
