/**
 * LoRA tuning speed of SmolLM2-135M-Instruct (Q4_1 GGUF, dequantized to float32) in tfjs
 * (`npm run bench:gguf-lora -w @score/rec-lm`, or `nx run @score/rec-lm:bench:gguf-lora`):
 *  1. full-depth LoRA (r 8 on all seven projections of all 30 blocks): forward+backward tokens/s
 *     of one optimizer step (Adam, the vocabulary cross-entropy of trainRecLm at the last position);
 *  2. the top-k route (`loadGgufRecLm(path, { topBlocks: k })`): the frozen lower blocks' states
 *     computed once per prompt (forward tokens/s of that pass) and the step over the top k blocks
 *     with the cached states;
 * at each prompt length of BENCH_LENGTHS (default "128,256"; full depth at BENCH_FULL_LENGTHS,
 * default "128": at 256 tokens full-depth backprop aborts tfjs-wasm, whose heap tops out near
 * 2 GB), batch BENCH_BATCH (default 1), BENCH_STEPS timed steps (default 1) after one untimed
 * warm-up step; k from BENCH_TOP (default "2,4").
 * Prints wall-clock and CPU-time figures (tfjs wasm runs on one thread, so CPU time is what an
 * idle core would take), peak RSS and tfjs memory, the load average, and the estimated time of
 * 3,000 prompts x 2 epochs at the bench's first length.
 */
import os from 'node:os';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { type InProcessLanguageModel, loadGgufRecLm } from '../src/index';
import { smollm2GgufPath } from '../src/test-fixtures/smollm2-gguf';
import { padBatch } from '../src/yes-no-scoring';
import { vocabularyStep } from './vocabulary-step';

const lengths = (process.env['BENCH_LENGTHS'] ?? '128,256').split(',').map(Number);
const fullLengths = (process.env['BENCH_FULL_LENGTHS'] ?? '128').split(',').filter(Boolean).map(Number);
const batchSize = Number(process.env['BENCH_BATCH'] ?? 1);
const steps = Number(process.env['BENCH_STEPS'] ?? 1);
const tops = (process.env['BENCH_TOP'] ?? '2,4').split(',').filter(Boolean).map(Number);

const runtime = await initTensorflow();
const load = (): string => os.loadavg().map((v) => v.toFixed(1)).join(' ');
console.log(`backend: ${runtime.backend}; cpus: ${os.cpus().length}; load average: ${load()}; batch ${batchSize}, ${steps} timed steps`);
const file = await smollm2GgufPath();

