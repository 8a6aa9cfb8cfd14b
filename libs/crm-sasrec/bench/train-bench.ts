/**
 * Training and scoring speed of SASRec and MF (`npm run bench` in libs/crm-sasrec, or
 * `nx run crm-sasrec:bench`). Prints rows/s, seconds per epoch and peak RSS:
 *  - ML-1M scale: ~34k train rows (839 users, 3,256 items), history 25, hidden 64, 2 blocks,
 *    one full epoch at batch 2048 (the PyTorch reference setting) and at batch 1024 (default);
 *  - 1M train rows (synthetic): a fixed number of batches, extrapolated to one epoch;
 *  - scoring rows/s (eval mode, batch 2048).
 * Environment: BENCH_LARGE_BATCHES (default 40) batches at 1M rows; BENCH_SKIP_LARGE=1 skips it,
 * BENCH_SKIP_ML1M=1 skips the ML-1M-scale part. At 1M rows, validation uses the first 5,000 valid rows.
 */
import type { Dataset, ProgressEvent, SplitName } from '@score/core';
import { initTensorflow } from '@score/tfjs-runtime';
import type { EmbeddingRecommender } from '../src/embedding-recommender';
import { createMatrixFactorization } from '../src/matrix-factorization';
import { createSasrec } from '../src/sasrec';
import { makeSequentialDataset } from '../src/test-fixtures/in-memory-dataset';

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const line = (label: string, figures: Record<string, string | number>) =>
  console.log(`${label.padEnd(44)} ${Object.entries(figures).map(([key, value]) => `${key}=${value}`).join('  ')}`);

const runtime = await initTensorflow();
console.log(`crm-sasrec benchmark: backend=${runtime.backend}, node ${process.version}, ${new Date().toISOString()}`);

async function trainEpochs(label: string, model: EmbeddingRecommender, batchSize: number, dataset: Dataset, maxRows?: number): Promise<void> {
  const controller = new AbortController();
  const onProgress = (event: ProgressEvent) => {
    if (maxRows !== undefined && event.unit === 'rows' && event.done >= maxRows) controller.abort();
  };
  const started = performance.now();
  const report = await model.fit(dataset, { onProgress, signal: controller.signal });
  const wall = (performance.now() - started) / 1000;
  const trainRows = dataset.split('train').length;
  const first = report.history[0]!;
  const rowsDone = maxRows === undefined ? trainRows : Math.min(trainRows, Math.ceil(maxRows / batchSize) * batchSize);
  const seconds = report.secondsPerEpoch;
  const rowsPerSecond = rowsDone / seconds;
  line(label, {
    trainRows,
    rowsTimed: rowsDone,
    'rows/s': Math.round(rowsPerSecond),
    's/epoch': maxRows === undefined ? seconds.toFixed(2) : `${(trainRows / rowsPerSecond).toFixed(1)} (extrapolated)`,
    loss: first.loss.toFixed(4),
    validAuc: first.validAuc.toFixed(4),
    'wall s (incl. validation)': wall.toFixed(1),
    'peak RSS MiB': peakRssMiB(),
  });
}

function score(label: string, model: EmbeddingRecommender, dataset: Dataset, limit: number): void {
  const rows = dataset.split('test').slice(0, limit);
  model.scoreDatasetRows(dataset, rows.slice(0, 256)); // warm-up
  const started = performance.now();
  model.scoreDatasetRows(dataset, rows);
  const seconds = (performance.now() - started) / 1000;
  line(label, { rows: rows.length, 'rows/s': Math.round(rows.length / seconds), 'peak RSS MiB': peakRssMiB() });
}

/** The dataset with its valid split cut to `limit` rows (keeps early-stopping validation short). */
function withShortValid(dataset: Dataset, limit: number): Dataset {
  const valid = dataset.split('valid').slice(0, limit);
  return {
    name: dataset.name,
    domain: dataset.domain,
    items: dataset.items,
    rows: dataset.rows,
    users: dataset.users,
    split: (name: SplitName) => (name === 'valid' ? valid : dataset.split(name)),
    positives: (userId) => dataset.positives(userId),
    positiveTimes: (userId) => dataset.positiveTimes(userId),
    history: (row, maxItems) => dataset.history(row, maxItems),
    statistics: () => dataset.statistics(),
  };
}

if (process.env['BENCH_SKIP_ML1M'] !== '1') {
  // ML-1M scale: 839 users x 68 rows, 60% train = 34,224 train rows.
  const ml1m = makeSequentialDataset({ users: 839, items: 3256, rowsPerUser: 68, seed: 1 });
  line('dataset ML-1M scale', { train: ml1m.split('train').length, valid: ml1m.split('valid').length, test: ml1m.split('test').length, 'peak RSS MiB': peakRssMiB() });
  for (const batchSize of [2048, 1024]) {
    const model = createSasrec({ epochs: 1, batchSize });
    await trainEpochs(`sasrec ctr, batch ${batchSize}, 1 epoch`, model, batchSize, ml1m);
    if (batchSize === 1024) score('sasrec scoring (batch 2048)', model, ml1m, 20_000);
    model.dispose();
  }
  {
    const model = createMatrixFactorization({ epochs: 1 });
    await trainEpochs('mf ctr, batch 1024, 1 epoch', model, 1024, ml1m);
    score('mf scoring (batch 2048)', model, ml1m, 20_000);
    model.dispose();
  }
}

if (process.env['BENCH_SKIP_LARGE'] !== '1') {
  const batches = Number(process.env['BENCH_LARGE_BATCHES'] ?? 40);
  // 1M train rows: 15,000 users x 112 rows, 60% train = 1,008,000.
  const large = withShortValid(makeSequentialDataset({ users: 15_000, items: 3706, rowsPerUser: 112, seed: 2 }), 5000);
  line('dataset 1M train rows', { train: large.split('train').length, 'peak RSS MiB': peakRssMiB() });
  const model = createSasrec({ epochs: 1, batchSize: 1024 });
  await trainEpochs(`sasrec ctr, batch 1024, ${batches} batches`, model, 1024, large, batches * 1024);
  score('sasrec scoring at 1M scale (batch 2048)', model, large, 20_000);
  model.dispose();
}
