import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DimensionMismatchError, InvalidOptionError, type VectorHit, type VectorIndex, type VectorRecord, type VectorSearchOptions, createRandom } from '@score/core';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBehaviourCorpus } from './behaviour-corpus';
import { createCorpusRetriever } from './corpus-retriever';
import { indexBehaviourCorpus } from './index-behaviour-corpus';
import { LanceVectorIndex } from './lance-vector-index';
import { createNeighbourRetriever } from './neighbour-retriever';
import { createTinyDataset, hashEmbed, type TinyInteraction } from './test-fixtures/tiny-dataset';

const quoted = (...titles: string[]) => titles.map((title) => `"Title ${title}"`).join(', ');
const embed = async (texts: readonly string[]) => hashEmbed(texts);
const open: LanceVectorIndex[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((index) => index.close()));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function lanceIndex(): Promise<LanceVectorIndex> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-retriever-'));
  dirs.push(dir);
  const index = await LanceVectorIndex.create({ dir, dimensions: 32 });
  open.push(index);
  return index;
}

/** 12 users liking random items over 100 days; times are distinct per user. */
function randomDataset(seed: number) {
  const random = createRandom(seed);
  const items = Array.from({ length: 40 }, (_, i) => `m${i}`);
  const interactions: TinyInteraction[] = [];
  for (let u = 0; u < 12; u++) {
    for (let n = 0; n < 14; n++) {
      interactions.push({ userId: `user${u}`, itemId: items[Math.floor(random() * 40)], timestamp: Math.floor(random() * 100) * 86_400 + u, label: random() < 0.7 ? 1 : 0 });
    }
  }
  return createTinyDataset({ items, interactions, validStart: 70 * 86_400, testStart: 85 * 86_400 });
}

