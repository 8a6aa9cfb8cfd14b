import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, createRandom } from '@score/core';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCarStage } from './car-stage';
import { readCarStageManifest } from './car-stage-manifest';
import { isStorageUri, LanceVectorIndex, type LanceVectorRecord } from './lance-vector-index';
import { loadCarRetriever } from './load-car-retriever';
import { writeNeighboursFile } from './neighbours-file';
import { itemSetNeighbours } from './test-fixtures/item-set-neighbours';

// The index on object storage: a local S3-compatible server (s3rver, in this process, on
// 127.0.0.1 with a temp folder) stands in for S3; LanceDB talks S3 to it over HTTP.
const BUCKET = 'runs';
let server: S3rver;
let storeDir: string;
let root: string;
let storageOptions: Record<string, string>;
let endpoint: string;

beforeAll(async () => {
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-s3rver-'));
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'car-s3-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, directory: storeDir, silent: true, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  storageOptions = { endpoint, allow_http: 'true', aws_access_key_id: 'S3RVER', aws_secret_access_key: 'S3RVER', region: 'us-east-1' };
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(storeDir, { recursive: true, force: true });
  fs.rmSync(root, { recursive: true, force: true });
});

/** Object keys the S3 server holds under `prefix` (s3rver keeps each object as a folder of files). */
function storedKeys(prefix: string): string[] {
  const bucketDir = path.join(storeDir, BUCKET);
  if (!fs.existsSync(bucketDir)) return [];
  return (fs.readdirSync(bucketDir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('._S3rver_object'))
    .map((file) => file.slice(0, -'._S3rver_object'.length).split(path.sep).join('/'))
    .filter((key) => key.startsWith(prefix));
}

function records(count: number, seed: number): LanceVectorRecord[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `u${i % (count - 50)}`,
    vector: Float32Array.from({ length: 8 }, () => random() * 2 - 1),
    text: `text ${i}`,
    asOf: 100 + i,
    // The last 50 rows are newer snapshots of u0..u49; their older rows are superseded then.
    ...(i < 50 ? { supersededAt: 100 + count - 50 + i } : {}),
  }));
}

