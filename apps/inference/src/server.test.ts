import { loadDataset } from '@score/data';
import type { Logger } from '@score/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeferredScoringService } from './deferred-scoring-service';
import { createIdentityReranker } from './identity-reranker';
import { createOverlapRetriever } from './overlap-retriever';
import { createRunScoringService, createScoringService, type RunScoringService } from './run-scoring-service';
import type { ScoringService } from './scoring-service';
import { startServer, type RunningServer } from './server';
import { RecordingModel } from './test-fixtures/recording-model';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

function memoryLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The fields of the JSON responses these tests read. */
interface ResponseBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
  readonly probability: number;
  readonly prompt: string;
  readonly similarUsers: readonly unknown[];
  readonly timingsMs: Readonly<Record<string, number>>;
  readonly results: readonly { readonly similarUsers: readonly unknown[] }[];
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as ResponseBody };
}

let run: TestRun;
let service: RunScoringService;
let server: RunningServer;
const logs: LogLine[] = [];
let userId: string;
let itemId: string;

beforeAll(async () => {
  run = await createTestRun();
  service = await createRunScoringService({ runDir: run.runDir, llm: run.llm, llmOverrides: run.llmOverrides });
  server = await startServer({ service, port: 0, logger: memoryLogger(logs), bodyLimitBytes: 4096 });
  const row = (await loadDataset(run.runDir)).split('test')[0];
  userId = row.userId;
  itemId = row.itemId;
});

afterAll(async () => {
  await server?.close();
  await service?.dispose();
  run?.remove();
});

