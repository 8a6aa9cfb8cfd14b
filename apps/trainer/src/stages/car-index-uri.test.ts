import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LanceVectorIndex, readCarStageManifest } from '@score/car-retriever';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../test-helpers';

// car.indexUri (score-train car --index-uri): the stage copies the CAR index to object storage, a
// local S3-compatible server here (s3rver on 127.0.0.1, a temp folder; credentials from AWS_*).
const AWS_KEYS = ['AWS_ENDPOINT', 'AWS_ALLOW_HTTP', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;
const saved: Record<string, string | undefined> = {};
let server: S3rver;
let storeDir: string;

beforeAll(async () => {
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-s3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, directory: storeDir, silent: true, configureBuckets: [{ name: 'runs', configs: [] }] });
  const { port } = await server.run();
  for (const key of AWS_KEYS) saved[key] = process.env[key];
  Object.assign(process.env, { AWS_ENDPOINT: `http://127.0.0.1:${port}`, AWS_ALLOW_HTTP: 'true', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
});

afterAll(async () => {
  for (const key of AWS_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await server?.close();
  fs.rmSync(storeDir, { recursive: true, force: true });
});

describe('score-train car --index-uri (car.indexUri)', () => {
  it('copies the fine-tuned index to the bucket, where it answers as the run folder copy does', async () => {
    const run = path.join(tempDir(), 'run');
    await runCli(['prepare', '--synthetic', '--users', '60', '--items', '90', '--seed', '5', '--out', run, '--quiet']);
    await runCli(['crm', '--run', run, '--epochs', '1', '--no-baseline', '--json']);
    const uri = 's3://runs/team/run-1/car-index';
    const car = JSON.parse((await runCli(['car', '--run', run, '--epochs', '1', '--index-uri', uri, '--json'])).stdout);
    expect(car.indexUri).toBe(uri);
    const runManifest = JSON.parse(fs.readFileSync(path.join(run, 'manifest.json'), 'utf8'));
    expect(runManifest.config.car.indexUri).toBe(uri);

    const manifest = readCarStageManifest(path.join(run, 'car'));
    const table = manifest.corpus.tables.at(-1)!;
    expect(manifest.corpus.tables.length).toBeGreaterThan(0);
    for (const name of manifest.corpus.tables) {
      const copy = await LanceVectorIndex.create({ dir: uri, table: name, mode: 'open' });
      await copy.close();
    }
    const local = await LanceVectorIndex.create({ dir: path.join(run, 'car', manifest.variants.car.index), table, mode: 'open' });
    const remote = await LanceVectorIndex.create({ dir: uri, table, mode: 'open' });
    try {
      expect(await remote.count()).toBe(await local.count());
      expect(await remote.count()).toBeGreaterThan(0);
      for (let q = 0; q < 3; q++) {
        const query = Float32Array.from({ length: local.dimensions }, (_, i) => Math.sin(i * (q + 1)));
        const expected = await local.search(query, { limit: 5 });
        expect((await remote.search(query, { limit: 5 })).map((hit) => [hit.id, hit.asOf])).toEqual(expected.map((hit) => [hit.id, hit.asOf]));
      }
    } finally {
      await local.close();
      await remote.close();
    }
  }, 120_000);
});
