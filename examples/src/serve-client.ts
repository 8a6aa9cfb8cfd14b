// Calling `score-serve` from a client. This program prepares a run folder (a small synthetic
// dataset) and a tiny random llama.cpp model, starts the real `score-serve` command on a free
// port, reads its URL from the "listening" log line, and calls the HTTP API with fetch.
// Types: apps/inference has no OpenAPI document on main yet, so the request and response types
// come from the package's exported zod schemas and types (`ScoreRequest`, `ScoreResult`); the
// request is validated with the same schema the server uses before it is sent.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { scoreRequestSchema, type ScoreRequest, type ScoreResult } from '@score/inference';
import { writeTinyLlamaGguf } from '@score/llm-clients/testing';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'example-serve-'));
const runDir = path.join(root, 'run');
const dataset = await generateSyntheticDataset({ users: 40, items: 80, seed: 5, minInteractionsPerUser: 10, maxInteractionsPerUser: 30 });
await saveDataset(dataset, runDir);
const modelPath = path.join(root, 'tiny-llama.gguf');
await writeTinyLlamaGguf(modelPath, { seed: 3, contextLength: 4096 });

// `npx score-serve --run ... --llm llamacpp:... --port 0` (node_modules/.bin/score-serve).
const bin = fileURLToPath(new URL('bin/score-serve.js', import.meta.resolve('@score/inference/package.json')));
const server = spawn(process.execPath, [bin, '--run', runDir, '--llm', `llamacpp:${modelPath}`, '--port', '0', '--llm-threads', '1', '--llm-context', '4096', '--ks', '2'], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
const url = await new Promise<string>((resolve, reject) => {
  server.on('exit', (code) => reject(new Error(`score-serve exited with code ${code}`)));
  readline.createInterface({ input: server.stderr! }).on('line', (line) => {
    const log = JSON.parse(line);
    if (log.msg === 'listening') resolve(log.url);
  });
});

// Wait until the models are loaded: /readyz answers 200.
while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));

const testRow = dataset.split('test')[0];
const request: ScoreRequest = scoreRequestSchema.parse({ userId: testRow.userId, itemId: testRow.itemId, ks: 2 });
const response = await fetch(`${url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
const result = (await response.json()) as ScoreResult;
console.log(response.status); // 200
console.log(`P(yes) ${result.probability.toFixed(4)} with ${result.similarUsers.length} similar users`);
console.log(result.probability > 0 && result.probability < 1); // true

const invalid = await fetch(`${url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ itemId: testRow.itemId }) });
console.log(invalid.status); // 400
console.log((await fetch(`${url}/v1/items/nope`)).status); // 404

server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
fs.rmSync(root, { recursive: true, force: true });
