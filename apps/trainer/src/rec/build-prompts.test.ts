import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBehaviourCorpus, loadCarRetriever, readCarStageManifest, runCarStage, type CollaborativeNeighbour } from '@score/car-retriever';
import type { Dataset, ItemId, RerankCandidate, Reranker, RerankResult, RetrievalTarget, Row, UserId, UserRetriever } from '@score/core';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { basicPrompt, buildPromptSet, describeItem, measurePromptTokens, type PromptRecord, quoteText, RetrievalCache } from '@score/prompt-kit';
import { createSareReranker } from '@score/sare-reranker';
import { createPooledEncoder, trainTokenizer } from '@score/text-encoders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fallbackRate } from './fallback-rates';

const DAY = 86_400;

/** Each user's top-k users by the cosine of their training positive item sets (a stand-in CRM). */
function itemSetNeighbours(dataset: Dataset, k: number): Map<UserId, CollaborativeNeighbour[]> {
  const sets = new Map<UserId, Set<ItemId>>();
  for (const row of dataset.split('train')) if (row.label === 1) sets.set(row.userId, (sets.get(row.userId) ?? new Set()).add(row.itemId));
  const result = new Map<UserId, CollaborativeNeighbour[]>();
  for (const [userId, own] of sets) {
    const scored: CollaborativeNeighbour[] = [];
    for (const [other, theirs] of sets) {
      if (other === userId) continue;
      let shared = 0;
      for (const itemId of own) if (theirs.has(itemId)) shared += 1;
      scored.push({ userId: other, score: shared / Math.sqrt(own.size * theirs.size) });
    }
    result.set(userId, scored.sort((a, b) => b.score - a.score).slice(0, k));
  }
  return result;
}

/** A deterministic reranker for the test: prefers shorter behaviour texts, then smaller ids. It records its queries. */
class ShortestFirstReranker implements Reranker {
  readonly modelId = 'test:shortest-first';
  readonly queries: string[] = [];
  static order(candidates: readonly RerankCandidate[]): RerankResult[] {
    return candidates.map((c) => ({ ...c, score: -c.text.length })).sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  }
  async rerank(query: string, candidates: readonly RerankCandidate[], topK: number): Promise<RerankResult[]> {
    this.queries.push(query);
    return ShortestFirstReranker.order(candidates).slice(0, topK);
  }
  dispose(): void {}
}

/** Counts the retrievals that reach a retriever. */
function counting(retriever: UserRetriever): UserRetriever & { calls: number } {
  const counted = {
    variant: retriever.variant,
    calls: 0,
    async retrieve(target: RetrievalTarget, k: number) {
      counted.calls += 1;
      return retriever.retrieve(target, k);
    },
    dispose: () => undefined,
  };
  return counted;
}

/** The bracketed similar-behaviour lists of a P^s prompt, each as its quoted entries. */
function similarLists(prompt: string): string[][] {
  const match = /similar preferences have given high ratings to the [^:]+: (.*)\. Based on this information/.exec(prompt);
  if (!match) return [];
  return [...match[1].matchAll(/\[("[^"]*"(?:, "[^"]*")*)\]/g)].map((group) => group[1].match(/"[^"]*"/g) ?? []);
}

