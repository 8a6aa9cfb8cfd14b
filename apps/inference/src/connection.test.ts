import http from 'node:http';
import { loadDataset } from '@score/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityReranker } from './identity-reranker';
import { createOverlapRetriever } from './overlap-retriever';
import { createScoringService, type RunScoringService } from './run-scoring-service';
import { startServer } from './server';
import { RecordingModel } from './test-fixtures/recording-model';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

// Issue 18.6: answers that leave the body unread close the connection, and a shutdown answers
// requests on kept-alive sockets 503 with Connection: close instead of resetting them.
let run: TestRun;
let service: RunScoringService;
let body: string;

beforeAll(async () => {
  run = await createTestRun();
  const dataset = await loadDataset(run.runDir);
  service = createScoringService({ dataset, retriever: createOverlapRetriever(dataset), reranker: createIdentityReranker(), languageModel: new RecordingModel() });
  body = JSON.stringify({ userId: dataset.users[0], itemId: [...dataset.items.keys()][0] });
});

afterAll(async () => {
  await service?.dispose();
  run?.remove();
});

interface Outcome {
  readonly status?: number;
  readonly connection?: string;
  readonly error?: string;
}

/** One POST through a keep-alive agent; network errors are returned by code, not thrown. */
function post(agent: http.Agent, url: string, path: string, payload: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const request = http.request(`${url}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode, connection: response.headers.connection }));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    request.end(payload);
  });
}

describe('connections', () => {
  it('sends Connection: close with a 413 and with answers that leave the body unread; the next pooled request works', async () => {
    const server = await startServer({ service, port: 0, bodyLimitBytes: 4096, drainMs: 100 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const large = await post(agent, server.url, '/v1/score', JSON.stringify({ padding: 'x'.repeat(200_000) }));
      expect(large).toEqual({ status: 413, connection: 'close' });
      expect(await post(agent, server.url, '/v1/score', body)).toEqual({ status: 200, connection: 'keep-alive' });
      const unknownRoute = await post(agent, server.url, '/v2/nothing', JSON.stringify({ padding: 'y'.repeat(100_000) }));
      expect(unknownRoute).toEqual({ status: 404, connection: 'close' });
      expect(await post(agent, server.url, '/v1/score', body)).toEqual({ status: 200, connection: 'keep-alive' });
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('answers 503 with Connection: close on kept-alive sockets during shutdown: no request of 100 is reset', async () => {
    const server = await startServer({ service, port: 0 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const outcomes: Outcome[] = [];
    let closing: Promise<void> | undefined;
    try {
      // 8 clients send 100 requests in all; the shutdown starts after the 30th answer.
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 100) {
            next += 1;
            const outcome = await post(agent, server.url, '/v1/score', body);
            outcomes.push(outcome);
            if (outcomes.length === 30) closing = server.close();
            if (closing) await new Promise((resolve) => setTimeout(resolve, 1));
          }
        }),
      );
      await closing;
    } finally {
      agent.destroy();
      await server.close();
    }
    const count = (predicate: (outcome: Outcome) => boolean) => outcomes.filter(predicate).length;
    console.info(`shutdown under keep-alive: ${count((o) => o.status === 200)} × 200, ${count((o) => o.status === 503)} × 503, ${count((o) => o.error === 'ECONNREFUSED')} refused, ${count((o) => o.error === 'ECONNRESET')} reset, other errors: ${JSON.stringify(outcomes.filter((o) => o.error && o.error !== 'ECONNREFUSED').map((o) => o.error))}`);
    expect(outcomes).toHaveLength(100);
    expect(count((o) => o.error === 'ECONNRESET')).toBe(0);
    expect(count((o) => o.error !== undefined && o.error !== 'ECONNREFUSED')).toBe(0);
    expect(count((o) => o.status === 200)).toBeGreaterThanOrEqual(30);
    expect(count((o) => o.status === 503)).toBeGreaterThan(0);
    for (const outcome of outcomes.filter((o) => o.status === 503)) expect(outcome.connection).toBe('close');
  });
});
