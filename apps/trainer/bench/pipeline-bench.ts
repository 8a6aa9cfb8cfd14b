/**
 * Times the trainer's stages on a generated dataset of a chosen size, with a real config's model
 * settings (default `configs/ml-1m-generic.yaml`: only its data files are swapped for generated
 * ones in the same generic CSV format), and prints seconds per stage, the eval stage's phases
 * (retrieval, reranking, prompt building and tokenizing, LM scoring, metrics; from its summary)
 * and milliseconds per scored prompt, with the load average before and after.
 *
 *   npm run bench -w @score/trainer -- [--size ml-1m|small] [--stages eval] [--run-dir DIR] [--from-scratch] [--progress-every P] [--set key=value ...]
 *
 * `--size ml-1m` (default) generates 840 users and 3,250 items with 20-120 interactions each,
 * which the month split turns into about 7,000 test rows (ML-1M's CoLLM split: 839 users, 3,256
 * items, 7,331 test rows); `--size small` 120 users and 400 items, for checking the script.
 * `--stages eval` (comma-separated) reruns only those stages against an existing run folder (the
 * upstream stages must have finished there); without it every stage runs (`--from prepare`).
 * `--progress-every P` prints each long task's progress every P percent of it (default 5).
 * `--from-scratch` swaps the config's pulled models for the CPU-sized from-scratch ones the speed
 * targets of issue 15 were set on ({@link FROM_SCRATCH}); `--set` flags still apply after it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkOneOf, type Logger } from '@score/core';
import { generateSyntheticDataset } from '@score/data';
import { createProgressRenderer } from '../src/cli/progress-renderer';
import { loadConfig } from '../src/config/load-config';
import { runPipeline } from '../src/pipeline/run-pipeline';
import { STAGE_NAMES } from '../src/pipeline/stage';
import { trainerStageRegistry } from '../src/stages/registry';

const root = path.resolve(import.meta.dirname, '../../..');

const SIZES = {
  'ml-1m': { users: 840, items: 3250, minInteractionsPerUser: 20, maxInteractionsPerUser: 120 },
  small: { users: 120, items: 400, minInteractionsPerUser: 10, maxInteractionsPerUser: 40 },
} as const;

/**
 * `--from-scratch`: the model settings `configs/ml-1m-generic.yaml` had when the 10-minute eval and
 * 30-minute pipeline targets were set (issue 15 point 8): a BERT trained from scratch for CAR and
 * SARE, the metadata assessor with CAR's encoder as TxtEmb, the from-scratch LM, no zero-shot rows.
 */
const FROM_SCRATCH = ['car.encoder=scratch', 'sare.encoder=scratch', 'assess.llm=metadata', 'assess.embedder=car', 'rec.model=scratch', 'eval.zeroShot=null'] as const;

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'ml-1m' },
    stages: { type: 'string' },
    'run-dir': { type: 'string' },
    config: { type: 'string', default: path.join(root, 'configs/ml-1m-generic.yaml') },
    set: { type: 'string', multiple: true, default: [] },
    'from-scratch': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    'progress-every': { type: 'string', default: '5' },
  },
});

const size = SIZES[checkOneOf('--size', values.size, Object.keys(SIZES) as (keyof typeof SIZES)[])];
const stages = values.stages?.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
for (const name of stages ?? []) if (!(STAGE_NAMES as readonly string[]).includes(name)) throw new Error(`--stages: "${name}" is not a stage; the stages are ${STAGE_NAMES.join(', ')}.`);
const runDir = path.resolve(values['run-dir'] ?? path.join(root, 'tmp', 'bench', `pipeline-${values.size}`));
const dataDir = path.join(runDir, 'bench-data');

const load = () => os.loadavg().map((value) => value.toFixed(2)).join(', ');
const started = performance.now();
// CPU seconds of the whole process, worker threads included (the load inflates wall times, not these).
const cpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
const logger: Logger = {
  debug() {},
  info: (message) => values.quiet || process.stdout.write(`[${elapsed()}] ${message}\n`),
  warn: (message) => process.stdout.write(`[${elapsed()}] warn: ${message}\n`),
  error: (message) => process.stdout.write(`[${elapsed()}] error: ${message}\n`),
};

/**
 * Progress of the stages' long work (epochs, batches, texts) as the CLI prints it on a pipe: the
 * trainer's progress renderer in line mode, a line per task every `--progress-every` percent and at
 * its end, so a long stage shows its rate while it runs.
 */
const progressEvery = Number(values['progress-every']);
if (!Number.isFinite(progressEvery) || progressEvery <= 0 || progressEvery > 100) throw new Error(`--progress-every: must be a percentage in (0, 100], got "${values['progress-every']}".`);
const onProgress = createProgressRenderer({ stream: process.stdout, interactive: false, lineEveryPercent: progressEvery, silent: values.quiet });

