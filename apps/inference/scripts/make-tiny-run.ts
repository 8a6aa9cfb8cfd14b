// Writes a tiny run folder (a synthetic dataset of 40 users and 80 items) and a tiny random llama
// GGUF beside it, then prints the --llm spec. For scripts that need a server quickly
// (schemathesis-check.sh):  tsx --conditions=@score/source scripts/make-tiny-run.ts DIR
import path from 'node:path';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { writeTinyLlamaGguf } from '@score/llm-clients/testing';

const root = process.argv[2];
if (!root) throw new Error('usage: make-tiny-run.ts DIR (the run goes to DIR/run, the model to DIR/tiny-llama.gguf)');
await saveDataset(await generateSyntheticDataset({ users: 40, items: 80, seed: 5, minInteractionsPerUser: 10, maxInteractionsPerUser: 30 }), path.join(root, 'run'));
const model = path.join(root, 'tiny-llama.gguf');
await writeTinyLlamaGguf(model, { seed: 3, contextLength: 4096 });
console.log(`llamacpp:${model}`);
