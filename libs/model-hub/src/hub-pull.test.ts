import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HashMismatchError,
  type ModelEntry,
  modelPath,
  pullModel,
  type PullProgressEvent,
  RegistryUnreachableError,
  resolveModelPath,
  resolveModelSpec,
  UnknownModelError,
} from './index';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// Two tiny models served by a local server that answers the Hub's file URLs.
const ggufBytes = randomBytes(3 * 1024 * 1024 + 17);
const configBytes = Buffer.from('{"hidden_size": 8}\n');
const poolingBytes = Buffer.from('{"pooling_mode_mean_tokens": true}\n');
const served: Record<string, Buffer> = {
  '/tiny/gguf/resolve/abc123/tiny.Q4_0.gguf': ggufBytes,
  '/tiny/encoder/resolve/main/config.json': configBytes,
  '/tiny/encoder/resolve/main/1_Pooling/config.json': poolingBytes,
  // Same path shape, different bytes: the hash check must refuse it.
  '/tiny/tampered/resolve/main/tiny.Q4_0.gguf': Buffer.concat([ggufBytes.subarray(0, 1000), Buffer.from('x')]),
};
const gguf: ModelEntry = {
  name: 'tiny-gguf',
  description: 'test model',
  format: 'gguf',
  mainFile: 'tiny.Q4_0.gguf',
  files: [{ path: 'tiny.Q4_0.gguf', size: ggufBytes.length, sha256: sha256(ggufBytes) }],
  licence: 'Apache-2.0',
  upstream: 'test',
  sources: { hub: { repo: 'tiny/gguf', revision: 'abc123' } },
};
const encoder: ModelEntry = {
  name: 'tiny-encoder',
  description: 'test model',
  format: 'sentence-transformer',
  files: [
    { path: 'config.json', size: configBytes.length, sha256: sha256(configBytes) },
    { path: '1_Pooling/config.json', size: poolingBytes.length, sha256: sha256(poolingBytes) },
  ],
  licence: 'Apache-2.0',
  upstream: 'test',
  sources: { hub: { repo: 'tiny/encoder', revision: 'main' } },
};
const tampered: ModelEntry = { ...gguf, name: 'tiny-tampered', sources: { hub: { repo: 'tiny/tampered', revision: 'main' } } };
const missing: ModelEntry = { ...gguf, name: 'tiny-missing', sources: { hub: { repo: 'tiny/missing', revision: 'main' } } };
const models = [gguf, encoder, tampered, missing];