describe('the HTTP service on a real server (tiny llama.cpp model)', () => {
  it('answers health, readiness and items', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    const item = await fetch(`${server.url}/v1/items/${itemId}`);
    expect(await item.json()).toEqual(service.item(itemId));
  });

  it('scores a pair, echoes the request id and logs one line per request', async () => {
    const response = await post(`${server.url}/v1/score`, { userId, itemId }, { 'x-request-id': 'req-42' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-42');
    const direct = await service.score({ userId, itemId });
    // llama.cpp reuses the evaluated prefix on a repeat, which moves logits in the last digits.
    expect(response.body.probability).toBeCloseTo(direct.probability, 2);
    expect(response.body.prompt).toBe(direct.prompt);
    expect(response.body.similarUsers).toEqual(direct.similarUsers);
    expect(Object.keys(response.body.timingsMs).sort()).toEqual(['lm', 'rerank', 'retrieve', 'total']);
    const line = logs.find((entry) => entry.message === 'request' && entry.fields?.requestId === 'req-42');
    expect(line?.fields).toMatchObject({ method: 'POST', path: '/v1/score', status: 200 });
    expect(typeof line?.fields?.durationMs).toBe('number');
    const generated = await fetch(`${server.url}/healthz`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('scores batches and retrieves similar users', async () => {
    const batch = await post(`${server.url}/v1/score/batch`, { requests: [{ userId, itemId }, { userId, itemId, ks: 1 }] });
    expect(batch.status).toBe(200);
    expect(batch.body.results).toHaveLength(2);
    expect(batch.body.results[1].similarUsers).toHaveLength(1);
    const retrieved = await post(`${server.url}/v1/retrieve`, { userId, itemId, ks: 3 });
    expect(retrieved.status).toBe(200);
    expect(retrieved.body.similarUsers).toEqual(await service.retrieve({ userId, itemId, ks: 3 }));
  });

  it('answers 400 naming the field for invalid bodies', async () => {
    const cases: [unknown, string][] = [
      [{ userId }, 'itemId'],
      [{ userId, history: ['1'], itemId }, 'userId'],
      [{ userId, itemId, ks: 11 }, 'ks'],
      [{ history: ['1', 2], itemId }, 'history[1]'],
      [{ userId, itemId, colour: 'red' }, 'colour'],
      [{ userId, item: { name: 'x' } }, 'item.title'],
      ['{not json', 'body'],
    ];
    for (const [body, field] of cases) {
      const response = await post(`${server.url}/v1/score`, body);
      expect([response.status, response.body.error.field, response.body.error.code]).toEqual([400, field, 'INVALID_REQUEST']);
      expect(response.body.error.message).toContain(`"${field}"`);
    }
    const batch = await post(`${server.url}/v1/score/batch`, { requests: [{ userId, itemId }, { userId, itemId, ks: 0 }] });
    expect([batch.status, batch.body.error.field]).toEqual([400, 'requests[1].ks']);
    const empty = await post(`${server.url}/v1/score/batch`, { requests: [] });
    expect([empty.status, empty.body.error.field]).toEqual([400, 'requests']);
  });

  it('answers 404 for unknown users, items and routes, and 413 for large bodies', async () => {
    const user = await post(`${server.url}/v1/score`, { userId: 'nobody', itemId });
    expect([user.status, user.body.error.code, user.body.error.field]).toEqual([404, 'UNKNOWN_ID', 'userId']);
    expect(user.body.error.message).toContain('"nobody"');
    const item = await post(`${server.url}/v1/retrieve`, { userId, itemId: 'missing' });
    expect([item.status, item.body.error.field]).toEqual([404, 'itemId']);
    const batchItem = await post(`${server.url}/v1/score/batch`, { requests: [{ userId, itemId }, { history: ['missing'], itemId }] });
    expect([batchItem.status, batchItem.body.error.field]).toEqual([404, 'requests[1].history[0]']);
    const catalogue = await fetch(`${server.url}/v1/items/missing`);
    expect([catalogue.status, ((await catalogue.json()) as ResponseBody).error.field]).toEqual([404, 'id']);
    const route = await fetch(`${server.url}/v2/nothing`);
    expect([route.status, ((await route.json()) as ResponseBody).error.code]).toEqual([404, 'NOT_FOUND']);
    expect(logs.find((entry) => entry.fields?.path === '/v2/nothing')?.fields).toMatchObject({ method: 'GET', status: 404 });
    expect(logs.find((entry) => entry.fields?.path === '/v1/score' && entry.fields?.status === 400)).toBeDefined();
    const large = await post(`${server.url}/v1/score`, { userId, itemId, padding: 'x'.repeat(5000) });
    expect([large.status, large.body.error.code]).toEqual([413, 'BODY_TOO_LARGE']);
  });
});

describe('readiness, timeouts and graceful shutdown', () => {
  async function gatedService() {
    const dataset = await loadDataset(run.runDir);
    const model = new RecordingModel();
    const scoring = createScoringService({ dataset, retriever: createOverlapRetriever(dataset), reranker: createIdentityReranker(), languageModel: model });
    return { model, scoring };
  }

  it('answers 503 until the service has loaded', async () => {
    let finish!: (service: ScoringService) => void;
    const deferred = createDeferredScoringService(new Promise<ScoringService>((resolve) => (finish = resolve)));
    const pending = await startServer({ service: deferred, port: 0 });
    try {
      expect((await fetch(`${pending.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${pending.url}/readyz`);
      expect([ready.status, ((await ready.json()) as ResponseBody).error.code]).toEqual([503, 'NOT_READY']);
      const score = await post(`${pending.url}/v1/score`, { userId, itemId });
      expect([score.status, score.body.error.code]).toEqual([503, 'NOT_READY']);
      expect((await fetch(`${pending.url}/v1/items/${itemId}`)).status).toBe(503);
      const { scoring } = await gatedService();
      finish(scoring);
      await deferred.settled;
      expect((await fetch(`${pending.url}/readyz`)).status).toBe(200);
      expect((await post(`${pending.url}/v1/score`, { userId, itemId })).status).toBe(200);
    } finally {
      await pending.close();
      await deferred.dispose();
    }
  });

  it('answers 504 past the request timeout', async () => {
    const { model, scoring } = await gatedService();
    model.gate = new Promise(() => {});
    const slow = await startServer({ service: scoring, port: 0, timeoutMs: 100 });
    try {
      const response = await post(`${slow.url}/v1/score`, { userId, itemId });
      expect([response.status, response.body.error.code]).toEqual([504, 'TIMEOUT']);
      expect(response.body.error.message).toContain('100 ms');
    } finally {
      await slow.close();
      await scoring.dispose();
    }
  });

  it('finishes in-flight requests on close and refuses new connections', async () => {
    const { model, scoring } = await gatedService();
    let open!: () => void;
    model.gate = new Promise((resolve) => (open = resolve));
    const running = await startServer({ service: scoring, port: 0 });
    const inFlight = post(`${running.url}/v1/score`, { userId, itemId });
    while (model.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    let closed = false;
    const closing = running.close().then(() => (closed = true));
    await expect(fetch(`${running.url}/healthz`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    expect(closed).toBe(false);
    open();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body.probability).toBeCloseTo(RecordingModel.expected(response.body.prompt).probability, 10);
    await closing;
    expect(closed).toBe(true);
    expect(running.server.listening).toBe(false);
    await scoring.dispose();
    expect(model.disposed).toBe(true);
  });
});
