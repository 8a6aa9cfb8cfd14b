import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, DimensionMismatchError, InvalidOptionError, createRandom } from '@score/core';
import { afterEach, describe, expect, it } from 'vitest';
import { LanceVectorIndex, type LanceVectorRecord } from './lance-vector-index';
import { createVectorSource } from './test-fixtures/synthetic-vectors';

const open: LanceVectorIndex[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((index) => index.close()));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-index-'));
  dirs.push(dir);
  return dir;
}

async function createIndex(options: Partial<Parameters<typeof LanceVectorIndex.create>[0]> = {}): Promise<LanceVectorIndex> {
  const index = await LanceVectorIndex.create({ dir: tempDir(), dimensions: 8, ...options });
  open.push(index);
  return index;
}

/** Random records (not normalised, so cosine and dot rank differently). */
function randomRecords(count: number, dimensions: number, seed: number): LanceVectorRecord[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `u${i}`,
    vector: Float32Array.from({ length: dimensions }, () => random() * 2 - 1),
    text: `text ${i}`,
    asOf: 100 + i,
  }));
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function bruteForce(records: readonly LanceVectorRecord[], query: Float32Array, metric: 'cosine' | 'dot', k: number) {
  const score = (v: Float32Array) => (metric === 'dot' ? dot(v, query) : dot(v, query) / Math.sqrt(dot(v, v) * dot(query, query)));
  return records
    .map((record) => ({ id: record.id, score: score(record.vector) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

describe('LanceVectorIndex', () => {
  it.each(['cosine', 'dot'] as const)('exact %s search equals brute force', async (metric) => {
    const records = randomRecords(200, 8, 1);
    const index = await createIndex({ metric, batchSize: 64 });
    await index.add(records);
    expect(await index.count()).toBe(200);
    expect(index.annIndexKind).toBeUndefined();
    const random = createRandom(2);
    for (let q = 0; q < 5; q++) {
      const query = Float32Array.from({ length: 8 }, () => random() * 2 - 1);
      const hits = await index.search(query, { limit: 7 });
      const expected = bruteForce(records, query, metric, 7);
      expect(hits.map((hit) => hit.id)).toEqual(expected.map((e) => e.id));
      hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i].score, 4));
      const first = records[Number(hits[0].id.slice(1))];
      expect(hits[0].text).toBe(first.text);
      expect(hits[0].asOf).toBe(first.asOf);
    }
  });

  it('filters by time (asOf < before) and excludes ids, as prefilters', async () => {
    const records = randomRecords(50, 8, 3);
    const index = await createIndex();
    await index.add(records);
    const query = records[10].vector;
    const hits = await index.search(query, { limit: 50, before: 130, excludeIds: ['u10', "o'brien", 'u3'] });
    const expected = bruteForce(records.filter((r) => r.asOf! < 130 && r.id !== 'u10' && r.id !== 'u3'), query, 'cosine', 50);
    expect(hits.map((hit) => hit.id)).toEqual(expected.map((e) => e.id));
    expect(hits).toHaveLength(28);
    expect(hits.every((hit) => hit.asOf! < 130)).toBe(true);
    // The prefilter still fills the limit when the nearest entries are filtered out.
    const few = await index.search(query, { limit: 3, before: 105 });
    const nearestEarly = bruteForce(records.slice(0, 5), query, 'cosine', 3);
    expect(few.map((hit) => hit.id)).toEqual(nearestEarly.map((e) => e.id));
  });

  it('returns exactly the newest snapshot before the target time for each id', async () => {
    const index = await createIndex({ dimensions: 2 });
    const v = Float32Array.from([1, 0]);
    await index.add([
      { id: 'a', vector: v, text: 'a@10', asOf: 10, supersededAt: 20 },
      { id: 'a', vector: v, text: 'a@20', asOf: 20, supersededAt: 30 },
      { id: 'a', vector: v, text: 'a@30', asOf: 30 },
      { id: 'b', vector: Float32Array.from([0, 1]), text: 'b@15', asOf: 15 },
      { id: 'c', vector: v, text: 'no time' },
    ]);
    const texts = async (before?: number) => (await index.search(v, { limit: 10, before })).map((hit) => hit.text).sort();
    expect(await texts(10)).toEqual([]);
    expect(await texts(11)).toEqual(['a@10']);
    expect(await texts(20)).toEqual(['a@10', 'b@15']);
    expect(await texts(25)).toEqual(['a@20', 'b@15']);
    expect(await texts(1000)).toEqual(['a@30', 'b@15']);
    // Without a time, only entries that are not superseded (including those without asOf).
    expect(await texts()).toEqual(['a@30', 'b@15', 'no time']);
  });

  it('rejects vectors of the wrong dimension with both sizes named', async () => {
    const index = await createIndex({ dimensions: 4 });
    await expect(index.add([{ id: 'x', vector: new Float32Array(3) }])).rejects.toThrow(DimensionMismatchError);
    await expect(index.add([{ id: 'x', vector: new Float32Array(3) }])).rejects.toThrow(
      'The vector of record 0 (id "x") has dimension 3, but 4 is required.',
    );
    const error = await index.search(new Float32Array(5), { limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DimensionMismatchError);
    expect((error as DimensionMismatchError).expected).toBe(4);
    expect((error as DimensionMismatchError).actual).toBe(5);
    expect(await index.count()).toBe(0);
  });

  it('opens an existing table, checks its dimension and refuses to re-create it', async () => {
    const dir = tempDir();
    const first = await LanceVectorIndex.create({ dir, dimensions: 3, metric: 'dot' });
    await first.add([{ id: 'a', vector: Float32Array.from([1, 2, 3]), asOf: 5 }]);
    await first.close();
    await first.close();
    await expect(first.count()).rejects.toThrow(/is closed/);
    const reopened = await LanceVectorIndex.create({ dir, mode: 'open' });
    open.push(reopened);
    expect([reopened.dimensions, reopened.metric, await reopened.count()]).toEqual([3, 'dot', 1]);
    const [hit] = await reopened.search(Float32Array.from([1, 0, 0]), { limit: 1 });
    expect(hit).toMatchObject({ id: 'a', score: expect.closeTo(1, 5), asOf: 5 });
    await expect(LanceVectorIndex.create({ dir, mode: 'open', dimensions: 4 })).rejects.toThrow(
      `The vector column of table "behaviours" in ${dir} has dimension 3, but 4 is required.`,
    );
    await expect(LanceVectorIndex.create({ dir, mode: 'open', metric: 'cosine' })).rejects.toThrow(/created with "dot"/);
    await expect(LanceVectorIndex.create({ dir, dimensions: 3 })).rejects.toThrow(/already exists/);
    const replaced = await LanceVectorIndex.create({ dir, dimensions: 2, mode: 'overwrite' });
    open.push(replaced);
    expect(await replaced.count()).toBe(0);
    await expect(LanceVectorIndex.create({ dir: path.join(dir, 'missing'), mode: 'open' })).rejects.toThrow(ArtifactNotFoundError);
    await expect(LanceVectorIndex.create({ dir, mode: 'open', table: 'other' })).rejects.toThrow(ArtifactNotFoundError);
  });

  it('validates its options once, naming the field', async () => {
    const dir = tempDir();
    await expect(LanceVectorIndex.create({ dir })).rejects.toThrow('Invalid "dimensions": is required to create a table.');
    await expect(LanceVectorIndex.create({ dir, dimensions: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(LanceVectorIndex.create({ dir, dimensions: 2, metric: 'l2' as 'dot' })).rejects.toThrow(/"metric"/);
    await expect(LanceVectorIndex.create({ dir, dimensions: 2, ann: { kind: 'kd-tree' as 'hnsw-sq' } })).rejects.toThrow(/"ann.kind": must be one of/);
    await expect(LanceVectorIndex.create({ dir, dimensions: 2, ann: { search: { ef: 0 } } })).rejects.toThrow(/"ann.search.ef"/);
    const index = await createIndex({ dimensions: 2 });
    await expect(index.search(new Float32Array(2), { limit: 0 })).rejects.toThrow(/"limit"/);
  });

  it('builds an ANN index above the threshold and measures its recall against exact search', async () => {
    const source = createVectorSource({ dimensions: 16, seed: 7, distribution: 'clustered', clusters: 8 });
    const vectors = source.next(600);
    const records = Array.from({ length: 600 }, (_, i) => ({ id: `u${i}`, vector: vectors.subarray(i * 16, (i + 1) * 16), asOf: i }));
    const dir = tempDir();
    const index = await LanceVectorIndex.create({
      dir,
      dimensions: 16,
      ann: { threshold: 500, kind: 'hnsw-sq', params: { m: 8, efConstruction: 64 }, search: { ef: 64 } },
    });
    open.push(index);
    await index.add(records.slice(0, 400));
    expect(index.annIndexKind).toBeUndefined();
    await index.add(records.slice(400));
    expect(index.annIndexKind).toBe('hnsw-sq');
    const queries = source.next(20);
    const report = await index.measureRecall({ queries: { rows: 20, cols: 16, data: queries }, k: 10 });
    expect(report).toMatchObject({ k: 10, queries: 20, annIndex: true });
    expect(report.recall).toBeGreaterThanOrEqual(0.9);
    expect(report.recall).toBeLessThanOrEqual(1);
    // The time prefilter also applies to ANN searches.
    const hits = await index.search(queries.subarray(0, 16), { limit: 10, before: 50 });
    expect(hits).toHaveLength(10);
    expect(hits.every((hit) => hit.asOf! < 50)).toBe(true);
    // An IVF-flat rebuild replaces the HNSW index and is what a reopened index reports.
    const built = await index.buildAnnIndex({ kind: 'ivf-flat', params: { numPartitions: 4 }, search: { nprobes: 4 } });
    expect(built).toMatchObject({ kind: 'ivf-flat', rows: 600 });
    expect((await index.measureRecall({ queries: [queries.subarray(0, 16)], k: 5 })).recall).toBe(1);
    // Per-query search settings: probing every partition is exact; probing one of sixteen loses
    // neighbours of queries that fall between the clusters.
    await index.buildAnnIndex({ kind: 'ivf-flat', params: { numPartitions: 16 }, search: { nprobes: 16 } });
    const between = createVectorSource({ dimensions: 16, seed: 9, distribution: 'uniform' }).next(20);
    let overlapAll = 0;
    let overlapOne = 0;
    for (let q = 0; q < 20; q++) {
      const query = between.subarray(q * 16, (q + 1) * 16);
      const truth = new Set((await index.search(query, { limit: 10, exact: true })).map((hit) => hit.id));
      overlapAll += (await index.search(query, { limit: 10, annSearch: { nprobes: 16 } })).filter((hit) => truth.has(hit.id)).length;
      overlapOne += (await index.search(query, { limit: 10, annSearch: { nprobes: 1 } })).filter((hit) => truth.has(hit.id)).length;
    }
    expect(overlapAll).toBe(200);
    expect(overlapOne).toBeLessThan(190);
    await expect(index.search(queries.subarray(0, 16), { limit: 10, annSearch: { nprobes: 0 } })).rejects.toThrow(/annSearch\.search\.nprobes/);
    await index.close();
    const reopened = await LanceVectorIndex.create({ dir, mode: 'open' });
    open.push(reopened);
    expect(reopened.annIndexKind).toBe('ivf-flat');
  });
});