describe('buildPromptSet', () => {
  let root: string;
  let dataset: Dataset;
  let retrievers: Record<'car' | 'base' | 'cf', UserRetriever>;
  let snapshotTimes: number[];
  let rows: Row[];
  const reranker = new ShortestFirstReranker();

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-prompts-'));
    dataset = await generateSyntheticDataset({ users: 40, items: 80, seed: 11, minInteractionsPerUser: 10, maxInteractionsPerUser: 25 });
    await saveDataset(dataset as Parameters<typeof saveDataset>[0], path.join(root, 'prepare'));
    await runCarStage({
      dataset,
      neighbours: itemSetNeighbours(dataset, 5),
      outputDir: path.join(root, 'car'),
      encoder: 'pooled',
      epochs: 1,
      dimensions: 16,
      vocabSize: 300,
      retrieved: 5,
      validationFraction: 0.2,
      snapshots: { everySeconds: 60 * DAY },
      seed: 3,
    });
    const stageDir = path.join(root, 'car');
    retrievers = {
      car: await loadCarRetriever(stageDir, { variant: 'car', dataset }),
      base: await loadCarRetriever(stageDir, { variant: 'base', dataset }),
      cf: await loadCarRetriever(stageDir, { variant: 'cf', dataset }),
    };
    // The corpus boundaries: a row at time t searches the snapshot of the latest one before t.
    snapshotTimes = [...readCarStageManifest(stageDir).corpus.boundaries];
    rows = [...dataset.split('train').slice(-24), ...dataset.split('valid').slice(0, 18), ...dataset.split('test').slice(0, 18)];
  }, 60_000);

  afterAll(async () => {
    for (const retriever of Object.values(retrievers ?? {})) await retriever.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const build = (variant: 'basic' | 'cf' | 'base' | 'car' | 'score', extra: Partial<Parameters<typeof buildPromptSet>[0]> = {}) =>
    buildPromptSet({ dataset, rows, variant, retrievers, reranker, retrieved: 5, kept: 2, maxHistoryItems: 8, snapshotTimes, ...extra });

  it('fills P^b exactly as prompt-kit basicPrompt with the row history, one record per row', async () => {
    const records = await build('basic');
    expect(records).toHaveLength(rows.length);
    records.forEach((record, i) => {
      const row = rows[i];
      expect(record).toMatchObject({ rowIndex: row.index, userId: row.userId, itemId: row.itemId, label: row.label, similarUsers: [] });
      const history = dataset.history(row, 8).map((id) => dataset.items.get(id)!);
      expect(record.prompt).toBe(basicPrompt({ domain: dataset.domain, history, target: dataset.items.get(row.itemId)!, description: { maxItems: Infinity } }));
    });
  });

  it('obeys the leakage rule: similar behaviours hold only training likes from before the row\'s snapshot, never the target user', async () => {
    const corpus = buildBehaviourCorpus(dataset, { snapshots: snapshotTimes });
    const titleOwners = new Map<string, Map<UserId, { time: number; split: string }[]>>();
    for (const row of dataset.rows) {
      if (row.label !== 1) continue;
      const title = quoteText(describeItem(dataset.items.get(row.itemId)!));
      const owners = titleOwners.get(title) ?? new Map<UserId, { time: number; split: string }[]>();
      owners.set(row.userId, [...(owners.get(row.userId) ?? []), { time: row.timestamp, split: row.split }]);
      titleOwners.set(title, owners);
    }
    let checkedEntries = 0;
    let trainRowsWithCi = 0;
    for (const variant of ['cf', 'base', 'car', 'score'] as const) {
      const records = await build(variant);
      records.forEach((record, i) => {
        const row = rows[i];
        const lists = similarLists(record.prompt);
        expect(lists).toHaveLength(record.similarUsers.length);
        const snapshot = corpus.snapshotIndex(row.timestamp);
        if (record.similarUsers.length > 0) {
          expect(snapshot).toBeGreaterThanOrEqual(0);
          if (row.split === 'train') trainRowsWithCi += 1;
        }
        const boundary = snapshotTimes[snapshot];
        record.similarUsers.forEach((user, j) => {
          expect(user.userId).not.toBe(row.userId);
          expect(lists[j].length).toBeGreaterThan(0);
          for (const title of lists[j]) {
            // Liked before the snapshot's boundary (itself before the row), in the train split:
            // no valid/test interaction ever reaches a prompt through a similar user.
            const likes = titleOwners.get(title)?.get(user.userId) ?? [];
            expect(likes.some((like) => like.time < boundary && boundary < row.timestamp && like.split === 'train')).toBe(true);
            checkedEntries += 1;
          }
        });
      });
    }
    expect(checkedEntries).toBeGreaterThan(60);
    expect(trainRowsWithCi).toBeGreaterThan(20);
  });

  it('builds the variants as defined: cf/base/car keep their retriever order, score reranks CAR with P^b as the query', async () => {
    const [cf, base, car, score] = await Promise.all((['cf', 'base', 'car', 'score'] as const).map((variant) => build(variant)));
    for (const [variant, records] of [['cf', cf], ['base', base], ['car', car]] as const) {
      for (const [i, record] of records.entries()) {
        const row = rows[i];
        const expected = await retrievers[variant].retrieve({ userId: row.userId, history: dataset.history(row), before: row.timestamp }, 5);
        expect(record.similarUsers).toEqual(expected.slice(0, 2).map((user) => ({ userId: user.userId, score: user.score })));
      }
    }
    reranker.queries.length = 0;
    const again = await build('score');
    expect(again).toEqual(score);
    for (const [i, record] of score.entries()) {
      const row = rows[i];
      const candidates = await retrievers.car.retrieve({ userId: row.userId, history: dataset.history(row), before: row.timestamp }, 5);
      const expected = ShortestFirstReranker.order(candidates.map((user) => ({ id: user.userId, text: user.behaviour }))).slice(0, 2);
      expect(record.similarUsers).toEqual(expected.map((result) => ({ userId: result.id, score: result.score })));
      const history = dataset.history(row, 8).map((id) => dataset.items.get(id)!);
      if (candidates.length > 0) expect(reranker.queries).toContain(basicPrompt({ domain: dataset.domain, history, target: dataset.items.get(row.itemId)!, description: { maxItems: Infinity } }));
    }
    const differs = (a: readonly PromptRecord[], b: readonly PromptRecord[]) => a.filter((record, i) => record.prompt !== b[i].prompt).length;
    expect(differs(car, score)).toBeGreaterThan(0);
    expect(differs(cf, car)).toBeGreaterThan(0);
  });

  it('reranks with a real SARE reranker: kept users are its best K_s by cos(P^b, behaviour)', async () => {
    const texts = dataset.rows.slice(0, 50).map((row) => dataset.items.get(row.itemId)!.title);
    const encoder = await createPooledEncoder({ tokenizer: trainTokenizer({ texts, vocabSize: 200, kind: 'wordpiece' }), embeddingSize: 8, dimensions: 8, seed: 1 });
    const sare = createSareReranker({ encoder });
    try {
      const sample = rows.slice(-10);
      const records = await buildPromptSet({ dataset, rows: sample, variant: 'score', retrievers, reranker: sare, retrieved: 5, kept: 2, maxHistoryItems: 8, snapshotTimes });
      for (const [i, record] of records.entries()) {
        const row = sample[i];
        const candidates = await retrievers.car.retrieve({ userId: row.userId, history: dataset.history(row), before: row.timestamp }, 5);
        const query = basicPrompt({ domain: dataset.domain, history: dataset.history(row, 8).map((id) => dataset.items.get(id)!), target: dataset.items.get(row.itemId)!, description: { maxItems: Infinity } });
        const scores = await sare.scores(query, candidates.map((user) => user.behaviour));
        const best = candidates.map((user, j) => ({ userId: user.userId, score: scores[j] })).sort((a, b) => b.score - a.score).slice(0, 2);
        expect(record.similarUsers.map((user) => user.userId)).toEqual(best.map((user) => user.userId));
        record.similarUsers.forEach((user, j) => expect(user.score).toBeCloseTo(best[j].score, 5));
      }
    } finally {
      sare.dispose();
    }
  });

  it('respects K_s and K_e', async () => {
    for (const kept of [1, 3]) {
      const records = await build('score', { retrieved: 4, kept });
      expect(Math.max(...records.map((record) => record.similarUsers.length))).toBe(kept);
      for (const record of records) expect(similarLists(record.prompt)).toHaveLength(record.similarUsers.length);
    }
    await expect(build('car', { retrieved: 2, kept: 3 })).rejects.toThrow(/K_s \(3\) must not exceed K_e \(2\)/);
  });

  it('shares retrievals within a corpus snapshot without changing any result', async () => {
    const plain = counting(retrievers.car);
    const withoutSnapshots = await buildPromptSet({ dataset, rows, variant: 'car', retrievers: { car: plain }, retrieved: 5, kept: 2, maxHistoryItems: 8, batchSize: 7 });
    const cached = counting(retrievers.car);
    const cache = new RetrievalCache();
    const withSnapshots = await buildPromptSet({ dataset, rows, variant: 'car', retrievers: { car: cached }, retrieved: 5, kept: 2, maxHistoryItems: 8, snapshotTimes, cache });
    expect(withSnapshots).toEqual(withoutSnapshots);
    expect(cached.calls).toBeLessThan(plain.calls);
    expect(cached.calls).toBe(cache.size);
    const keptSweep = await buildPromptSet({ dataset, rows, variant: 'car', retrievers: { car: cached }, retrieved: 5, kept: 1, maxHistoryItems: 8, snapshotTimes, cache });
    expect(cached.calls).toBe(cache.size);
    expect(keptSweep.map((record) => record.similarUsers)).toEqual(withSnapshots.map((record) => record.similarUsers.slice(0, 1)));
  });

  it('reranks each row once for a K_s sweep and gives the same prompts as separate caches', async () => {
    const texts = dataset.rows.slice(0, 50).map((row) => dataset.items.get(row.itemId)!.title);
    const encoder = await createPooledEncoder({ tokenizer: trainTokenizer({ texts, vocabSize: 200, kind: 'wordpiece' }), embeddingSize: 8, dimensions: 8, seed: 1 });
    const sare = createSareReranker({ encoder });
    let calls = 0;
    const countingSare: Reranker = {
      modelId: sare.modelId,
      rerank: (query, candidates, topK) => {
        calls += 1;
        return sare.rerank(query, candidates, topK);
      },
      dispose: () => undefined,
    };
    try {
      const options = { dataset, rows, variant: 'score' as const, retrievers, reranker: countingSare, retrieved: 5, maxHistoryItems: 8, snapshotTimes };
      const separate: PromptRecord[][] = [];
      for (const kept of [1, 2, 3]) separate.push(await buildPromptSet({ ...options, kept, cache: new RetrievalCache() }));
      const separateCalls = calls;
      calls = 0;
      const cache = new RetrievalCache();
      const shared: PromptRecord[][] = [];
      for (const kept of [1, 2, 3]) shared.push(await buildPromptSet({ ...options, kept, cache }));
      // The same prompts and SARE scores, with one rerank per row instead of one per row and K_s.
      expect(shared).toEqual(separate);
      const reranked = separate[0].filter((record) => record.similarUsers.length > 0).length;
      expect(reranked).toBeGreaterThan(10);
      expect(calls).toBe(reranked);
      expect(separateCalls).toBe(3 * reranked);
      expect(cache.rerankedSize).toBe(reranked);
      expect(shared[2].some((record) => record.similarUsers.length === 3)).toBe(true);
    } finally {
      sare.dispose();
    }
  });

  it('retrieves once at the largest K_e and gives every K_e the same prompts as its own search (exact path)', async () => {
    const separate: PromptRecord[][] = [];
    for (const retrieved of [2, 3, 5]) separate.push(await build('score', { retrieved, kept: 2 }));
    const once = counting(retrievers.car);
    const cache = new RetrievalCache();
    const shared: PromptRecord[][] = [];
    for (const retrieved of [2, 3, 5]) shared.push(await build('score', { retrieved, kept: 2, retrievedMax: 5, cache, retrievers: { ...retrievers, car: once } }));
    expect(shared).toEqual(separate);
    // One search per (user, history length, snapshot), not one per K_e; K_e = 2 and 3 differ.
    expect(once.calls).toBe(cache.size);
    expect(separate[0].filter((record, i) => record.prompt !== separate[1][i].prompt).length).toBeGreaterThan(0);
    await expect(build('score', { retrieved: 5, kept: 2, retrievedMax: 4 })).rejects.toThrow(/retrievedMax/);
  });

  it('reranks each row once over the largest K_e with a pointwise reranker and keeps every K_e\'s own order', async () => {
    const texts = dataset.rows.slice(0, 50).map((row) => dataset.items.get(row.itemId)!.title);
    const encoder = await createPooledEncoder({ tokenizer: trainTokenizer({ texts, vocabSize: 200, kind: 'wordpiece' }), embeddingSize: 8, dimensions: 8, seed: 1 });
    const sare = createSareReranker({ encoder });
    let calls = 0;
    const countingSare: Reranker = {
      modelId: sare.modelId,
      rerank: (query, candidates, topK) => {
        calls += 1;
        return sare.rerank(query, candidates, topK);
      },
      dispose: () => undefined,
    };
    try {
      for (const [name, ranker] of [['shortest-first', reranker], ['SARE', countingSare]] as const) {
        const separate: PromptRecord[][] = [];
        for (const retrieved of [2, 3, 5]) separate.push(await build('score', { retrieved, kept: 2, reranker: ranker }));
        calls = 0;
        const cache = new RetrievalCache();
        const shared: PromptRecord[][] = [];
        for (const retrieved of [2, 3, 5]) shared.push(await build('score', { retrieved, kept: 2, retrievedMax: 5, pointwiseReranker: true, cache, reranker: ranker }));
        // The same prompts and similar users; SARE's scores up to float rounding (other encoder batches).
        shared.forEach((records, j) =>
          records.forEach((record, i) => {
            const expected = separate[j][i];
            expect({ name, ...record, similarUsers: record.similarUsers.map((user) => user.userId) }).toEqual({ name, ...expected, similarUsers: expected.similarUsers.map((user) => user.userId) });
            record.similarUsers.forEach((user, k) => expect(user.score).toBeCloseTo(expected.similarUsers[k].score, 5));
          }),
        );
        // One rerank per row (over its K_e = 5 candidates), not one per row and K_e.
        expect(cache.rerankedSize).toBe(shared[2].filter((record) => record.similarUsers.length > 0).length);
        if (name === 'SARE') expect(calls).toBe(cache.rerankedSize);
      }
    } finally {
      sare.dispose();
    }
  });

  it('trims the history and the similar users\' lists to a token budget, oldest items first', async () => {
    const untrimmed = await build('car', { maxHistoryItems: 20 });
    const tokenizer = trainTokenizer({ texts: untrimmed.slice(0, 10).map((record) => record.prompt), vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
    const floor = await build('car', { maxHistoryItems: 1, maxBehaviourItems: 1 });
    const budget = measurePromptTokens(floor.map((record) => record.prompt), { tokenizer }).max + 5;
    const before = measurePromptTokens(untrimmed.map((record) => record.prompt), { tokenizer, maxTokens: budget });
    expect(before.overBudget).toBeGreaterThan(0);
    const trimmed = await build('car', { maxHistoryItems: 20, tokenBudget: { tokenizer, maxTokens: budget } });
    const after = measurePromptTokens(trimmed.map((record) => record.prompt), { tokenizer, maxTokens: budget });
    expect(after.overBudget).toBe(0);
    expect(after.max).toBeLessThanOrEqual(budget);
    expect(after.mean).toBeLessThan(before.mean);
    for (const [i, record] of trimmed.entries()) {
      expect(record.similarUsers).toEqual(untrimmed[i].similarUsers);
      const full = similarLists(untrimmed[i].prompt);
      similarLists(record.prompt).forEach((list, j) => expect(full[j].slice(full[j].length - list.length)).toEqual(list));
    }
    const fewer = await build('car', { maxBehaviourItems: 2 });
    for (const record of fewer) for (const list of similarLists(record.prompt)) expect(list.length).toBeLessThanOrEqual(2);
  });

  it('gives P^b to rows whose retrieval finds nobody before their time, and warns', async () => {
    // No corpus entry has asOf before these rows' times: nothing is visible to them.
    const earliest = dataset.rows.filter((row) => row.timestamp <= snapshotTimes[0]).slice(0, 5);
    expect(earliest.length).toBeGreaterThan(0);
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => void warnings.push(message) };
    const basic = await buildPromptSet({ dataset, rows: earliest, variant: 'basic', maxHistoryItems: 8 });
    const car = await buildPromptSet({ dataset, rows: earliest, variant: 'car', retrievers, maxHistoryItems: 8, snapshotTimes, logger });
    expect(car.map((record) => record.similarUsers)).toEqual(earliest.map(() => []));
    expect(car.map((record) => record.prompt)).toEqual(basic.map((record) => record.prompt));
    expect(warnings).toEqual([`rec: ${earliest.length} of ${earliest.length} rows found no similar user with behaviour before their time and got the basic prompt P^b.`]);
    expect(fallbackRate('car', 'train', earliest, car, snapshotTimes)).toEqual({ variant: 'car', split: 'train', rows: earliest.length, fallbackRows: earliest.length, rate: 1, beforeFirstSnapshot: earliest.length });
    expect(fallbackRate('basic', 'train', earliest, basic, snapshotTimes)).toBeUndefined();
    // Later rows all see their snapshot's users: no car/score fallback after the first snapshot.
    const later = rows.filter((row) => row.timestamp > snapshotTimes[0]);
    for (const variant of ['car', 'score'] as const) {
      expect(fallbackRate(variant, 'test', later, await build(variant, { rows: later }), snapshotTimes)).toMatchObject({ rows: later.length, fallbackRows: 0, rate: 0, beforeFirstSnapshot: 0 });
    }
  });

  it('checks its options and stops when aborted', async () => {
    await expect(build('score', { reranker: undefined })).rejects.toThrow(/"reranker"/);
    await expect(build('cf', { retrievers: {} })).rejects.toThrow(/retrievers\.cf/);
    await expect(build('car', { maxHistoryItems: 0 })).rejects.toThrow(/maxHistoryItems/);
    const controller = new AbortController();
    controller.abort();
    await expect(build('car', { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