/** Writes the generated dataset as the generic CSV files the config reads (split column kept). */
async function writeData(): Promise<{ rows: number; users: number; items: number; test: number }> {
  const dataset = await generateSyntheticDataset({ ...size, seed: 42, name: `synthetic-${values.size}` });
  fs.mkdirSync(dataDir, { recursive: true });
  const csv = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const interactions = ['user_id,item_id,timestamp,rating,split', ...dataset.rows.map((row) => `${csv(row.userId)},${csv(row.itemId)},${row.timestamp},${row.label === 1 ? 5 : 2},${row.split}`)];
  const used = new Set(dataset.rows.map((row) => row.itemId));
  const items = ['item_id,title,genres', ...[...dataset.items.values()].filter((item) => used.has(item.id)).map((item) => `${csv(item.id)},${csv(item.title)},${csv((item.attributes['genres'] ?? []).join('|'))}`)];
  fs.writeFileSync(path.join(dataDir, 'interactions.csv'), `${interactions.join('\n')}\n`);
  fs.writeFileSync(path.join(dataDir, 'items.csv'), `${items.join('\n')}\n`);
  return { rows: dataset.rows.length, users: new Set(dataset.rows.map((row) => row.userId)).size, items: used.size, test: dataset.split('test').length };
}

process.stdout.write(`pipeline bench: size ${values.size}, config ${path.relative(root, values.config)}${values['from-scratch'] ? ` with --from-scratch (${FROM_SCRATCH.join(' ')})` : ''}, run ${path.relative(root, runDir)}, stages ${stages?.join(',') ?? 'all'}\n`);
process.stdout.write(`cores ${os.cpus().length}, load average before ${load()}\n`);
if (!fs.existsSync(path.join(dataDir, 'interactions.csv')) || stages === undefined || stages.includes('prepare')) {
  const data = await writeData();
  process.stdout.write(`generated ${data.rows} interactions: ${data.users} users, ${data.items} items, ${data.test} test rows (${elapsed()})\n`);
}
const loaded = loadConfig({
  file: values.config,
  overrides: [
    `run.dir=${JSON.stringify(runDir)}`,
    `data.source.interactions=${JSON.stringify(path.join(dataDir, 'interactions.csv'))}`,
    `data.source.items=${JSON.stringify(path.join(dataDir, 'items.csv'))}`,
    ...(values['from-scratch'] ? FROM_SCRATCH : []),
    ...(values.set ?? []),
  ],
});
const cpuBefore = cpuSeconds();
const report = await runPipeline({
  config: loaded.config,
  configHash: loaded.hash,
  stages: trainerStageRegistry.stages(),
  runDir,
  ...(stages === undefined ? { from: 'prepare' } : { only: stages }),
  logger,
  onProgress,
});

const cpuUsed = cpuSeconds() - cpuBefore;
const { config } = loaded;
process.stdout.write(`\nstage      seconds\n`);
for (const stage of report.stages) if (stage.status === 'ran') process.stdout.write(`${stage.name.padEnd(10)} ${stage.seconds.toFixed(1).padStart(7)}\n`);
const total = report.stages.reduce((sum, stage) => sum + (stage.status === 'ran' ? stage.seconds : 0), 0);
process.stdout.write(`${'total'.padEnd(10)} ${total.toFixed(1).padStart(7)}\n`);
process.stdout.write(`CPU seconds of the process over these stages (every thread): ${cpuUsed.toFixed(1)}\n`);
const evalStage = report.stages.find((stage) => stage.name === 'eval' && stage.status === 'ran');
if (evalStage !== undefined) {
  const summary = evalStage.summary as { rows: number; phases?: Record<string, number> };
  // LM scorings: one per prompt variant, plus every sweep point other than the main one (K_e, K_s).
  const kept = config.rec.kept ?? config.sare.kept;
  const points = new Set([...config.eval.retrievedSweep.map((k) => `${k}:${kept}`), ...config.eval.keptSweep.map((k) => `${config.car.retrieved}:${k}`)]);
  points.delete(`${config.car.retrieved}:${kept}`);
  const scorings = config.rec.variants.length + (config.rec.variants.includes('score') ? points.size : 0);
  const prompts = summary.rows * scorings;
  process.stdout.write(`\neval: ${summary.rows} rows x ${scorings} LM scorings (${config.rec.variants.length} variants + ${points.size} sweep points) = ${prompts} prompts, ${((evalStage.seconds * 1000) / prompts).toFixed(2)} ms per scored prompt (wall), eval.scoreWorkers ${config.eval.scoreWorkers}\n`);
  if (report.stages.every((stage) => stage.status !== 'ran' || stage.name === 'eval')) {
    process.stdout.write(`eval CPU: ${cpuUsed.toFixed(1)} s over ${evalStage.seconds.toFixed(1)} s wall, ${((cpuUsed * 1000) / prompts).toFixed(2)} CPU ms per scored prompt (every thread)\n`);
  }
  if (summary.phases) {
    const phased = Object.values(summary.phases).reduce((sum, value) => sum + value, 0);
    process.stdout.write(`eval phase       seconds   share\n`);
    for (const [phase, seconds] of [...Object.entries(summary.phases), ['other (loading, baselines)', evalStage.seconds - phased] as const]) {
      process.stdout.write(`${String(phase).padEnd(16)} ${seconds.toFixed(1).padStart(7)} ${((100 * seconds) / evalStage.seconds).toFixed(1).padStart(6)}%\n`);
    }
  }
}
process.stdout.write(`\nload average after ${load()}; wall ${elapsed()}\n`);
