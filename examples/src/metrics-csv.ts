// Metrics on a CSV of scores: writes a small `user_id,label,score` file (as a model's predictions
// would be saved), reads it back and computes AUC, UAUC (method.md, Eq. 15), GAUC and a bootstrap
// interval with @score/metrics, then a ranking metric (NDCG@k).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auc, bootstrapAucInterval, evaluateCtr, gauc, ndcgAtK, uauc } from '@score/metrics';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-metrics-'));
const file = path.join(dir, 'scores.csv');
fs.writeFileSync(
  file,
  ['user_id,label,score', 'a,1,0.9', 'a,0,0.2', 'a,0,0.95', 'b,1,0.3', 'b,1,0.7', 'b,0,0.3', 'c,1,0.4'].join('\n') + '\n',
);

// Parse the CSV (no quoting needed for these columns).
const rows = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
const userIds = rows.map((row) => row[0]);
const labels = rows.map((row) => Number(row[1]));
const scores = rows.map((row) => Number(row[2]));

console.log(`AUC ${auc(labels, scores).toFixed(4)}`); // AUC 0.6250
const perUser = uauc(userIds, labels, scores); // users with only one class are skipped
console.log(`UAUC ${perUser.value} over ${perUser.users} users, ${perUser.skipped} skipped`); // UAUC 0.625 over 2 users, 1 skipped
console.log(`GAUC ${gauc(userIds, labels, scores).value.toFixed(4)}`); // GAUC 0.6667
console.log(`rows ${evaluateCtr({ userIds, labels, scores }).rows}`); // rows 7
const interval = bootstrapAucInterval(labels, scores, { samples: 200, seed: 1 });
console.log(`95% interval ${interval.lower.toFixed(2)}..${interval.upper.toFixed(2)}`);
console.log(`${interval.samples} bootstrap samples`); // 199 bootstrap samples

// Ranking: NDCG@2 of the order [x, y] when only y is relevant.
console.log(ndcgAtK(['x', 'y'], new Map([['y', 1]]), 2)); // 0.6309297535714575
fs.rmSync(dir, { recursive: true, force: true });
