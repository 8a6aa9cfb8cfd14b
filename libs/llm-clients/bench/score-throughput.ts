/**
 * Throughput figures of the backends (printed, never asserted):
 * - llama.cpp: Yes/No prompts per second on tiny random GGUF models, by size and parallel sequences;
 * - HTTP: scored prompts per second against a local server answering after 5 ms, by concurrency;
 * - cache: answers per second served from the on-disk response cache.
 * Run: npx nx run llm-clients:bench
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLlamaCppModel, createOpenAICompatibleModel, createResponseCache, withCache } from '../src/index';
import { writeTinyLlamaGguf } from '../src/testing';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-llm-bench-'));
const prompts = Array.from(
  { length: 64 },
  (_, i) => `The user has highly rated the following movies: film ${i}, film ${i + 1}. Based on this information, predict whether the user would enjoy the movie titled film ${i + 2}. Respond with either 'Yes' or 'No'.`,
);

async function timed(label: string, count: number, run: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(58)} ${(count / seconds).toFixed(1).padStart(9)} /s  (${count} in ${seconds.toFixed(2)} s)`);
}

for (const size of [{ hiddenSize: 32, layers: 2 }, { hiddenSize: 256, layers: 4, feedForwardSize: 512, heads: 4 }]) {
  const modelPath = path.join(dir, `tiny-${size.hiddenSize}.gguf`);
  await writeTinyLlamaGguf(modelPath, { seed: 1, ...size });
  for (const sequences of [1, 4]) {
    const model = await createLlamaCppModel({ modelPath, threads: 1, sequences, contextSize: 512 });
    await model.scoreYesNo(prompts.slice(0, 2));
    await timed(`llama.cpp hidden ${size.hiddenSize}, ${size.layers} layers, ${sequences} sequence(s), 1 thread`, prompts.length, () => model.scoreYesNo(prompts));
    await model.dispose();
  }
}

const answer = JSON.stringify({
  choices: [{ index: 0, logprobs: { content: [{ token: 'Yes', logprob: -0.2, top_logprobs: [{ token: 'Yes', logprob: -0.2 }, { token: 'No', logprob: -1.7 }] }] } }],
  usage: { prompt_tokens: 40, completion_tokens: 1 },
});
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(answer), 5));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
const many = Array.from({ length: 4 }, () => prompts).flat();
for (const concurrency of [1, 4, 16]) {
  const model = createOpenAICompatibleModel({ baseURL, model: 'bench', concurrency });
  await timed(`HTTP, server latency 5 ms, concurrency ${concurrency}`, many.length, () => model.scoreYesNo(many));
}

const cache = await createResponseCache({ dir });
const cached = withCache(createOpenAICompatibleModel({ baseURL, model: 'bench', concurrency: 16 }), cache);
await timed('HTTP through the cache, first run (misses, fsync per answer)', prompts.length, () => cached.scoreYesNo(prompts));
await timed('HTTP through the cache, rerun (hits)', prompts.length * 100, async () => {
  for (let i = 0; i < 100; i++) await cached.scoreYesNo(prompts);
});
await cache.close();
server.closeAllConnections();
server.close();
fs.rmSync(dir, { recursive: true, force: true });
