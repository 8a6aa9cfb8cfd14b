import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '@score/core';
import { LanceVectorIndex, type LanceVectorRecord } from './lance-vector-index';

// The serving path: a `before` after every entry skips the time prefilter, and excluded ids are
// dropped from an unfiltered search. Results must equal a brute-force search with the full rule.
const dirs: string[] = [];
const open: LanceVectorIndex[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((index) => index.close()));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-fast-'));
  dirs.push(dir);
  return dir;
}

function records(count: number, seed: number, extra: (i: number) => Partial<LanceVectorRecord> = () => ({})): LanceVectorRecord[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, i) => ({ id: `u${i}`, vector: Float32Array.from({ length: 8 }, () => random() * 2 - 1), text: `t${i}`, asOf: 100 + i, ...extra(i) }));
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/** The leakage rule by brute force: visible at `before`, not excluded, best first. */
function bruteForce(rows: readonly LanceVectorRecord[], query: Float32Array, limit: number, before: number | undefined, exclude: readonly string[]): string[] {
  return rows
    .filter((row) => !exclude.includes(row.id))
    .filter((row) => (before === undefined ? row.supersededAt === undefined : row.asOf !== undefined && row.asOf < before && (row.supersededAt === undefined || row.supersededAt >= before)))
    .map((row) => ({ id: row.id, asOf: row.asOf, score: cosine(row.vector, query) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((row) => `${row.id}@${row.asOf}`);
}

describe('LanceVectorIndex serving path', () => {
  it('tracks latestAsOf through add and reopen (undefined when an entry has no asOf)', async () => {
    const dir = tempDir();
    const index = await LanceVectorIndex.create({ dir, dimensions: 8 });
    expect(index.latestAsOf).toBeUndefined();
    await index.add(records(30, 1));
    expect(index.latestAsOf).toBe(129);
    await index.close();
    const reopened = await LanceVectorIndex.create({ dir, mode: 'open' });
    open.push(reopened);
    expect(reopened.latestAsOf).toBe(129);
    await reopened.add([{ id: 'x', vector: new Float32Array(8).fill(1) }]);
    expect(reopened.latestAsOf).toBeUndefined();
  });

  it('answers a late `before` and excluded ids as the full rule does, exact and ANN, with and without snapshot chains', async () => {
    // 650 users; the first 100 have an older snapshot superseded by the newer one.
    const current = records(650, 2);
    const older = records(100, 3, (i) => ({ id: `u${i}`, asOf: 50 + i * 0.1, supersededAt: 100 + i, text: `old${i}` }));
    for (const [name, rows] of [
      ['chains', [...older, ...current]],
      ['no chains', current],
    ] as const) {
      const index = await LanceVectorIndex.create({ dir: tempDir(), dimensions: 8, ann: { threshold: 500, kind: 'hnsw-sq', params: { m: 16, efConstruction: 200 }, search: { ef: 400 } } });
      open.push(index);
      await index.add(rows);
      expect(index.annIndexKind, name).toBe('hnsw-sq');
      const random = createRandom(7);
      let agree = 0;
      let total = 0;
      for (let q = 0; q < 20; q++) {
        const query = Float32Array.from({ length: 8 }, () => random() * 2 - 1);
        const exclude = [bruteForce(rows, query, 1, undefined, [])[0]!.split('@')[0]!, 'u5'];
        for (const before of [1e9, 749.5, 400, undefined]) {
          const expected = bruteForce(rows, query, 10, before, exclude);
          const exact = (await index.search(query, { limit: 10, before, excludeIds: exclude, exact: true })).map((hit) => `${hit.id}@${hit.asOf}`);
          expect(exact, `${name}, before ${before}`).toEqual(expected);
          const ann = (await index.search(query, { limit: 10, before, excludeIds: exclude })).map((hit) => `${hit.id}@${hit.asOf}`);
          expect(ann).toHaveLength(10);
          for (const hit of ann) expect(exclude).not.toContain(hit.split('@')[0]);
          agree += ann.filter((hit) => expected.includes(hit)).length;
          total += 10;
        }
      }
      expect(agree / total, name).toBeGreaterThanOrEqual(0.95);
    }
  }, 60_000);

  it('keeps asking while excluded ids fill the hits (an id with many entries)', async () => {
    const index = await LanceVectorIndex.create({ dir: tempDir(), dimensions: 8 });
    open.push(index);
    const near = Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0]);
    // 40 entries of "self" right at the query, then 20 others further away.
    await index.add([
      ...Array.from({ length: 40 }, (_, i) => ({ id: 'self', vector: Float32Array.from([1, 0.001 * i, 0, 0, 0, 0, 0, 0]), asOf: i })),
      ...records(20, 4),
    ]);
    const hits = await index.search(near, { limit: 5, before: 1e9, excludeIds: ['self'] });
    expect(hits).toHaveLength(5);
    expect(hits.map((hit) => hit.id)).not.toContain('self');
    expect(hits.map((hit) => `${hit.id}@${hit.asOf}`)).toEqual(bruteForce(records(20, 4), near, 5, 1e9, []));
  });
});
