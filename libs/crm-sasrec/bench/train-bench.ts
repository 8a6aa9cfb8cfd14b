/**
 * Training and scoring speed of SASRec and MF (`npm run bench` in libs/crm-sasrec, or
 * `nx run crm-sasrec:bench`). Prints rows/s, seconds per epoch and peak RSS:
 *  - ML-1M scale: 33,907 train rows (827 users, 3,256 items; the paper's ML-1M split has 33,891,
 *    the PyTorch reference's epoch), history 25, hidden 64, 2 blocks,
 *    one full epoch at batch 2048 (the PyTorch reference setting) and at batch 1024 (default);
 *  - 1M train rows (synthetic): a fixed number of batches, extrapolated to one epoch;
 *  - scoring rows/s (eval mode, batch 2048).
 * The machine may be shared, so besides wall-clock figures each training line gives the CPU
 * seconds of the fit (all threads) and "est. idle s/epoch": the epoch's time on an idle machine
 * with a core per worker, from CPU times: the main thread's training CPU (its fit CPU minus the
 * two validations, timed again after fit) plus the workers' CPU (less their start-up, paid once
 * per fit and timed separately) divided by their count (one worker thread per core); with 1
 * worker, all training CPU. Linux only (reads /proc).
 * Every SASRec training line names its gradient worker count and the backend. SASRec runs once per
 * worker setting of BENCH_WORKERS (comma-separated, default "1,auto"; runs alternate between the
 * settings, so a busy machine slows them alike).
 * BENCH_CHUNK_ROWS (comma-separated, default "256") the workers' `gradientChunkRows` to compare.
 * Environment: BENCH_LARGE_BATCHES (default 40) batches at 1M rows; BENCH_SKIP_LARGE=1 skips it,
 * BENCH_SKIP_ML1M=1 skips the ML-1M-scale part, BENCH_BATCHES="2048,1024" the ML-1M batch sizes.
 * At 1M rows, validation uses the first 5,000 valid rows.
 */
import fs from 'node:fs';
import { createRandom } from '@score/core';
import type { Dataset, ProgressEvent, SplitName } from '@score/core';
import { initTensorflow } from '@score/tfjs-runtime';
import type { EmbeddingRecommender } from '../src/embedding-recommender';
import { createMatrixFactorization } from '../src/matrix-factorization';
import { SasrecGradientWorkers } from '../src/gradient-workers';
import { SasrecRecommender, createSasrec } from '../src/sasrec';
import { SasrecNetwork } from '../src/sasrec-network';
import { makeSequentialDataset } from '../src/test-fixtures/in-memory-dataset';

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const line = (label: string, figures: Record<string, string | number>) =>
  console.log(`${label.padEnd(44)} ${Object.entries(figures).map(([key, value]) => `${key}=${value}`).join('  ')}`);

const runtime = await initTensorflow();
const workerSettings = (process.env['BENCH_WORKERS'] ?? '1,auto').split(',').map((value) => (value.trim() === 'auto' ? 'auto' : Number(value))) as ('auto' | number)[];
// Worker chunk sizes to compare (BENCH_CHUNK_ROWS="128,256,512"); the default is the option's.
const chunkSettings = (process.env['BENCH_CHUNK_ROWS'] ?? '256').split(',').map(Number);
const ml1mBatches = (process.env['BENCH_BATCHES'] ?? '2048,1024').split(',').map(Number);
console.log(`crm-sasrec benchmark: backend=${runtime.backend}, node ${process.version}, ${new Date().toISOString()}`);

