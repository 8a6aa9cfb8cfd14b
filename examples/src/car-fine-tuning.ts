// Fine-tuning CAR in a run folder, the way `score-train crm` and `score-train car` do it, with the
// stage functions of @score/crm-sasrec and @score/car-retriever: a prepared dataset (here a small
// synthetic one), the CRM stage (matrix factorisation; its neighbours.json holds each user's
// collaborative neighbours N_c(u), method.md Eq. 3-4), then the CAR stage, which fine-tunes a text
// encoder so that behaviour texts of collaborative neighbours embed close together (Eq. 5-6), and
// indexes every user's behaviour. The saved retriever then answers without leakage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCarRetriever, runCarStage } from '@score/car-retriever';
import { runCrmStage } from '@score/crm-sasrec';
import { generateSyntheticDataset, loadDataset, saveDataset } from '@score/data';

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-tuning-'));
await saveDataset(await generateSyntheticDataset({ users: 50, items: 100, seed: 11, minInteractionsPerUser: 10, maxInteractionsPerUser: 25 }), path.join(runDir, 'prepare'));

const crm = await runCrmStage({ runDir, datasetDir: path.join(runDir, 'prepare'), model: 'mf', epochs: 2, neighbours: 5 });
console.log(fs.readdirSync(path.join(runDir, 'crm', 'mf')).sort().join(' ')); // config.json metrics.json model.safetensors neighbours.json user-embeddings.safetensors
console.log(crm.test.auc > 0 && crm.test.auc < 1); // true

const result = await runCarStage({
  datasetDir: path.join(runDir, 'prepare'),
  neighboursFile: path.join(runDir, 'crm', 'mf', 'neighbours.json'),
  outputDir: path.join(runDir, 'car'),
  encoder: 'pooled',
  epochs: 3,
});
// Recall@k of the collaborative neighbours: the untuned encoder (base), the fine-tuned one (car),
// and the collaborative embeddings themselves (cf, the reference the other two are measured by).
console.log(`recall base ${result.base.recall.toFixed(3)}, car ${result.car.recall.toFixed(3)}, cf ${result.cf.recall.toFixed(3)}`);
console.log(result.cf.recall > result.base.recall); // true

const dataset = await loadDataset(path.join(runDir, 'prepare'));
const retriever = await loadCarRetriever(path.join(runDir, 'car'), { variant: 'car', dataset });
const row = dataset.split('test')[0]!;
const similar = await retriever.retrieve({ userId: row.userId, history: dataset.history(row), before: row.timestamp }, 10);
console.log(similar.length); // 10
console.log(similar.some((user) => user.userId === row.userId)); // false
await retriever.dispose();
fs.rmSync(runDir, { recursive: true, force: true });