let server: http.Server;
let endpoint: string;
const requests: string[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = served[request.url ?? ''];
    if (!body) {
      response.writeHead(404).end('Entry not found');
      return;
    }
    response.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    // Several chunks, as a real download arrives.
    let offset = 0;
    const next = () => {
      if (offset >= body.length) return void response.end();
      const chunk = body.subarray(offset, offset + 512 * 1024);
      offset += chunk.length;
      response.write(chunk, next);
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const freshCache = () => fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-'));
const leftovers = (folder: string) => fs.readdirSync(folder, { recursive: true }).map(String).filter((name) => name.includes('.tmp-'));

describe('pulling from a Hub-compatible server', () => {
  it('writes a checked GGUF once, reports progress, and a second pull is a no-op', async () => {
    const cacheDir = freshCache();
    expect(modelPath('tiny-gguf', { cacheDir, models })).toBeUndefined();
    const events: PullProgressEvent[] = [];
    const pulled = await pullModel('tiny-gguf', { cacheDir, models, source: 'hub', hubEndpoint: endpoint, onProgress: (event) => events.push(event) });
    expect(pulled.path).toBe(path.join(cacheDir, 'tiny-gguf', 'tiny.Q4_0.gguf'));
    expect(pulled.source).toBe('hub');
    expect(sha256(fs.readFileSync(pulled.path))).toBe(sha256(ggufBytes));
    expect(requests.filter((url) => url.startsWith('/tiny/gguf/'))).toEqual(['/tiny/gguf/resolve/abc123/tiny.Q4_0.gguf']);
    const writes = events.filter((event) => event.phase === 'write').map((event) => event.bytes);
    expect(writes.length).toBeGreaterThan(3);
    expect(writes).toEqual([...writes].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ phase: 'done', bytes: ggufBytes.length, totalBytes: ggufBytes.length });
    expect(leftovers(cacheDir)).toEqual([]);
    expect(modelPath('tiny-gguf', { cacheDir, models })).toBe(pulled.path);

    const again: PullProgressEvent[] = [];
    const second = await pullModel('tiny-gguf', { cacheDir, models, source: 'hub', hubEndpoint: endpoint, onProgress: (event) => again.push(event) });
    expect(second.source).toBe('cache');
    expect(again.map((event) => event.phase)).toEqual(['cached']);
    expect(requests.filter((url) => url.startsWith('/tiny/gguf/'))).toHaveLength(1);
  });

  it('resolves model:NAME to the folder of a sentence encoder with nested files, and leaves other specs alone', async () => {
    const cacheDir = freshCache();
    const folder = await resolveModelPath('model:tiny-encoder', { cacheDir, models, source: 'hub', hubEndpoint: endpoint });
    expect(folder).toBe(path.join(cacheDir, 'tiny-encoder'));
    expect(fs.readFileSync(path.join(folder, '1_Pooling', 'config.json'), 'utf8')).toBe(poolingBytes.toString());
    expect(fs.readFileSync(path.join(folder, 'config.json'), 'utf8')).toBe(configBytes.toString());
    expect(await resolveModelPath('/some/model.gguf', { cacheDir, models })).toBe('/some/model.gguf');
    await expect(resolveModelPath('model:', { cacheDir, models })).rejects.toThrow(/names no model/);
  });

  it('resolves model:NAME inside backend and encoder specs, keeping the scheme and the fragment', async () => {
    const cacheDir = freshCache();
    const options = { cacheDir, models, source: 'hub' as const, hubEndpoint: endpoint };
    const gguf = path.join(cacheDir, 'tiny-gguf', 'tiny.Q4_0.gguf');
    expect(await resolveModelSpec('llamacpp:model:tiny-gguf', options)).toBe(`llamacpp:${gguf}`);
    expect(await resolveModelSpec('llamacpp:model:tiny-gguf#/loras/a.gguf', options)).toBe(`llamacpp:${gguf}#/loras/a.gguf`);
    expect(await resolveModelSpec('bert:model:tiny-encoder', options)).toBe(`bert:${path.join(cacheDir, 'tiny-encoder')}`);
    expect(await resolveModelSpec('model:tiny-gguf', options)).toBe(gguf);
    for (const untouched of ['openai:http://127.0.0.1:8000/v1#model:x', 'vllm:#model:x', 'bert:/models/minilm', 'pooled', 'metadata']) {
      expect(await resolveModelSpec(untouched, options)).toBe(untouched);
    }
    await expect(resolveModelSpec('llamacpp:model:', options)).rejects.toThrow(/names no model after "model:"/);
    await expect(resolveModelSpec('onnx:model:no-such', options)).rejects.toBeInstanceOf(UnknownModelError);
  });

  it('refuses a file whose sha256 differs, naming the file and both hashes, and keeps nothing', async () => {
    const cacheDir = freshCache();
    const error = await pullModel('tiny-tampered', { cacheDir, models, source: 'hub', hubEndpoint: endpoint }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HashMismatchError);
    const mismatch = error as HashMismatchError;
    expect(mismatch.file).toBe('tiny.Q4_0.gguf');
    expect(mismatch.expected).toBe(sha256(ggufBytes));
    expect(mismatch.actual).toBe(sha256(served['/tiny/tampered/resolve/main/tiny.Q4_0.gguf']));
    expect(mismatch.message).toContain(mismatch.actual);
    expect(fs.existsSync(path.join(cacheDir, 'tiny-tampered', 'tiny.Q4_0.gguf'))).toBe(false);
    expect(leftovers(cacheDir)).toEqual([]);
    expect(modelPath('tiny-tampered', { cacheDir, models })).toBeUndefined();
  });

  it('reports a 404 with its status and an unreachable server as unreachable', async () => {
    const cacheDir = freshCache();
    const notFound = await pullModel('tiny-missing', { cacheDir, models, source: 'hub', hubEndpoint: endpoint }).catch((caught: unknown) => caught);
    expect(notFound).toBeInstanceOf(RegistryUnreachableError);
    expect((notFound as RegistryUnreachableError).status).toBe(404);
    expect((notFound as RegistryUnreachableError).target).toBe(`${endpoint}/tiny/missing/resolve/main/tiny.Q4_0.gguf`);

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await pullModel('tiny-gguf', { cacheDir, models, source: 'hub', hubEndpoint: `http://127.0.0.1:${deadPort}` }).catch((caught: unknown) => caught);
    expect(unreachable).toBeInstanceOf(RegistryUnreachableError);
    expect((unreachable as RegistryUnreachableError).answered).toBe(false);
    expect((unreachable as RegistryUnreachableError).message).toMatch(/could not be reached/);
  });

  it('lets concurrent pulls into one cache finish with one intact copy', async () => {
    const cacheDir = freshCache();
    // A second path to the same folder defeats the in-process deduplication, so the two pulls really race.
    const alias = `${cacheDir}-alias`;
    fs.symlinkSync(cacheDir, alias);
    const options = { models, source: 'hub' as const, hubEndpoint: endpoint };
    const [first, second] = await Promise.all([pullModel('tiny-gguf', { ...options, cacheDir }), pullModel('tiny-gguf', { ...options, cacheDir: alias })]);
    expect(sha256(fs.readFileSync(first.path))).toBe(sha256(ggufBytes));
    expect(sha256(fs.readFileSync(second.path))).toBe(sha256(ggufBytes));
    expect(leftovers(cacheDir)).toEqual([]);
    // The same folder twice in one process: one download.
    const before = requests.length;
    const cacheDir2 = freshCache();
    await Promise.all([pullModel('tiny-gguf', { ...options, cacheDir: cacheDir2 }), pullModel('tiny-gguf', { ...options, cacheDir: cacheDir2 })]);
    expect(requests.length - before).toBe(1);
  });

  it('names the known models for an unknown name', async () => {
    const error = await pullModel('no-such-model').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnknownModelError);
    expect((error as UnknownModelError).known).toEqual(['smollm2-135m-instruct', 'gemma3-270m', 'all-minilm-l6-v2']);
    expect((error as Error).message).toContain('smollm2-135m-instruct, gemma3-270m, all-minilm-l6-v2');
  });
});