/** A brute-force index with only the core contract (asOf < before), no snapshot chains. */
class PlainIndex implements VectorIndex {
  readonly dimensions = 32;
  readonly records: VectorRecord[] = [];
  async add(records: readonly VectorRecord[]): Promise<void> {
    this.records.push(...records);
  }
  async search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorHit[]> {
    return this.records
      .filter((r) => !options.excludeIds?.includes(r.id) && (options.before === undefined || (r.asOf !== undefined && r.asOf < options.before)))
      .map((r) => ({ id: r.id, text: r.text, asOf: r.asOf, score: r.vector.reduce((sum, x, i) => sum + x * vector[i], 0) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, options.limit);
  }
  async count(): Promise<number> {
    return this.records.length;
  }
  async close(): Promise<void> {}
}

describe('createCorpusRetriever', () => {
  it('returns the nearest other users with their newest behaviour before the target time', async () => {
    const dataset = createTinyDataset({
      items: ['a', 'b', 'c', 'd', 'e', 'f'],
      interactions: [
        { userId: 't', itemId: 'a', timestamp: 1, label: 1 },
        { userId: 't', itemId: 'b', timestamp: 2, label: 1 },
        { userId: 'x', itemId: 'a', timestamp: 3, label: 1 },
        { userId: 'x', itemId: 'b', timestamp: 30, label: 1 },
        { userId: 'y', itemId: 'e', timestamp: 4, label: 1 },
        { userId: 'y', itemId: 'f', timestamp: 6, label: 1 },
        { userId: 't', itemId: 'c', timestamp: 50, label: 1 },
      ],
      validStart: 100,
      testStart: 200,
    });
    const corpus = buildBehaviourCorpus(dataset, { snapshots: { everySeconds: 10, from: 0 } });
    const index = await lanceIndex();
    expect(await indexBehaviourCorpus({ index, corpus, embed, batchSize: 2 })).toBe(corpus.entries.length);
    const retriever = createCorpusRetriever({ variant: 'base', index, corpus, embed });
    expect(retriever.variant).toBe('base');
    // At time 20, x has only liked "a"; at 40 its snapshot with "a, b" is the one visible.
    const early = await retriever.retrieve({ userId: 't', history: ['a', 'b'], before: 20 }, 5);
    expect(early.map((u) => [u.userId, u.behaviour])).toEqual([
      ['x', quoted('a')],
      ['y', quoted('e', 'f')],
    ]);
    const late = await retriever.retrieve({ userId: 't', history: ['a', 'b'], before: 40 }, 1);
    expect(late).toEqual([{ userId: 'x', behaviour: quoted('a', 'b'), score: expect.closeTo(1, 5) }]);
    // Nobody has liked anything before 3, only x before 5 (y's first snapshot is at 6); never the target.
    expect((await retriever.retrieve({ userId: 't', history: ['a'], before: 3 }, 5)).map((u) => u.userId)).toEqual([]);
    expect((await retriever.retrieve({ userId: 't', history: ['a'], before: 5 }, 5)).map((u) => u.userId)).toEqual(['x']);
    expect((await retriever.retrieve({ history: ['a'], before: 1000 }, 5)).map((u) => u.userId).sort()).toEqual(['t', 'x', 'y']);
    const batch = await retriever.retrieveBatch(
      [
        { userId: 't', history: ['a', 'b'], before: 20 },
        { userId: 'x', history: ['e'], before: 1000 },
      ],
      1,
    );
    expect(batch.map((users) => users.map((u) => u.userId))).toEqual([['x'], ['y']]);
    await expect(retriever.retrieve({ userId: 't', history: [], before: Number.NaN }, 1)).rejects.toThrow(InvalidOptionError);
    await expect(retriever.retrieve({ userId: 't', history: [], before: 1 }, 0)).rejects.toThrow(/"k"/);
  });

  it.each(['lance', 'plain'] as const)(
    'on every row of a random dataset, retrieves only behaviour from before the row and never the target (%s index)',
    async (kind) => {
      const dataset = randomDataset(11);
      const corpus = buildBehaviourCorpus(dataset, { snapshots: { everySeconds: 7 * 86_400, until: 100 * 86_400 }, maxItems: 5 });
      const index = kind === 'lance' ? await lanceIndex() : new PlainIndex();
      await indexBehaviourCorpus({ index, corpus, embed });
      const retriever = createCorpusRetriever({ index, corpus, embed });
      const rows = dataset.rows.filter((_, i) => i % 3 === 0);
      const results = await retriever.retrieveBatch(
        rows.map((row) => ({ userId: row.userId, history: dataset.history(row, 5), before: row.timestamp })),
        20,
      );
      let checked = 0;
      rows.forEach((row, r) => {
        // Every user with a visible snapshot, except the target, is retrieved (k exceeds them).
        const expected = dataset.users.filter((u) => u !== row.userId && corpus.visibleEntry(u, row.timestamp) !== undefined);
        expect(results[r].map((u) => u.userId).sort()).toEqual([...expected].sort());
        for (const user of results[r]) {
          expect(user.userId).not.toBe(row.userId);
          const entry = corpus.visibleEntry(user.userId, row.timestamp)!;
          if (kind === 'lance') expect(user.behaviour).toBe(entry.text);
          const liked = dataset.positives(user.userId);
          const times = dataset.positiveTimes(user.userId);
          const shown = corpus.entriesOf(user.userId).find((e) => e.text === user.behaviour)!;
          for (const itemId of shown.itemIds) {
            const first = times[liked.indexOf(itemId)];
            expect(first).toBeLessThan(row.timestamp);
            checked++;
          }
        }
        const scores = results[r].map((u) => u.score);
        expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      });
      expect(checked).toBeGreaterThan(100);
    },
  );
});

describe('indexBehaviourCorpus', () => {
  it('rejects embeddings of the wrong width or row count and stops when aborted', async () => {
    const dataset = randomDataset(3);
    const corpus = buildBehaviourCorpus(dataset);
    const index = await lanceIndex();
    const narrow = async (texts: readonly string[]) => hashEmbed(texts, 16);
    await expect(indexBehaviourCorpus({ index, corpus, embed: narrow })).rejects.toThrow(DimensionMismatchError);
    const short = async (texts: readonly string[]) => hashEmbed(texts.slice(1));
    await expect(indexBehaviourCorpus({ index, corpus, embed: short })).rejects.toThrow(/has dimension 11, but 12 is required/);
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    await expect(indexBehaviourCorpus({ index, corpus, embed, signal: controller.signal })).rejects.toThrow('stopped');
    const events: number[] = [];
    expect(await indexBehaviourCorpus({ index, corpus, embed, batchSize: 5, onProgress: (e) => events.push(e.done) })).toBe(12);
    expect(events).toEqual([5, 10, 12]);
    expect(await index.count()).toBe(12);
  });
});

describe('createNeighbourRetriever', () => {
  it('returns CRM neighbours by score with their behaviour before the target time', async () => {
    const dataset = createTinyDataset({
      items: ['a', 'b', 'c'],
      interactions: [
        { userId: 'n1', itemId: 'a', timestamp: 10, label: 1 },
        { userId: 'n1', itemId: 'b', timestamp: 30, label: 1 },
        { userId: 'n2', itemId: 'c', timestamp: 20, label: 1 },
        { userId: 'n3', itemId: 'c', timestamp: 50, label: 1 },
        { userId: 't', itemId: 'a', timestamp: 5, label: 1 },
      ],
      validStart: 100,
      testStart: 200,
    });
    const corpus = buildBehaviourCorpus(dataset, { snapshots: [15, 25, 35, 100] });
    const neighbours = new Map([
      ['t', [
        { userId: 'n3', score: 0.9 },
        { userId: 't', score: 1 },
        { userId: 'n1', score: 0.7 },
        { userId: 'n2', score: 0.8 },
      ]],
    ]);
    const retriever = createNeighbourRetriever({ neighbours, corpus });
    expect(retriever.variant).toBe('cf');
    expect(await retriever.retrieve({ userId: 't', history: ['a'], before: 40 }, 5)).toEqual([
      { userId: 'n2', behaviour: quoted('c'), score: 0.8 },
      { userId: 'n1', behaviour: quoted('a', 'b'), score: 0.7 },
    ]);
    expect(await retriever.retrieve({ userId: 't', history: ['a'], before: 30 }, 1)).toEqual([{ userId: 'n2', behaviour: quoted('c'), score: 0.8 }]);
    expect((await retriever.retrieve({ userId: 't', history: ['a'], before: 1000 }, 2)).map((u) => u.userId)).toEqual(['n3', 'n2']);
    expect(await retriever.retrieve({ userId: 'n1', history: [], before: 1000 }, 2)).toEqual([]);
    await expect(retriever.retrieve({ history: ['a'], before: 40 }, 2)).rejects.toThrow(/"target.userId"/);
  });
});
