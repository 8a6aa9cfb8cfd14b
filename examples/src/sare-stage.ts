// The SARE stage of @score/sare-reranker in a run folder (what `score-train sare` runs), after the
// assess stage of @score/self-assess: it reads assess/rankings.jsonl, holds out validation and test
// pairs, trains the reranker towards the assessment order O, reports NDCG@K_s against O for
// CAR's own order and for the trained SARE, and saves the reranker to sare/. Then the saved
// reranker reorders CAR's K_e users for a target and keeps K_s = 2. The assess stage here uses
// the metadata assessor and a pooled encoder as CAR and TxtEmb, so the program runs anywhere.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatasetRetriever } from '@score/car-retriever';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { basicPrompt } from '@score/prompt-kit';
import { loadSareReranker, runSareStage } from '@score/sare-reranker';
import { createMetadataAssessor, runAssessStage } from '@score/self-assess';
import { createPooledEncoder, trainTokenizer } from '@score/text-encoders';

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sare-stage-'));
const dataset = await generateSyntheticDataset({ users: 40, items: 60, seed: 6, minInteractionsPerUser: 8, maxInteractionsPerUser: 20 });
await saveDataset(dataset, runDir);
const tokenizer = trainTokenizer({ texts: [...dataset.items.values()].map((item) => item.title), vocabSize: 300, kind: 'wordpiece' });
const embedder = await createPooledEncoder({ tokenizer, dimensions: 32, seed: 1 });
const { retriever, dispose } = await createDatasetRetriever({ dataset, embedder, dir: path.join(runDir, 'index'), corpus: { maxItems: 20 } });
await runAssessStage({ runDir, assessor: createMetadataAssessor({ dataset }), retriever, embedder, sample: 60, candidates: 6 });

const result = await runSareStage({ runDir, epochs: 2, batchSize: 8 }); // after the assess stage
console.log(`test NDCG@2 against O: CAR's order ${result.test.retrieval.ndcg.toFixed(3)}, SARE ${result.test.sare.ndcg.toFixed(3)}`);
console.log(result.test.sare.ndcg > result.test.retrieval.ndcg); // true
console.log(fs.existsSync(path.join(runDir, 'sare', 'sare.json')), fs.existsSync(path.join(runDir, 'sare', 'report.json'))); // true true

// Inference: rerank CAR's K_e users for a target (retrieved is what a UserRetriever returned)
// and keep K_s = 2.
const row = dataset.split('test')[0]!;
const target = dataset.items.get(row.itemId)!;
const retrieved = await retriever.retrieve({ userId: row.userId, history: dataset.history(row), before: row.timestamp }, 6);
const reranker = await loadSareReranker(path.join(runDir, 'sare'));
const query = basicPrompt({ domain: 'movies', history: dataset.historyItems(row), target });
const top2 = await reranker.rerank(query, retrieved.map((user) => ({ id: user.userId, text: user.behaviour })), 2);
console.log(top2.length, top2.every((user) => retrieved.some((candidate) => candidate.userId === user.id))); // 2 true
await reranker.dispose();
await dispose();
embedder.dispose();
fs.rmSync(runDir, { recursive: true, force: true });
