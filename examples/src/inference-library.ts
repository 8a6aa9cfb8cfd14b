// @score/inference as a library: the scoring service of a run folder and its HTTP server in your
// own process (what `score-serve` runs). The run folder here holds a small synthetic dataset and
// the language model is a tiny random llama GGUF, so the program runs anywhere; a trained run has
// car/, sare/ and rec/ stages and a real GGUF, and nothing else changes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { createRunScoringService, startServer, type ScoreResult } from '@score/inference';
import { writeTinyLlamaGguf } from '@score/llm-clients/testing';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'inference-library-'));
const runDir = path.join(root, 'run');
await saveDataset(await generateSyntheticDataset({ users: 40, items: 80, seed: 5, minInteractionsPerUser: 10, maxInteractionsPerUser: 30 }), runDir);
const modelPath = path.join(root, 'tiny-llama.gguf');
await writeTinyLlamaGguf(modelPath, { seed: 3, contextLength: 4096 });

const service = await createRunScoringService({
  runDir, // a run folder with dataset/
  llm: `llamacpp:${modelPath}`, // e.g. 'llamacpp:/models/rec.gguf' or 'llamacpp:model:smollm2-135m-instruct'
  llmOverrides: { llamacpp: { threads: 1, contextSize: 4096 } },
});
const server = await startServer({ service, port: 0 });
const response = await fetch(`${server.url}/v1/score`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ userId: '1', itemId: '10', ks: 2 }),
});
const result = (await response.json()) as ScoreResult;
console.log(response.status); // 200
console.log(result.similarUsers.length); // 2
console.log(result.probability > 0 && result.probability < 1); // true
const missing = await fetch(`${server.url}/v1/items/nope`);
console.log(missing.status); // 404
await server.close();
await service.dispose();
fs.rmSync(root, { recursive: true, force: true });
