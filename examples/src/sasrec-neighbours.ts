// SASRec with @score/crm-sasrec: trains the sequential recommender on a tiny synthetic dataset,
// scores a (history, item) row, embeds users, finds each user's nearest neighbours by inner
// product (the collaborative signal), saves the model and loads it back with identical scores.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { computeNeighbours, createSasrec, loadRecommender } from '@score/crm-sasrec';
import { generateSyntheticDataset } from '@score/data';
import { initTensorflow } from '@score/tfjs-runtime';

await initTensorflow(); // tfjs-node if installed, else wasm, else cpu
const dataset = await generateSyntheticDataset({ users: 60, items: 80, seed: 1 });
const model = createSasrec({ hiddenSize: 16, maxHistory: 10, epochs: 2, seed: 1 });
const report = await model.fit(dataset); // the train split, early stopping on the valid split's AUC
console.log(`best valid AUC ${report.bestValidAuc.toFixed(3)}`);

const itemIds = [...dataset.items.keys()];
const rows = [{ history: itemIds.slice(0, 3), itemId: itemIds[5] }];
const [p] = await model.scoreRows(rows);
console.log(p > 0 && p < 1); // true

const users = await model.userEmbeddings([{ history: itemIds.slice(0, 2) }, { history: itemIds.slice(0, 4) }, { history: itemIds.slice(40, 44) }]);
const neighbours = computeNeighbours(users, { k: 1 }); // top-K by inner product, self excluded
console.log(`${neighbours.rows} users, k = ${neighbours.k}: nearest of user 0 is user ${neighbours.indices[0]}`);
console.log([...neighbours.indices].every((j, r) => j !== r)); // true

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-sasrec-'));
await model.save(dir);
const same = loadRecommender(dir, { model: 'sasrec' });
const [q] = await same.scoreRows(rows);
console.log(Math.abs(p - q) < 1e-6); // true
same.dispose();
model.dispose();
fs.rmSync(dir, { recursive: true, force: true });