/** Distinct prompts of exactly `length` tokens, from real text so that the token mix is natural. */
function prompts(lm: InProcessLanguageModel, length: number, count: number, salt: number): number[][] {
  const text = 'The user watched and rated these movies: Toy Story (1995) 5 stars, Heat (1995) 4 stars, GoldenEye (1995) 3 stars, Casino (1995) 5 stars, Sense and Sensibility (1995) 2 stars, Four Rooms (1995) 1 star. ';
  return Array.from({ length: count }, (_, i) => lm.encodePrompt(`Prompt ${salt}-${i}. ${text.repeat(Math.ceil((length * 6) / text.length))}`).slice(0, length));
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function memory(): string {
  const rss = process.resourceUsage().maxRSS / 1024; // KiB -> MiB
  return `peak RSS ${rss.toFixed(0)} MiB, tfjs ${(tf.memory().numBytes / 2 ** 20).toFixed(0)} MiB in ${tf.memory().numTensors} tensors`;
}

interface Figures {
  wall: number;
  cpu: number;
}

async function timeSteps(lm: InProcessLanguageModel, length: number, before?: (batch: number[][]) => Promise<void>): Promise<{ train: Figures; prefix?: Figures }> {
  const optimizer = tf.train.adam(1e-4);
  const batches = Array.from({ length: steps + 1 }, (_, s) => prompts(lm, length, batchSize, s * 1000 + length));
  let prefixWall = 0;
  let prefixCpu = 0;
  let wall = 0;
  let cpu = 0;
  for (let s = 0; s <= steps; s++) {
    const batch = batches[s]!;
    if (before) {
      const start = performance.now();
      const startCpu = cpuSeconds();
      await before(batch);
      if (s > 0) {
        prefixWall += (performance.now() - start) / 1000;
        prefixCpu += cpuSeconds() - startCpu;
      }
    }
    const start = performance.now();
    const startCpu = cpuSeconds();
    vocabularyStep(lm, optimizer, batch);
    if (s > 0) {
      wall += (performance.now() - start) / 1000;
      cpu += cpuSeconds() - startCpu;
    }
  }
  optimizer.dispose();
  const tokens = steps * batchSize * length;
  return { train: { wall: tokens / wall, cpu: tokens / cpu }, ...(before ? { prefix: { wall: tokens / prefixWall, cpu: tokens / prefixCpu } } : {}) };
}

const rate = (f: Figures): string => `${f.wall.toFixed(1)} tokens/s wall (${f.cpu.toFixed(1)} tokens/s per CPU second)`;
const results: { route: string; length: number; train: Figures; prefix?: Figures }[] = [];

{
  const start = performance.now();
  const lm = await loadGgufRecLm(file, { lora: { rank: 8, alpha: 32, dropout: 0.1 } });
  console.log(`full-depth LoRA: loaded in ${((performance.now() - start) / 1000).toFixed(1)} s; ${(lm.model.parameterCount / 1e6).toFixed(1)}M base parameters, ${lm.model.trainableVariables().reduce((n, v) => n + v.size, 0)} trainable; ${memory()}`);
  for (const length of fullLengths) {
    const { train } = await timeSteps(lm, length);
    results.push({ route: 'full', length, train });
    console.log(`  length ${length}: forward+backward ${rate(train)}; ${memory()}; load average ${load()}`);
  }
  lm.dispose();
}

for (const top of tops) {
  const lm = await loadGgufRecLm(file, { lora: { rank: 8, alpha: 32, dropout: 0.1 }, topBlocks: top });
  console.log(`top-${top} LoRA (blocks ${30 - top}..29, blocks 0..${29 - top} cached): ${lm.model.trainableVariables().reduce((n, v) => n + v.size, 0)} trainable`);
  for (const length of lengths) {
    // The cache pass: the frozen blocks' states of a new batch (scoreYesNo-free: a plain forward fills it).
    const fill = async (batch: number[][]): Promise<void> => {
      const logits = tf.tidy(() => {
        const { ids, lengths: rows } = padBatch(batch, 0);
        return lm.model.lastLogits(ids, rows, false, [lm.answers.yes]);
      });
      await logits.data();
      logits.dispose();
    };
    const { train, prefix } = await timeSteps(lm, length, fill);
    results.push({ route: `top-${top}`, length, train, ...(prefix ? { prefix } : {}) });
    console.log(`  length ${length}: cache pass (all 30 blocks once, forward) ${rate(prefix!)}; step over the top ${top} ${rate(train)}; ${memory()}; load average ${load()}`);
  }
  lm.dispose();
}

// 3,000 prompts x 2 epochs at the first length, from the CPU-time rates (one idle core) and wall rates.
const length = lengths[0]!;
const tokens = 3000 * length;
const hours = (seconds: number): string => `${(seconds / 3600).toFixed(1)} h`;
for (const result of results.filter((r) => r.length === length)) {
  const estimate = (which: 'wall' | 'cpu'): number => (2 * tokens) / result.train[which] + (result.prefix ? tokens / result.prefix[which] : 0);
  console.log(`estimate, 3,000 prompts x ${length} tokens x 2 epochs, ${result.route}: ${hours(estimate('cpu'))} on an idle core (${hours(estimate('wall'))} at this load)`);
}
console.log(`load average at the end: ${load()}`);
