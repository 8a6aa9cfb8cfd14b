import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LanceVectorIndex, readCarStageManifest, runCarStage, writeNeighboursFile } from '@score/car-retriever';
import type { Logger } from '@score/core';
import { loadDataset } from '@score/data';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServeProgram, type ServeHandle } from './serve-program';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

// `score-serve --index-uri s3://...`: CAR's index is read from a local S3-compatible server
// (s3rver on 127.0.0.1, a temp folder) after the run folder's own copy is deleted.
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const AWS_KEYS = ['AWS_ENDPOINT', 'AWS_ALLOW_HTTP', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;
let run: TestRun;
let server: S3rver;
let storeDir: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  run = await createTestRun();
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-s3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, directory: storeDir, silent: true, configureBuckets: [{ name: 'runs', configs: [] }] });
  const { port } = await server.run();
  for (const key of AWS_KEYS) saved[key] = process.env[key];
  Object.assign(process.env, { AWS_ENDPOINT: `http://127.0.0.1:${port}`, AWS_ALLOW_HTTP: 'true', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });

  // A CAR stage in RUN/car (pooled encoder, one epoch; neighbours: users sharing training items).
  const dataset = await loadDataset(run.runDir);
  const liked = new Map<string, Set<string>>();
  for (const row of dataset.split('train')) if (row.label === 1) liked.set(row.userId, (liked.get(row.userId) ?? new Set()).add(row.itemId));
  const neighbours = new Map(
    [...liked].map(([userId, items]) => [
      userId,
      [...liked]
        .filter(([other]) => other !== userId)
        .map(([other, theirs]) => ({ userId: other, score: [...items].filter((item) => theirs.has(item)).length }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 5),
    ]),
  );
  const neighboursFile = path.join(run.runDir, 'neighbours.json');
  writeNeighboursFile(neighboursFile, neighbours);
  await runCarStage({ dataset, neighboursFile, outputDir: path.join(run.runDir, 'car'), encoder: 'pooled', epochs: 1, dimensions: 16, vocabSize: 300, retrieved: 5 });
  const manifest = readCarStageManifest(path.join(run.runDir, 'car'));
  const local = path.join(run.runDir, 'car', manifest.variants.car.index);
  for (const table of manifest.corpus.tables) {
    const index = await LanceVectorIndex.create({ dir: local, table, mode: 'open' });
    const copy = await index.copyTo({ dir: 's3://runs/run-1/car-index' });
    await copy.close();
    await index.close();
  }
  fs.rmSync(local, { recursive: true, force: true });
}, 60_000);

afterAll(async () => {
  for (const key of AWS_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await server?.close();
  fs.rmSync(storeDir, { recursive: true, force: true });
  run?.remove();
});

async function start(indexUri: string): Promise<ServeHandle> {
  let handle: ServeHandle | undefined;
  await createServeProgram({ logger: silent, handleSignals: false, onStarted: (started) => (handle = started) })
    .exitOverride()
    .parseAsync(['node', 'score-serve', '--run', run.runDir, '--port', '0', '--index-uri', indexUri, '--llm', run.llm, '--llm-threads', '1', '--llm-context', '4096']);
  return handle!;
}

describe('score-serve --index-uri', () => {
  it('serves with CAR reading its index from the bucket', async () => {
    const handle = await start('s3://runs/run-1/car-index');
    try {
      expect(await handle.loaded).toBe(true);
      expect((await fetch(`${handle.server.url}/readyz`)).status).toBe(200);
      const row = (await loadDataset(run.runDir)).split('test')[0]!;
      const response = await fetch(`${handle.server.url}/v1/score`, {
        method: 'POST',
        body: JSON.stringify({ userId: row.userId, itemId: row.itemId, ks: 2 }),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { probability: number; similarUsers: { userId: string }[] };
      expect(body.similarUsers.length).toBeGreaterThan(0);
      for (const user of body.similarUsers) expect(user.userId).not.toBe(row.userId);
    } finally {
      await handle.shutdown();
    }
  }, 60_000);

  it('fails to load (and shuts down) when the URI holds no index', async () => {
    const handle = await start('s3://runs/run-2/none');
    expect(await handle.loaded).toBe(false);
    expect(handle.server.server.listening).toBe(false);
  }, 60_000);
});
