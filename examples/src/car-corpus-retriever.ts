// The CAR retriever of @score/car-retriever over a prepared dataset: every user's behaviour text
// (their liked items, snapshot by snapshot in time) is embedded into a LanceDB index, and a
// retriever returns the users most similar to a target row, only from behaviour before the row's
// time and never the target user (no leakage). The embedder is any TextEmbeddingModel; here a
// pooled encoder of @score/text-encoders with a tokenizer trained on the item titles.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBehaviourCorpus, createCorpusRetriever, indexBehaviourCorpus, LanceVectorIndex } from '@score/car-retriever';
import { generateSyntheticDataset } from '@score/data';
import { createPooledEncoder, trainTokenizer } from '@score/text-encoders';

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-corpus-'));
const dataset = await generateSyntheticDataset({ users: 30, items: 60, seed: 2, minInteractionsPerUser: 10, maxInteractionsPerUser: 20 });
const tokenizer = trainTokenizer({ texts: [...dataset.items.values()].map((item) => item.title), vocabSize: 300, kind: 'wordpiece' });
const encoder = await createPooledEncoder({ tokenizer, dimensions: 32, seed: 1 });

const corpus = buildBehaviourCorpus(dataset, { maxItems: 20 });
const embed = (texts: readonly string[]) => encoder.embed(texts);
const carIndex = await LanceVectorIndex.create({ dir: path.join(runDir, 'car-index'), dimensions: encoder.dimensions, mode: 'overwrite' });
await indexBehaviourCorpus({ index: carIndex, corpus, embed });
const retriever = createCorpusRetriever({ variant: 'car', index: carIndex, corpus, embed });
const row = dataset.split('test')[0]!;
const similar = await retriever.retrieve({ userId: row.userId, history: dataset.history(row), before: row.timestamp }, 10);
console.log(similar.length); // 10
console.log(similar.every((user) => user.userId !== row.userId && typeof user.behaviour === 'string')); // true
await carIndex.close();
encoder.dispose();
fs.rmSync(runDir, { recursive: true, force: true });
