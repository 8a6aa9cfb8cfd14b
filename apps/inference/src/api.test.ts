import fs from 'node:fs';
import { loadDataset } from '@score/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createIdentityReranker } from './identity-reranker';
import { createInferProgram } from './infer-program';
import { createServiceMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { createOverlapRetriever } from './overlap-retriever';
import { createScoringService, type RunScoringService } from './run-scoring-service';
import { batchScoreResponseSchema, errorBodySchema, healthSchema, itemSchema, rankResponseSchema, readySchema, retrieveResponseSchema, scoreResultSchema } from './schemas';
import { startServer, type RunningServer } from './server';
import { RecordingModel } from './test-fixtures/recording-model';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

// Issue 21.1-3: the OpenAPI document (committed, served, rendered), POST /v1/rank and GET /metrics.
let run: TestRun;
let service: RunScoringService;
let model: RecordingModel;
let server: RunningServer;
let userId: string;
let items: string[];
const metrics = createServiceMetrics();

beforeAll(async () => {
  run = await createTestRun();
  const dataset = await loadDataset(run.runDir);
  model = new RecordingModel();
  service = createScoringService(
    { dataset, retriever: createOverlapRetriever(dataset), reranker: createIdentityReranker(), languageModel: model },
    { batching: { onBatch: metrics.observeLmBatch, maxBatchSize: 16 } },
  );
  metrics.setModelLoadSeconds(0.25);
  server = await startServer({ service, port: 0, metrics, drainMs: 100 });
  userId = dataset.users.find((user) => dataset.positives(user).length >= 5)!;
  items = [...dataset.items.keys()];
});

afterAll(async () => {
  await server?.close();
  await service?.dispose();
  run?.remove();
});

async function call<T>(path: string, schema: z.ZodType<T>, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const parsed: unknown = await response.json();
  // Every answer must match its documented schema (strict: no undocumented field).
  const checked = (response.status === 200 ? schema : errorBodySchema).safeParse(parsed);
  expect(checked.error, `${path} ${response.status}: ${JSON.stringify(parsed).slice(0, 300)}`).toBeUndefined();
  return { status: response.status, body: parsed as T };
}

describe('OpenAPI', () => {
  it('the committed openapi.json is the generated document, served at /openapi.json', async () => {
    const generated = buildOpenApiDocument();
    const committed = fs.readFileSync(new URL('../openapi.json', import.meta.url), 'utf8');
    expect(committed, 'apps/inference/openapi.json is stale: run `npm run openapi -w @score/inference`').toBe(`${JSON.stringify(generated, null, 2)}\n`);
    const served = await fetch(`${server.url}/openapi.json`);
    expect(served.headers.get('content-type')).toContain('application/json');
    expect(await served.json()).toEqual(generated);
    expect(Object.keys(generated.paths).sort()).toEqual(['/docs', '/healthz', '/metrics', '/openapi.json', '/readyz', '/v1/items/{id}', '/v1/rank', '/v1/retrieve', '/v1/score', '/v1/score/batch']);
    // Every $ref points at a component.
    for (const target of JSON.stringify(generated).match(/"#\/components\/schemas\/[A-Za-z]+"/g)!) {
      expect(generated.components.schemas).toHaveProperty(target.slice(22, -1));
    }
  });

  it('renders a self-contained reference page at /docs', async () => {
    const response = await fetch(`${server.url}/docs`);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    for (const path of Object.keys(buildOpenApiDocument().paths)) expect(html).toContain(`<code>${path}</code>`);
    expect(html).toContain('id="schema-RankRequest"');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
  });

  it('answers match their schemas', async () => {
    expect((await call('/healthz', healthSchema)).status).toBe(200);
    expect((await call('/readyz', readySchema)).status).toBe(200);
    expect((await call(`/v1/items/${encodeURIComponent(items[0]!)}`, itemSchema)).status).toBe(200);
    expect((await call('/v1/items/missing', itemSchema)).status).toBe(404);
    expect((await call('/v1/score', scoreResultSchema, { userId, itemId: items[1] })).status).toBe(200);
    expect((await call('/v1/score', scoreResultSchema, { userId, item: { title: 'A new film' } })).status).toBe(200);
    expect((await call('/v1/score', scoreResultSchema, { userId })).status).toBe(400);
    expect((await call('/v1/score/batch', batchScoreResponseSchema, { requests: [{ userId, itemId: items[1] }, { history: [items[2]], itemId: items[3] }] })).status).toBe(200);
    expect((await call('/v1/retrieve', retrieveResponseSchema, { userId, itemId: items[1] })).status).toBe(200);
    expect((await call('/v1/rank', rankResponseSchema, { userId, itemIds: items.slice(0, 5) })).status).toBe(200);
  });
});

describe('POST /v1/rank', () => {
  it('ranks 100 candidates by P(yes) with one retrieval for the user; each equals /v1/score of the pair', async () => {
    // 99 catalogue ids (the tiny run has fewer items, so some repeat) and one inline item.
    const candidates = Array.from({ length: 99 }, (_, index) => items[index % items.length]!);
    const misses = service.stats.cache.misses;
    const prompts = service.stats.lm.prompts;
    const { status, body } = await call('/v1/rank', rankResponseSchema, { userId, itemIds: candidates, items: [{ title: 'A brand new film' }], topK: 10, ks: 2 });
    expect(status).toBe(200);
    expect(body.candidates).toBe(100);
    expect(body.ranked).toHaveLength(10);
    expect(service.stats.cache.misses - misses).toBeLessThanOrEqual(1);
    expect(service.stats.lm.prompts - prompts).toBe(100);
    const probabilities = body.ranked.map((entry) => entry.probability);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    for (const entry of body.ranked) expect(entry.probability).toBeCloseTo(RecordingModel.expected(entry.prompt).probability, 12);
    // The best candidates are the best of all 100 (RecordingModel: longer prompt, higher P(yes)).
    const all = (await call('/v1/rank', rankResponseSchema, { userId, itemIds: candidates, items: [{ title: 'A brand new film' }], ks: 2 })).body;
    expect(all.ranked).toHaveLength(100);
    expect(all.ranked.slice(0, 10)).toEqual(body.ranked);
    expect(all.ranked.map((entry) => entry.itemId)).toContain('inline-0');
    // With the identity reranker the similar users do not depend on the target: each prompt is /v1/score's.
    const single = (await call('/v1/score', scoreResultSchema, { userId, itemId: body.ranked[0]!.itemId === 'inline-0' ? body.ranked[1]!.itemId : body.ranked[0]!.itemId, ks: 2 })).body;
    expect(all.ranked.find((entry) => entry.prompt === single.prompt)?.probability).toBeCloseTo(single.probability, 12);
    expect(body.similarUsers.map((user) => user.userId)).toEqual(single.similarUsers.map((user) => user.userId));
  });

  it('answers 400 and 404 naming the field', async () => {
    const tooMany = await call('/v1/rank', rankResponseSchema, { userId, itemIds: Array.from({ length: 300 }, (_, i) => items[i % items.length]), items: Array.from({ length: 201 }, (_, i) => ({ title: `t${i}` })) });
    expect([tooMany.status, (tooMany.body as unknown as z.infer<typeof errorBodySchema>).error.field]).toEqual([400, 'items']);
    const none = await call('/v1/rank', rankResponseSchema, { userId });
    expect([none.status, (none.body as unknown as z.infer<typeof errorBodySchema>).error.field]).toEqual([400, 'itemIds']);
    const unknown = await call('/v1/rank', rankResponseSchema, { userId, itemIds: [items[0], 'missing'] });
    expect([unknown.status, (unknown.body as unknown as z.infer<typeof errorBodySchema>).error.field]).toEqual([404, 'itemIds[1]']);
  });

  it('score-infer rank prints the same ranking', async () => {
    const output: string[] = [];
    await createInferProgram({ write: (text) => output.push(text) })
      .exitOverride()
      .parseAsync(['node', 'score-infer', 'rank', '--run', run.runDir, '--user', userId, '--items', items.slice(0, 6).join(','), '--top-k', '3', '--llm', run.llm, '--llm-threads', '1', '--llm-context', '4096']);
    const printed = rankResponseSchema.parse(JSON.parse(output[0]!));
    expect(printed.candidates).toBe(6);
    expect(printed.ranked).toHaveLength(3);
    expect(printed.ranked.every((entry) => items.slice(0, 6).includes(entry.itemId))).toBe(true);
    expect(printed.ranked[0]!.probability).toBeGreaterThanOrEqual(printed.ranked[2]!.probability);
  });
});

describe('GET /metrics', () => {
  it('serves the request, batcher, cache, in-flight and load metrics in Prometheus format', async () => {
    await call('/v1/score', scoreResultSchema, { userId, itemId: items[4] });
    await call('/v1/score', scoreResultSchema, { userId: 'nobody', itemId: items[4] });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1]);
    expect(value(/^score_http_request_duration_seconds_count\{method="POST",route="\/v1\/score",status="200"\} (\d+)$/m)).toBeGreaterThanOrEqual(3);
    expect(value(/^score_http_request_duration_seconds_count\{method="POST",route="\/v1\/score",status="404"\} (\d+)$/m)).toBe(1);
    expect(value(/^score_http_request_duration_seconds_count\{method="GET",route="\/v1\/items\/:id",status="200"\} (\d+)$/m)).toBe(1);
    expect(value(/^score_lm_batch_size_sum (\d+)$/m)).toBe(service.stats.lm.prompts);
    expect(value(/^score_lm_batch_size_count (\d+)$/m)).toBe(service.stats.lm.calls);
    expect(value(/^score_lm_queue_wait_seconds_count (\d+)$/m)).toBe(service.stats.lm.prompts);
    expect(value(/^score_retrieval_cache_hits_total (\d+)$/m)).toBe(service.stats.cache.hits);
    expect(value(/^score_retrieval_cache_misses_total (\d+)$/m)).toBe(service.stats.cache.misses);
    expect(value(/^score_http_requests_in_flight (\d+)$/m)).toBe(1); // this scrape
    expect(value(/^score_model_load_seconds ([\d.]+)$/m)).toBe(0.25);
    expect(text).toMatch(/^score_nodejs_eventloop_lag_seconds /m);
  });
});
