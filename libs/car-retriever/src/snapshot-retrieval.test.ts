import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidOptionError, createRandom } from '@score/core';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBehaviourCorpus, MONTH_SECONDS, snapshotBoundaries } from './behaviour-corpus';
import { createCorpusRetriever } from './corpus-retriever';
import { createEmbeddingNeighbourRetriever } from './embedding-neighbour-retriever';
import { LanceVectorIndex } from './lance-vector-index';
import { createNeighbourRetriever } from './neighbour-retriever';
import { SnapshotIndexes, snapshotTableName, writeSnapshotIndexes } from './snapshot-indexes';
import { createTinyDataset, hashEmbed, type TinyInteraction } from './test-fixtures/tiny-dataset';

const quoted = (...titles: string[]) => titles.map((title) => `"Title ${title}"`).join(', ');
const embed = async (texts: readonly string[]) => hashEmbed(texts);
const DAY = 86_400;
const dirs: string[] = [];
const opened: SnapshotIndexes[] = [];
afterEach(async () => {
  for (const indexes of opened.splice(0)) await indexes.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-snapshots-'));
  dirs.push(dir);
  return dir;
}

/** t, x and y: x likes a at 3 and b at 30, so a row at 35 sees x's "a" only (snapshot 30). */
function handDataset() {
  return createTinyDataset({
    items: ['a', 'b', 'c', 'e', 'f'],
    interactions: [
      { userId: 't', itemId: 'a', timestamp: 1, label: 1 },
      { userId: 't', itemId: 'b', timestamp: 2, label: 1 },
      { userId: 'x', itemId: 'a', timestamp: 3, label: 1 },
      { userId: 'x', itemId: 'b', timestamp: 30, label: 1 },
      { userId: 'y', itemId: 'e', timestamp: 14, label: 1 },
      { userId: 'y', itemId: 'f', timestamp: 16, label: 1 },
      { userId: 't', itemId: 'c', timestamp: 50, label: 1 },
    ],
    validStart: 100,
    testStart: 200,
  });
}

/** 12 users liking random items over 100 days. */
function randomDataset(seed: number) {
  const random = createRandom(seed);
  const items = Array.from({ length: 40 }, (_, i) => `m${i}`);
  const interactions: TinyInteraction[] = [];
  for (let u = 0; u < 12; u++) {
    for (let n = 0; n < 14; n++) {
      interactions.push({ userId: `user${u}`, itemId: items[Math.floor(random() * 40)], timestamp: Math.floor(random() * 100) * DAY + u, label: random() < 0.7 ? 1 : 0 });
    }
  }
  return createTinyDataset({ items, interactions, validStart: 70 * DAY, testStart: 85 * DAY });
}

describe('behaviour snapshots', () => {
  it('resolves monthly and N evenly spaced boundaries ending at the start of the valid split', () => {
    const dataset = randomDataset(5);
    const first = Math.min(...dataset.users.map((user) => dataset.positiveTimes(user)[0] ?? Infinity));
    const validStart = Math.min(...dataset.split('valid').map((row) => row.timestamp));
    const monthly = snapshotBoundaries(dataset, 'monthly');
    expect(monthly).toEqual([first + MONTH_SECONDS, first + 2 * MONTH_SECONDS, validStart]);
    expect(snapshotBoundaries(dataset, 4)).toEqual([1, 2, 3, 4].map((i) => (i === 4 ? validStart : first + ((validStart - first) * i) / 4)));
    expect(snapshotBoundaries(dataset, 1)).toEqual([validStart]);
    expect(() => snapshotBoundaries(dataset, 0)).toThrow(InvalidOptionError);
    expect(() => snapshotBoundaries(dataset, 'weekly' as 'monthly')).toThrow(/"snapshots"/);
  });

  it('gives a row at time t the latest snapshot strictly before t, with each user\'s likes before that boundary', () => {
    const corpus = buildBehaviourCorpus(handDataset(), { snapshots: [10, 20, 30, 40, 100] });
    expect([5, 10, 11, 30, 35, 100, 150].map((t) => corpus.snapshotIndex(t))).toEqual([-1, -1, 0, 1, 2, 3, 4]);
    expect(corpus.snapshotEntry('x', 3)?.itemIds).toEqual(['a', 'b']);
    expect(corpus.snapshotEntry('x', 2)?.itemIds).toEqual(['a']);
    expect(corpus.snapshotEntry('y', 0)).toBeUndefined();
    expect(corpus.snapshotEntries(1).map((entry) => [entry.userId, entry.itemIds])).toEqual([
      ['t', ['a', 'b']],
      ['x', ['a']],
      ['y', ['e', 'f']],
    ]);
  });

  it('searches one LanceDB table per snapshot: behaviour as of the snapshot, never the target, nobody before the first', async () => {
    const dataset = handDataset();
    const corpus = buildBehaviourCorpus(dataset, { snapshots: [10, 20, 30, 40, 100] });
    const dir = tempDir();
    const tables = await writeSnapshotIndexes({ dir, corpus, embed, dimensions: 32, batchSize: 2 });
    expect(tables).toEqual([0, 1, 2, 3, 4].map(snapshotTableName));
    for (const [j, table] of tables.entries()) {
      const index = await LanceVectorIndex.create({ dir, table, mode: 'open' });
      expect(await index.count()).toBe(corpus.snapshotEntries(j).length);
      await index.close();
    }
    const snapshots = new SnapshotIndexes(dir, tables, 32);
    opened.push(snapshots);
    const retriever = createCorpusRetriever({ variant: 'car', snapshots, corpus, embed });
    // At 35 the snapshot is 30: x's like of b at 30 is not before it (a chain index would show it).
    expect((await retriever.retrieve({ userId: 't', history: ['a', 'b'], before: 35 }, 5)).map((u) => [u.userId, u.behaviour])).toEqual([
      ['x', quoted('a')],
      ['y', quoted('e', 'f')],
    ]);
    expect((await retriever.retrieve({ userId: 't', history: ['a', 'b'], before: 41 }, 1)).map((u) => [u.userId, u.behaviour])).toEqual([['x', quoted('a', 'b')]]);
    expect(await retriever.retrieve({ userId: 't', history: ['a'], before: 10 }, 5)).toEqual([]);
    expect((await retriever.retrieve({ userId: 't', history: ['a'], before: 15 }, 5)).map((u) => u.userId)).toEqual(['x']);
    expect((await retriever.retrieveBatch([{ history: ['a'], before: 1000 }], 5))[0].map((u) => u.userId).sort()).toEqual(['t', 'x', 'y']);
    // A missing table is named; closing afterwards is safe.
    const broken = new SnapshotIndexes(dir, ['snapshot-9999']);
    await expect(broken.table(0)).rejects.toThrow(/snapshot-9999/);
    await expect(broken.close()).resolves.toBeUndefined();
    expect(() => broken.table(1)).toThrow(InvalidOptionError);
  });

  it('on every row of a random dataset, returns exactly the other users of the row\'s snapshot, each with behaviour before it', async () => {
    const dataset = randomDataset(11);
    const corpus = buildBehaviourCorpus(dataset, { snapshots: { everySeconds: 7 * DAY }, maxItems: 5 });
    const dir = tempDir();
    const snapshots = new SnapshotIndexes(dir, await writeSnapshotIndexes({ dir, corpus, embed, dimensions: 32 }));
    opened.push(snapshots);
    const retriever = createCorpusRetriever({ snapshots, corpus, embed });
    const neighbours = new Map(dataset.users.map((user) => [user, dataset.users.filter((other) => other !== user).map((other, i) => ({ userId: other, score: -i }))]));
    const cf = createNeighbourRetriever({ neighbours, corpus, visibility: 'snapshot' });
    const rows = dataset.rows.filter((_, i) => i % 2 === 0);
    const results = await retriever.retrieveBatch(rows.map((row) => ({ userId: row.userId, history: dataset.history(row, 5), before: row.timestamp })), 20);
    let checked = 0;
    let empty = 0;
    for (const [r, row] of rows.entries()) {
      const snapshot = corpus.snapshotIndex(row.timestamp);
      const expected = snapshot < 0 ? [] : dataset.users.filter((u) => u !== row.userId && corpus.snapshotEntry(u, snapshot) !== undefined);
      expect(results[r].map((u) => u.userId).sort()).toEqual([...expected].sort());
      const viaCf = await cf.retrieve({ userId: row.userId, history: [], before: row.timestamp }, 20);
      expect(viaCf.map((u) => u.userId).sort()).toEqual([...expected].sort());
      if (expected.length === 0) empty++;
      for (const user of [...results[r], ...viaCf]) {
        const entry = corpus.snapshotEntry(user.userId, snapshot)!;
        expect(user.behaviour).toBe(entry.text);
        const liked = dataset.positives(user.userId);
        const times = dataset.positiveTimes(user.userId);
        for (const itemId of entry.itemIds) {
          // Leakage rule: before the snapshot's boundary, so before the row; training interactions only.
          expect(times[liked.indexOf(itemId)]).toBeLessThan(corpus.boundaries[snapshot]);
          expect(corpus.boundaries[snapshot]).toBeLessThan(row.timestamp);
          expect(times[liked.indexOf(itemId)]).toBeLessThan(70 * DAY);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
    // Only rows up to the first boundary (day 7 after the first like) see nobody.
    expect(empty).toBe(rows.filter((row) => row.timestamp <= corpus.boundaries[0]).length);
    expect(empty).toBeLessThan(rows.length / 5);
  });
});

describe('createEmbeddingNeighbourRetriever', () => {
  it('ranks the users of the row\'s snapshot by cosine of CRM embeddings, never the target', async () => {
    const corpus = buildBehaviourCorpus(handDataset(), { snapshots: [10, 20, 30, 40, 100] });
    // t = (1, 0); x = (1, 1) (cosine 0.707); y = (2, 0.2) (cosine 0.995); z has no behaviour.
    const embeddings = { rows: 4, cols: 2, data: Float32Array.from([1, 0, 1, 1, 2, 0.2, 1, 0]) };
    const retriever = createEmbeddingNeighbourRetriever({ embeddings, userIds: ['t', 'x', 'y', 'z'], corpus });
    expect(retriever.variant).toBe('cf');
    const late = await retriever.retrieve({ userId: 't', history: [], before: 35 }, 5);
    expect(late.map((u) => [u.userId, u.behaviour])).toEqual([
      ['y', quoted('e', 'f')],
      ['x', quoted('a')],
    ]);
    expect(late[0].score).toBeCloseTo(2 / Math.sqrt(4.04), 5);
    expect(late[1].score).toBeCloseTo(Math.SQRT1_2, 5);
    // Before 20 only x has behaviour; before the first boundary nobody; k = 1 keeps the best.
    expect((await retriever.retrieve({ userId: 't', history: [], before: 15 }, 5)).map((u) => u.userId)).toEqual(['x']);
    expect(await retriever.retrieve({ userId: 't', history: [], before: 10 }, 5)).toEqual([]);
    expect((await retriever.retrieve({ userId: 't', history: [], before: 1000 }, 1)).map((u) => u.userId)).toEqual(['y']);
    expect(await retriever.retrieve({ userId: 'nobody', history: [], before: 1000 }, 3)).toEqual([]);
    await expect(retriever.retrieve({ history: [], before: 40 }, 2)).rejects.toThrow(/"target.userId"/);
    expect(() => createEmbeddingNeighbourRetriever({ embeddings, userIds: ['t'], corpus })).toThrow(/one per row/);
  });

  it('with the CRM itself (embedUsers), embeds the target\'s history before the row and each candidate\'s snapshot behaviour', async () => {
    const corpus = buildBehaviourCorpus(handDataset(), { snapshots: [10, 20, 30, 40, 100] });
    // e_u counts "a"/"b" likes against "e"/"f" likes (+ a small constant so no row is zero).
    const calls: string[][] = [];
    const embedUsers = async (inputs: readonly { readonly history: readonly string[]; readonly userId?: string }[]) => {
      calls.push(inputs.map((input) => `${input.userId}:${input.history.join('')}`));
      const data = Float32Array.from(inputs.flatMap((input) => [input.history.filter((id) => id === 'a' || id === 'b').length + 0.1, input.history.filter((id) => id === 'e' || id === 'f').length + 0.1]));
      return { rows: inputs.length, cols: 2, data };
    };
    const retriever = createEmbeddingNeighbourRetriever({ embedUsers, corpus });
    // At 35 (snapshot 30): x liked "a" only, y "e, f"; a target who liked "a, b" is closest to x.
    const [likesA, likesE] = await retriever.retrieveBatch([
      { userId: 't', history: ['a', 'b'], before: 35 },
      { userId: 't', history: ['e'], before: 35 },
    ], 2);
    expect(likesA.map((u) => [u.userId, u.behaviour])).toEqual([['x', quoted('a')], ['y', quoted('e', 'f')]]);
    expect(likesE.map((u) => u.userId)).toEqual(['y', 'x']);
    expect(likesA[0].score).toBeCloseTo((2.1 * 1.1 + 0.1 * 0.1) / Math.hypot(2.1, 0.1) / Math.hypot(1.1, 0.1), 5);
    // The targets' histories as given, and snapshot 2's users with their behaviour before 30.
    expect(calls).toEqual([['t:ab', 't:e'], ['t:ab', 'x:a', 'y:ef']]);
    expect(await retriever.retrieve({ userId: 't', history: ['a'], before: 5 }, 2)).toEqual([]);
  });
});
