/**
 * Benchmark: the eval stage's paired user bootstrap at the size of the ML-1M test split (7,331
 * rows, 838 users) with 8 models, 14 paired differences and 1,000 resamples;
 * prints seconds and peak RSS. Target: under 5 s on one shared core.
 *
 * Run: `npm run bench -w @score/metrics`.
 */
import { createRandom, pairedUserBootstrap } from '../src/index';

const ROWS = 7_331;
const USERS = 838;
const MODELS = 8;

const random = createRandom(1);
const userIds: number[] = [];
const labels: number[] = [];
for (let row = 0; row < ROWS; row += 1) {
  userIds.push(Math.floor(random() * USERS));
  labels.push(random() < 0.55 ? 1 : 0);
}
const models = Array.from({ length: MODELS }, (_, m) => ({
  id: `model-${m}`,
  scores: labels.map((label) => 0.1 * m * label + random()),
}));
const differences = models.slice(1).flatMap((model) => [[model.id, 'model-0'] as const, [model.id, 'model-7'] as const]);

const started = performance.now();
const result = pairedUserBootstrap({ userIds, labels, models, differences }, { samples: 1000, seed: 42 });
const seconds = (performance.now() - started) / 1000;
const best = result.models[MODELS - 1];
process.stdout.write(
  `paired user bootstrap: ${ROWS} rows, ${result.users} users, ${MODELS} models, ${differences.length} differences, 1000 resamples: ${seconds.toFixed(2)} s ` +
    `(model-7 AUC ${best.auc.value.toFixed(4)} [${best.auc.lower.toFixed(4)}, ${best.auc.upper.toFixed(4)}]); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`,
);
