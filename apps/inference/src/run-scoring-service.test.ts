import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError, type UserRetriever } from '@score/core';
import { loadDataset } from '@score/data';
import { createLlamaCppModel, type LlamaCppModel } from '@score/llm-clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnknownRequestIdError } from './errors';
import { createOverlapRetriever } from './overlap-retriever';
import { loadRunComponents } from './run-components';
import { createRunScoringService, type RunScoringService } from './run-scoring-service';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

let run: TestRun;
let service: RunScoringService;
let reference: LlamaCppModel;
let userId: string;
let itemId: string;

beforeAll(async () => {
  run = await createTestRun();
  service = await createRunScoringService({ runDir: run.runDir, llm: run.llm, llmOverrides: run.llmOverrides });
  reference = await createLlamaCppModel({ modelPath: run.modelPath, threads: 1, contextSize: 4096 });
  const dataset = await loadDataset(run.runDir);
  const test = dataset.split('test');
  userId = test[0].userId;
  itemId = test[0].itemId;
});

afterAll(async () => {
  await service?.dispose();
  await reference?.dispose();
  run?.remove();
});

describe('createRunScoringService over a run folder and a tiny llama.cpp model', () => {
  it('retrieves, reranks, fills P^s and scores it with the language model (Eq. 14)', async () => {
    const dataset = await loadDataset(run.runDir);
    const result = await service.score({ userId, itemId });
    const history = dataset.positives(userId);
    const asOf = Math.max(...dataset.rows.map((row) => row.timestamp)) + 1;
    const expectedUsers = (await createOverlapRetriever(dataset).retrieve({ userId, history, before: asOf }, 10)).slice(0, 2);
    expect(result.similarUsers).toEqual(
      expectedUsers.map((user, index) => ({ userId: user.userId, behaviour: user.behaviour, carScore: user.score, sareScore: 1 / (1 + index) })),
    );
    expect(result.prompt).toContain(`[${expectedUsers[0].behaviour}], [${expectedUsers[1].behaviour}]`);
    expect(result.prompt).toContain(`"${dataset.items.get(itemId)!.title}"`);
    const [direct] = await reference.scoreYesNo([result.prompt]);
    expect(result.probability).toBeCloseTo(direct.probability, 6);
    expect(result.logits.yes).toBeCloseTo(direct.yesLogit, 5);
    expect(result.logits.no).toBeCloseTo(direct.noLogit, 5);
    expect(result.probability).toBeCloseTo(1 / (1 + Math.exp(result.logits.no - result.logits.yes)), 10);
    expect(result.timingsMs.total).toBeGreaterThanOrEqual(result.timingsMs.lm);
  });

  it('honours ks, inline items and history requests, and caches retrieval by history', async () => {
    const before = service.stats.cache;
    const one = await service.score({ userId, itemId, ks: 1 });
    expect(one.similarUsers).toHaveLength(1);
    expect(service.stats.cache.hits).toBe(before.hits + 1);
    const inline = await service.score({ userId, item: { title: 'Brand New Film (2030)' } });
    expect(inline.prompt).toContain('"Brand New Film (2030)"');
    const dataset = await loadDataset(run.runDir);
    const history = dataset.positives(userId).slice(0, 3);
    const anonymous = await service.score({ history: [...history], itemId, ks: 3 });
    expect(anonymous.similarUsers.length).toBeLessThanOrEqual(3);
    expect(anonymous.prompt).toContain(`"${dataset.items.get(history[0])!.title}"`);
    expect(await service.retrieve({ userId, itemId, ks: 1 })).toEqual(one.similarUsers);
  });

  it('scores a batch in request order with fewer language-model calls than prompts', async () => {
    const dataset = await loadDataset(run.runDir);
    const pairs = dataset.split('test').slice(0, 6).map((row) => ({ userId: row.userId, itemId: row.itemId }));
    const calls = service.stats.lm.calls;
    const results = await service.scoreBatch(pairs);
    expect(service.stats.lm.calls - calls).toBeLessThan(pairs.length);
    for (const [index, pair] of pairs.entries()) {
      expect(results[index].prompt).toBe((await service.score(pair)).prompt);
    }
  });

  it('reports unknown users and items with the request field', async () => {
    await expect(service.score({ userId: 'nobody', itemId })).rejects.toMatchObject({ field: 'userId', kind: 'user' });
    await expect(service.score({ userId, itemId: 'missing' })).rejects.toBeInstanceOf(UnknownRequestIdError);
    await expect(service.score({ history: [itemId, 'missing'], itemId })).rejects.toMatchObject({ field: 'history[1]', kind: 'item' });
    await expect(service.scoreBatch([{ userId, itemId }, { userId, itemId: 'x' }])).rejects.toMatchObject({ field: 'requests[1].itemId' });
    expect(service.item(itemId)?.id).toBe(itemId);
    expect(service.item('missing')).toBeUndefined();
    expect(service.hasUser(userId)).toBe(true);
    expect(service.hasUser('nobody')).toBe(false);
  });
});

describe('loadRunComponents', () => {
  it('fails clearly without a dataset or the run\'s in-process model, disposing what it loaded', async () => {
    await expect(loadRunComponents({ runDir: `${run.runDir}-missing`, llm: run.llm })).rejects.toBeInstanceOf(ArtifactNotFoundError);
    let disposed = 0;
    const retriever = (context: { dataset: Parameters<typeof createOverlapRetriever>[0] }): UserRetriever => {
      const inner = createOverlapRetriever(context.dataset);
      return { variant: 'counted', retrieve: (target, k) => inner.retrieve(target, k), dispose: () => void (disposed += 1) };
    };
    const error = await loadRunComponents({ runDir: run.runDir, loaders: { retriever } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArtifactNotFoundError);
    expect((error as Error).message).toContain(`rec${path.sep}rec.json`);
    expect(disposed).toBe(1);
    await expect(loadRunComponents({ runDir: '' })).rejects.toBeInstanceOf(InvalidOptionError);
  });
});
