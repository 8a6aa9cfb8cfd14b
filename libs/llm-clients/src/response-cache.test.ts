import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError, type LanguageModel, type YesNoScore } from '@score/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAICompatibleModel } from './openai-compatible-model';
import { cacheKey, createResponseCache } from './response-cache';
import { fixture, ReplayServer } from './test-fixtures/replay-server';
import { withCache } from './with-cache';

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function runFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'score-cache-'));
}

describe('cacheKey', () => {
  it('depends on every part and not on key order', () => {
    const base = { provider: 'openai', modelId: 'm', kind: 'scoreYesNo', prompt: 'p', parameters: { a: 1, b: [1, 2] } };
    expect(cacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...base, parameters: { b: [1, 2], a: 1 } })).toBe(cacheKey(base));
    for (const change of [{ provider: 'llamacpp' }, { modelId: 'n' }, { kind: 'generate' }, { prompt: 'q' }, { parameters: { a: 2, b: [1, 2] } }]) {
      expect(cacheKey({ ...base, ...change })).not.toBe(cacheKey(base));
    }
  });
});

describe('createResponseCache', () => {
  it('persists answers and drops a last line cut short by a crash', async () => {
    const dir = runFolder();
    const cache = await createResponseCache({ dir });
    await cache.set('k1', { probability: 0.25, yesLogit: -1, noLogit: 0 });
    await cache.set('k2', { text: 'hello' });
    await cache.close();
    const file = path.join(dir, 'llm-cache.jsonl');
    fs.appendFileSync(file, '{"key":"k3","value":{"te');
    const reopened = await createResponseCache({ dir });
    expect(reopened.size).toBe(2);
    expect(reopened.get('k1')).toEqual({ probability: 0.25, yesLogit: -1, noLogit: 0 });
    expect(reopened.has('k3')).toBe(false);
    await reopened.set('k3', { text: 'again' });
    await reopened.close();
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).key)).toEqual(['k1', 'k2', 'k3']);
  });

  it('rejects a corrupt line in the middle, naming the file and line', async () => {
    const dir = runFolder();
    fs.writeFileSync(path.join(dir, 'llm-cache.jsonl'), '{"key":"a","value":1}\nnot json\n{"key":"b","value":2}\n');
    const error = await createResponseCache({ dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).line).toBe(2);
    expect((error as Error).message).toContain('llm-cache.jsonl, line 2: this line of the response cache is not valid JSON');
  });
});

describe('withCache', () => {
  it('answers a rerun from disk: the server sees no new call', async () => {
    server = await ReplayServer.start((request) => {
      const body = request.body as { messages?: unknown; max_tokens: number };
      return { body: fixture(body.max_tokens === 1 ? 'openai-chat-logprobs.json' : 'chat-generate.json') };
    });
    const dir = runFolder();
    const prompts = ['p1', 'p2', 'p1', 'p3'];
    const run = async (): Promise<{ scores: YesNoScore[]; text: string }> => {
      const cache = await createResponseCache({ dir });
      const model = withCache(createOpenAICompatibleModel({ baseURL: server!.baseURL, model: 'm' }), cache, { closeCache: true });
      const scores = await model.scoreYesNo(prompts, { batchSize: 2 });
      const { text } = await model.generate('describe', { maxTokens: 20 });
      await model.dispose();
      return { scores, text };
    };
    const first = await run();
    expect(server.requests).toHaveLength(4); // p1, p2, p3 and one generation
    const second = await run();
    expect(server.requests).toHaveLength(4);
    expect(second).toEqual(first);
    expect(first.text).toBe('The user likes space operas.');
    expect(first.scores[0].probability).toBeCloseTo(first.scores[2].probability, 15);
  });

  it('keys on generation options and model settings', async () => {
    server = await ReplayServer.start(() => ({ body: fixture('chat-generate.json') }));
    const cache = await createResponseCache({ dir: runFolder() });
    const model = withCache(createOpenAICompatibleModel({ baseURL: server.baseURL, model: 'm' }), cache);
    await model.generate('x', { temperature: 0 });
    await model.generate('x', { temperature: 0 });
    await model.generate('x', { temperature: 0.7 });
    const other = withCache(createOpenAICompatibleModel({ baseURL: server.baseURL, model: 'm', systemPrompt: 'Be brief.' }), cache);
    await other.generate('x', { temperature: 0 });
    expect(server.requests).toHaveLength(3);
    await cache.close();
  });

  it('stores finished chunks even when another chunk fails', async () => {
    const calls: string[][] = [];
    const inner: LanguageModel = {
      provider: 'fake',
      modelId: 'fake',
      async generate() {
        return { text: '' };
      },
      async scoreYesNo(prompts) {
        calls.push([...prompts]);
        if (prompts.includes('bad')) throw new Error('backend down');
        return prompts.map((_, i) => ({ probability: 0.5, yesLogit: i, noLogit: i }));
      },
      dispose() {},
    };
    const cache = await createResponseCache({ dir: runFolder() });
    const model = withCache(inner, cache);
    await expect(model.scoreYesNo(['a', 'b', 'bad'], { batchSize: 2 })).rejects.toThrow('backend down');
    expect(cache.size).toBe(2);
    await model.scoreYesNo(['a', 'b']);
    expect(calls).toEqual([['a', 'b'], ['bad']]);
    await cache.close();
  });
});