/** CPU seconds of the main thread so far (Linux /proc; NaN elsewhere). */
function mainThreadCpuSeconds(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in 1/100 s ticks
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of the whole process (every thread, also exited ones). */
const processCpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

/** CPU seconds (all threads) of starting and stopping `count` gradient workers, not part of an epoch. */
const workerStartCpu = new Map<number, number>();
async function measureWorkerStart(count: number): Promise<number> {
  if (count <= 1) return 0;
  const known = workerStartCpu.get(count);
  if (known !== undefined) return known;
  const architecture = { itemCount: 10, hiddenSize: 8, blocks: 1, heads: 1, maxHistory: 5, dropout: 0, layerNormEpsilon: 1e-8 };
  const network = new SasrecNetwork(architecture, createRandom(1));
  const before = processCpuSeconds();
  const pool = await SasrecGradientWorkers.create({ count, architecture, variables: network.variables, backend: runtime.backend, chunkRows: 256, seed: 1 });
  await pool.close();
  const cpu = processCpuSeconds() - before;
  network.dispose();
  workerStartCpu.set(count, cpu);
  return cpu;
}

async function trainEpochs(label: string, model: EmbeddingRecommender, batchSize: number, dataset: Dataset, maxRows?: number): Promise<void> {
  const controller = new AbortController();
  const onProgress = (event: ProgressEvent) => {
    if (maxRows !== undefined && event.unit === 'rows' && event.done >= maxRows) controller.abort();
  };
  const started = performance.now();
  const [process0, main0] = [processCpuSeconds(), mainThreadCpuSeconds()];
  const report = await model.fit(dataset, { onProgress, signal: controller.signal });
  const wall = (performance.now() - started) / 1000;
  const [process1, main1] = [processCpuSeconds(), mainThreadCpuSeconds()];
  // One validation's CPU: fit validates before training and after the epoch.
  const validation0 = mainThreadCpuSeconds();
  model.scoreDatasetRows(dataset, dataset.split('valid'));
  const validationCpu = mainThreadCpuSeconds() - validation0;
  const trainRows = dataset.split('train').length;
  const first = report.history[0]!;
  const rowsDone = maxRows === undefined ? trainRows : Math.min(trainRows, Math.ceil(maxRows / batchSize) * batchSize);
  const seconds = report.secondsPerEpoch;
  const rowsPerSecond = rowsDone / seconds;
  const workers = model instanceof SasrecRecommender ? model.workerCount(trainRows) : 1;
  const mainTraining = main1 - main0 - 2 * validationCpu;
  // The workers' start is paid once per fit, not per epoch: left out of the epoch estimate.
  const others = process1 - process0 - (main1 - main0) - (await measureWorkerStart(workers));
  const idleEstimate = (workers > 1 ? mainTraining + others / workers : mainTraining + others) * (trainRows / rowsDone);
  line(`${label}, workers ${workers}`, {
    backend: runtime.backend,
    trainRows,
    rowsTimed: rowsDone,
    'rows/s': Math.round(rowsPerSecond),
    's/epoch': maxRows === undefined ? seconds.toFixed(2) : `${(trainRows / rowsPerSecond).toFixed(1)} (extrapolated)`,
    loss: first.loss.toFixed(4),
    validAuc: first.validAuc.toFixed(4),
    'wall s (incl. validation)': wall.toFixed(1),
    'cpu s (all threads)': (process1 - process0).toFixed(1),
    'main-thread training cpu s': mainTraining.toFixed(1),
    'est. idle s/epoch': idleEstimate.toFixed(1),
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
  // ML-1M scale: 827 users x 68 rows, 60% train = 33,907 train rows (ML-1M's split: 33,891).
  const ml1m = makeSequentialDataset({ users: 827, items: 3256, rowsPerUser: 68, seed: 1 });
  line('dataset ML-1M scale', { train: ml1m.split('train').length, valid: ml1m.split('valid').length, test: ml1m.split('test').length, 'peak RSS MiB': peakRssMiB() });
  for (const batchSize of ml1mBatches) {
    for (const workers of workerSettings) {
      for (const gradientChunkRows of chunkSettings) {
        const model = createSasrec({ epochs: 1, batchSize, workers, gradientChunkRows });
        await trainEpochs(`sasrec ctr, batch ${batchSize}, 1 epoch${chunkSettings.length > 1 ? `, chunks ${gradientChunkRows}` : ''}`, model, batchSize, ml1m);
        if (batchSize === 1024 && workers === workerSettings[0] && gradientChunkRows === chunkSettings[0]) score('sasrec scoring (batch 2048)', model, ml1m, 20_000);
        model.dispose();
      }
    }
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
  for (const workers of workerSettings) {
    const model = createSasrec({ epochs: 1, batchSize: 1024, workers });
    await trainEpochs(`sasrec ctr, batch 1024, ${batches} batches`, model, 1024, large, batches * 1024);
    if (workers === workerSettings[0]) score('sasrec scoring at 1M scale (batch 2048)', model, large, 20_000);
    model.dispose();
  }
}
