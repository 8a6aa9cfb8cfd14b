import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { HashMismatchError, type ModelEntry, pullModel } from './index';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const vocab = 'hello\nworld\n';
const pooling = '{"pooling_mode_mean_tokens": true}';
const encoder: ModelEntry = {
  name: 'local-encoder',
  description: 'test model',
  format: 'sentence-transformer',
  files: [
    { path: 'vocab.txt', size: vocab.length, sha256: sha256(vocab) },
    { path: '1_Pooling/config.json', size: pooling.length, sha256: sha256(pooling) },
  ],
  licence: 'MIT',
  upstream: 'test',
  sources: {},
};

describe('pulling from a local folder', () => {
  it('copies the files under their registry paths, checked', async () => {
    const from = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-from-'));
    fs.mkdirSync(path.join(from, '1_Pooling'));
    fs.writeFileSync(path.join(from, 'vocab.txt'), vocab);
    fs.writeFileSync(path.join(from, '1_Pooling', 'config.json'), pooling);
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-'));
    const pulled = await pullModel('local-encoder', { cacheDir, models: [encoder], source: 'local', localDir: from });
    expect(pulled.source).toBe('local');
    expect(pulled.path).toBe(path.join(cacheDir, 'local-encoder'));
    expect(fs.readFileSync(pulled.files['1_Pooling/config.json'], 'utf8')).toBe(pooling);
    expect(fs.readFileSync(pulled.files['vocab.txt'], 'utf8')).toBe(vocab);
  });

  it('names a missing file, a missing folder option and a changed file', async () => {
    const from = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-from-'));
    fs.writeFileSync(path.join(from, 'vocab.txt'), vocab);
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-'));
    const options = { cacheDir, models: [encoder], source: 'local' as const };
    const missing = await pullModel('local-encoder', { ...options, localDir: from }).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(ArtifactNotFoundError);
    expect((missing as ArtifactNotFoundError).path).toBe(path.join(from, '1_Pooling', 'config.json'));
    await expect(pullModel('local-encoder', options)).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(pullModel('local-encoder', { ...options, source: 'hub' })).rejects.toThrow(/has no hub source; it can be pulled from local/);
    fs.mkdirSync(path.join(from, '1_Pooling'));
    fs.writeFileSync(path.join(from, '1_Pooling', 'config.json'), pooling.replace('true', 'false'));
    const changed = await pullModel('local-encoder', { ...options, localDir: from }).catch((caught: unknown) => caught);
    expect(changed).toBeInstanceOf(HashMismatchError);
    expect((changed as HashMismatchError).file).toBe('1_Pooling/config.json');
    // The good file of the first attempt stays; the bad one never lands.
    expect(fs.existsSync(path.join(cacheDir, 'local-encoder', 'vocab.txt'))).toBe(true);
    expect(fs.existsSync(path.join(cacheDir, 'local-encoder', '1_Pooling', 'config.json'))).toBe(false);
  });
});