describe('LanceVectorIndex on S3 (s3rver)', () => {
  it('tells URIs from folders', () => {
    expect(['s3://b/x', 'gs://b/x', 'az://c/x', 's3+ddb://b/x', 'memory://'].map(isStorageUri)).toEqual([true, true, true, true, true]);
    expect(['/tmp/run/car/index', 'run/car', 'C:\\runs\\car', 's3:/b'].map(isStorageUri)).toEqual([false, false, false, false]);
  });

  it('writes the table to the bucket, builds the ANN index there, reopens it with credentials from the environment and answers as a local copy does', async () => {
    const uri = `s3://${BUCKET}/run-1/car-index`;
    const rows = records(650, 3);
    const ann = { threshold: 500, kind: 'hnsw-sq' as const, params: { m: 8, efConstruction: 64 }, search: { ef: 64 } };
    const remote = await LanceVectorIndex.create({ dir: uri, storageOptions, dimensions: 8, ann });
    await remote.add(rows);
    expect(remote.annIndexKind).toBe('hnsw-sq');
    await remote.close();
    // Nothing went to a local folder named after the URI; the bucket holds the table and its index.
    expect(fs.existsSync('s3:')).toBe(false);
    const keys = storedKeys('run-1/car-index/behaviours.lance/');
    expect(keys.some((key) => key.includes('/data/') && key.endsWith('.lance'))).toBe(true);
    expect(keys.some((key) => key.includes('/_indices/'))).toBe(true);
    expect(keys.some((key) => key.includes('/_versions/'))).toBe(true);

    const local = await LanceVectorIndex.create({ dir: path.join(root, 'local'), dimensions: 8, ann });
    await local.add(rows);
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT: endpoint, AWS_ALLOW_HTTP: 'true', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
    let reopened: LanceVectorIndex;
    try {
      reopened = await LanceVectorIndex.create({ dir: uri, mode: 'open' });
    } finally {
      for (const key of ['AWS_ENDPOINT', 'AWS_ALLOW_HTTP', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
    try {
      expect(reopened.dimensions).toBe(8);
      expect(reopened.annIndexKind).toBe('hnsw-sq');
      expect(await reopened.count()).toBe(650);
      const random = createRandom(9);
      for (let q = 0; q < 5; q++) {
        const query = Float32Array.from({ length: 8 }, () => random() * 2 - 1);
        for (const options of [{ limit: 10, exact: true }, { limit: 10, before: 400, excludeIds: ['u3'] }, { limit: 5, before: 1e9 }]) {
          const fromBucket = await reopened.search(query, options);
          const fromFolder = await local.search(query, options);
          expect(fromBucket.map((hit) => [hit.id, hit.asOf])).toEqual(fromFolder.map((hit) => [hit.id, hit.asOf]));
          expect(fromBucket.length).toBe(options.limit);
          for (const hit of fromBucket) if (options.before === 400) expect(hit.asOf!).toBeLessThan(400);
        }
      }
      const recall = await reopened.measureRecall({ queries: [Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0])], k: 10 });
      expect(recall.annIndex).toBe(true);
      expect(recall.recall).toBeGreaterThanOrEqual(0.9);
    } finally {
      await reopened.close();
      await local.close();
    }

    await expect(LanceVectorIndex.create({ dir: uri, storageOptions, dimensions: 8 })).rejects.toThrow(/"mode": is "create", but the table "behaviours" already exists in s3:\/\/runs\/run-1\/car-index/);
    const missing = LanceVectorIndex.create({ dir: `s3://${BUCKET}/run-2/none`, storageOptions, mode: 'open' });
    await expect(missing).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(LanceVectorIndex.create({ dir: `s3://${BUCKET}/run-2/none`, storageOptions, mode: 'open' })).rejects.toThrow(/s3:\/\/runs\/run-2\/none\/behaviours\.lance/);
    await expect(LanceVectorIndex.create({ dir: 's3://no-such-bucket/x', storageOptions, mode: 'open' })).rejects.toThrow(/LanceDB could not open the table "behaviours" at s3:\/\/no-such-bucket\/x: .*NoSuchBucket/);
    await expect(LanceVectorIndex.create({ dir: uri, storageOptions: { endpoint: 1 } as unknown as Record<string, string>, mode: 'open' })).rejects.toThrow(/"storageOptions": must be an object of string values/);
  }, 60_000);

  describe('a CAR stage whose index is copied to the bucket', () => {
    let dataset: Awaited<ReturnType<typeof generateSyntheticDataset>>;
    const stageDir = () => path.join(root, 'car');

    beforeAll(async () => {
      dataset = await generateSyntheticDataset({ users: 40, items: 80, seed: 7, minInteractionsPerUser: 8, maxInteractionsPerUser: 20 });
      await saveDataset(dataset, path.join(root, 'prepare'));
      const neighboursFile = path.join(root, 'crm-neighbours.json');
      writeNeighboursFile(neighboursFile, itemSetNeighbours(dataset, 5));
      await runCarStage({ dataset, neighboursFile, outputDir: stageDir(), encoder: 'pooled', epochs: 1, dimensions: 16, vocabSize: 300, retrieved: 5, snapshots: { everySeconds: 60 * 86_400 } });
    }, 60_000);

    it('loadCarRetriever(stageDir, { indexUri }) retrieves from the bucket what the stage folder gives', async () => {
      const uri = `s3://${BUCKET}/run-3/car-index`;
      const manifest = readCarStageManifest(stageDir());
      expect(manifest.corpus.tables.length).toBeGreaterThan(1);
      for (const table of manifest.corpus.tables) {
        const source = await LanceVectorIndex.create({ dir: path.join(stageDir(), manifest.variants.car.index), table, mode: 'open' });
        const progress: number[] = [];
        const copy = await source.copyTo({ dir: uri, storageOptions, onProgress: (event) => progress.push(event.done) });
        expect(copy.tableName).toBe(table);
        expect(await copy.count()).toBe(await source.count());
        if ((await source.count()) > 0) expect(progress.at(-1)).toBe(await source.count());
        await copy.close();
        await source.close();
        expect(storedKeys(`run-3/car-index/${table}.lance/`).length).toBeGreaterThan(1);
      }

      const fromFolder = await loadCarRetriever(stageDir(), { variant: 'car', dataset });
      const fromBucket = await loadCarRetriever(stageDir(), { variant: 'car', dataset, indexUri: uri, storageOptions });
      try {
        const rows = [...dataset.split('valid').slice(0, 4), ...dataset.split('test').slice(0, 4)];
        let found = 0;
        for (const row of rows) {
          const target = { userId: row.userId, history: dataset.history(row), before: row.timestamp };
          const a = await fromFolder.retrieve(target, 5);
          const b = await fromBucket.retrieve(target, 5);
          expect(b.map((user) => [user.userId, user.behaviour])).toEqual(a.map((user) => [user.userId, user.behaviour]));
          found += b.length;
        }
        expect(found).toBeGreaterThan(rows.length);
      } finally {
        await fromFolder.dispose();
        await fromBucket.dispose();
      }
      await expect(loadCarRetriever(stageDir(), { dataset, indexUri: `s3://${BUCKET}/run-4/none`, storageOptions })).rejects.toBeInstanceOf(ArtifactNotFoundError);
    }, 60_000);
  });
});
