import { monitorEventLoopDelay, performance as perf } from 'node:perf_hooks';
import { loadDataset } from '@score/data';
import { initTensorflow } from '@score/tfjs-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunScoringService, type RunScoringService } from './run-scoring-service';
import type { ScoreResult } from './scoring-service';
import { startServer, type RunningServer } from './server';
import { writeRecStage } from './test-fixtures/rec-stage';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

// Issue 18.1: a 256-pair batch scored by the run's in-process (TensorFlow.js) LM must not block
// the event loop, and --timeout-ms must answer 504 and cancel the work left.
let run: TestRun;
let service: RunScoringService;
let server: RunningServer;
let requests: { userId: string; itemId: string }[];

beforeAll(async () => {
  await initTensorflow();
  run = await createTestRun();
  // Large enough that one batch of 16 prompts takes about a second on one core.
  await writeRecStage(run.runDir, { hiddenSize: 64, intermediateSize: 128, numLayers: 2 });
  service = await createRunScoringService({ runDir: run.runDir, llm: 'inprocess', workers: 2 });
  server = await startServer({ service, port: 0, timeoutMs: 1500 });
  const dataset = await loadDataset(run.runDir);
  const items = [...dataset.items.keys()];
  requests = Array.from({ length: 256 }, (_, index) => ({ userId: dataset.users[index % dataset.users.length]!, itemId: items[(index * 7) % items.length]! }));
}, 60_000);

afterAll(async () => {
  await server?.close();
  await service?.dispose();
  run?.remove();
});

async function idle(scoring: RunScoringService): Promise<void> {
  while ((scoring.stats.workers?.running ?? 0) > 0 || (scoring.stats.workers?.queued ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('scoring on worker threads', () => {
  it('keeps /healthz answering during a 256-pair batch, and the timeout answers 504 and cancels the rest', async () => {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const utilizationStart = perf.eventLoopUtilization();
    let batchSettled = false;
    const started = performance.now();
    const batch = fetch(`${server.url}/v1/score/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests }) }).then(async (response) => {
      batchSettled = true;
      return { status: response.status, body: (await response.json()) as { error: { code: string } }, ms: performance.now() - started };
    });
    while (service.stats.lm.calls === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const healthStart = performance.now();
    const health = await fetch(`${server.url}/healthz`);
    const healthMs = performance.now() - healthStart;
    expect(health.status).toBe(200);
    expect(batchSettled).toBe(false);
    const answered = await batch;
    delay.disable();
    const utilization = perf.eventLoopUtilization(utilizationStart).utilization;
    console.info(
      `healthz ${healthMs.toFixed(1)} ms during the batch; batch answered ${answered.status} after ${answered.ms.toFixed(0)} ms; event loop busy ${(utilization * 100).toFixed(0)}% of the time, longest delay ${(delay.max / 1e6).toFixed(1)} ms`,
    );
    expect([answered.status, answered.body.error.code]).toEqual([504, 'TIMEOUT']);
    // Scored on the event loop, the loop is busy nearly all the time (one 16-prompt call blocks it for
    // about a second); in the workers it mostly waits. (Busy time, unlike delays, does not grow when
    // other processes take the cores.)
    expect(utilization).toBeLessThan(0.7);
    // The prompts still queued when the request timed out were never scored.
    await idle(service);
    const scored = service.stats.lm.prompts;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(service.stats.lm.prompts).toBe(scored);
    expect(scored).toBeLessThan(256);
  }, 50_000);

  it('scores a batch in one worker job per chunk of pairs, and the workers write its JSON', async () => {
    await idle(service);
    const pairs = requests.slice(0, 40);
    const jobs = service.stats.workers!.completed;
    const lm = service.stats.lm;
    const json = await service.scoreBatchJson!(pairs);
    // 40 pairs in LM batches of 16: 3 chunks of 14, 13 and 13 pairs, one job and one LM call each
    // (pair by pair it was a retrieval, a reranking and a prompt per pair and a job per LM batch: 123).
    expect(service.stats.workers!.completed - jobs).toBe(3);
    expect([service.stats.lm.calls - lm.calls, service.stats.lm.prompts - lm.prompts]).toEqual([3, 40]);
    // The bytes are what c.json writes for scoreBatch's results (the timings aside, which differ per call).
    const text = Buffer.from(json).toString('utf8');
    const sent = JSON.parse(text) as { results: ScoreResult[] };
    expect(text).toBe(JSON.stringify({ results: sent.results }));
    const untimed = (results: readonly ScoreResult[]) => results.map(({ timingsMs: _, ...rest }) => rest);
    expect(untimed(sent.results)).toEqual(untimed(await service.scoreBatch(pairs)));
    expect(service.stats.workers!.completed - jobs).toBe(6);
    // ... and the in-process service scores the pairs the same way.
    const local = await createRunScoringService({ runDir: run.runDir, llm: 'inprocess' });
    try {
      const direct = await local.scoreBatch(pairs.slice(0, 6));
      expect(sent.results.slice(0, 6).map((result) => result.prompt)).toEqual(direct.map((result) => result.prompt));
      expect(sent.results.slice(0, 6).map((result) => result.similarUsers)).toEqual(direct.map((result) => result.similarUsers));
      for (const [index, result] of direct.entries()) expect(sent.results[index]!.probability).toBeCloseTo(result.probability, 5);
    } finally {
      await local.dispose();
    }
  }, 60_000);

  it('scores as the in-process service does', async () => {
    const local = await createRunScoringService({ runDir: run.runDir, llm: 'inprocess' });
    try {
      const request = requests[3]!;
      const [pooled, direct] = [await service.score(request), await local.score(request)];
      expect(pooled.prompt).toBe(direct.prompt);
      expect(pooled.probability).toBeCloseTo(direct.probability, 5);
      expect(pooled.similarUsers.map((user) => user.userId)).toEqual(direct.similarUsers.map((user) => user.userId));
    } finally {
      await local.dispose();
    }
  });

  it('with a llama.cpp model, workers retrieve and rerank and the model is loaded once, on the calling thread', async () => {
    const local = await createRunScoringService({ runDir: run.runDir, llm: run.llm, llmOverrides: run.llmOverrides });
    const pooled = await createRunScoringService({ runDir: run.runDir, llm: run.llm, llmOverrides: run.llmOverrides, workers: 1 });
    try {
      const request = requests[5]!;
      const [fromPool, direct] = [await pooled.score(request), await local.score(request)];
      expect(fromPool.prompt).toBe(direct.prompt);
      expect(fromPool.probability).toBeCloseTo(direct.probability, 4);
      // One retrieval and one reranking ran in the worker; the prompt was scored on this thread.
      expect(pooled.stats.workers?.completed).toBe(2);
      expect(pooled.stats.lm.prompts).toBe(1);
    } finally {
      await pooled.dispose();
      await local.dispose();
    }
    await expect(createRunScoringService({ runDir: run.runDir, workers: 1, loaders: {} })).rejects.toThrow(/workers.*custom loaders/);
    await expect(createRunScoringService({ runDir: run.runDir, llm: 'llamacpp:/nonexistent/model.gguf', workers: 1 })).rejects.toThrow(/nonexistent/);
  }, 45_000);
});
