import type { Logger } from '@score/core';
import { loadDataset } from '@score/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInferProgram } from './infer-program';
import { createRunScoringService } from './run-scoring-service';
import { createServeProgram, serve, type ServeHandle } from './serve-program';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

let run: TestRun;
let userId: string;
let itemId: string;
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  run = await createTestRun();
  const row = (await loadDataset(run.runDir)).split('test')[1];
  userId = row.userId;
  itemId = row.itemId;
});

afterAll(() => run?.remove());

const llmFlags = () => ['--llm', run.llm, '--llm-threads', '1', '--llm-context', '4096'];

describe('score-infer score', () => {
  it('prints the JSON of /v1/score for one pair', async () => {
    const output: string[] = [];
    await createInferProgram({ write: (text) => output.push(text) })
      .exitOverride()
      .parseAsync(['node', 'score-infer', 'score', '--run', run.runDir, '--user', userId, '--item', itemId, '--ks', '1', ...llmFlags()]);
    expect(output).toHaveLength(1);
    const printed = JSON.parse(output[0]);
    const service = await createRunScoringService({ runDir: run.runDir, llm: run.llm, llmOverrides: run.llmOverrides });
    try {
      const expected = await service.score({ userId, itemId, ks: 1 });
      expect(printed.prompt).toBe(expected.prompt);
      expect(printed.similarUsers).toEqual(expected.similarUsers);
      expect(printed.probability).toBeCloseTo(expected.probability, 6);
      expect(Object.keys(printed).sort()).toEqual(['logits', 'probability', 'prompt', 'similarUsers', 'timingsMs']);
    } finally {
      await service.dispose();
    }
  });

  it('rejects unknown ids and conflicting flags', async () => {
    const program = () => createInferProgram({ write: () => {} }).exitOverride();
    await expect(program().parseAsync(['node', 'score-infer', 'score', '--run', run.runDir, '--user', 'nobody', '--item', itemId, ...llmFlags()])).rejects.toMatchObject({
      kind: 'user',
      field: 'userId',
    });
    await expect(program().parseAsync(['node', 'score-infer', 'score', '--run', run.runDir, '--item', itemId])).rejects.toMatchObject({ field: '--user' });
  });
});

describe('score-serve', () => {
  // --workers 0: worker threads (each compiling the sources through tsx here) are tested in worker-pool.test.ts.
  it('listens at once, becomes ready after loading, serves and shuts down', async () => {
    let handle: ServeHandle | undefined;
    await createServeProgram({ logger: silent, handleSignals: false, onStarted: (started) => (handle = started) })
      .exitOverride()
      .parseAsync(['node', 'score-serve', '--run', run.runDir, '--port', '0', '--workers', '0', ...llmFlags()]);
    expect(handle).toBeDefined();
    const { server } = handle!;
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await handle!.loaded).toBe(true);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const response = await fetch(`${server.url}/v1/score`, { method: 'POST', body: JSON.stringify({ userId, itemId }), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { probability: number }).probability).toBeGreaterThan(0);
    await handle!.shutdown();
    expect(server.server.listening).toBe(false);
  });

  it('shuts down when the run fails to load', async () => {
    const lines: string[] = [];
    const logger: Logger = { ...silent, error: (message) => void lines.push(message) };
    const handle = await serve(
      { run: `${run.runDir}-missing`, llm: run.llm, port: 0, host: '127.0.0.1', timeoutMs: 1000, bodyLimit: 1024, batchSize: 4, batchWindowMs: 1, logLevel: 'silent' },
      { logger },
    );
    expect(await handle.loaded).toBe(false);
    expect(lines).toEqual(['the run failed to load']);
    expect(handle.server.server.listening).toBe(false);
  });

  it('rejects bad flags', async () => {
    const program = createServeProgram({ logger: silent, handleSignals: false }).exitOverride().configureOutput({ writeErr: () => {} });
    await expect(program.parseAsync(['node', 'score-serve', '--run', run.runDir, '--port', '70000'])).rejects.toThrow('Invalid "--port": must be an integer from 0 to 65535, got 70000.');
  });
});
