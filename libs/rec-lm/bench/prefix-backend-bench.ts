/**
 * The top-k route's cache pass (embedding + the frozen bottom blocks, once per distinct prompt) of
 * SmolLM2-135M-Instruct (Q4_1 GGUF, dequantized to float32) on tfjs and on onnxruntime
 * (`npm run bench:prefix -w @score/rec-lm`, or `nx run @score/rec-lm:bench:prefix`):
 * `LlamaModel.prefixStates` (tfjs, the backend `initTensorflow` picks: wasm here, one thread) against
 * `createOnnxPrefixBackend` (onnxruntime CPU, BENCH_THREADS intra-op threads, default 2) over the same
 * weights, blocks 0..29-k for k = BENCH_TOP (default 2), at each prompt length of BENCH_LENGTHS
 * (default "128,256") and batch of BENCH_BATCHES (default "1,8"), BENCH_STEPS timed batches (default 1)
 * after an untimed warm-up. Prints tokens/s wall and per CPU second (process CPU time, all threads),
 * the largest difference between the two backends' states, peak RSS, the load average, and the
 * estimated cache pass of 3,000 prompts at each length. BENCH_SKIP_TFJS=1 times onnxruntime only.
 */
import os from 'node:os';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { createOnnxPrefixBackend, type InProcessLanguageModel, loadGgufRecLm } from '../src/index';
import { smollm2GgufPath } from '../src/test-fixtures/smollm2-gguf';

const lengths = (process.env['BENCH_LENGTHS'] ?? '128,256').split(',').filter(Boolean).map(Number);
const batches = (process.env['BENCH_BATCHES'] ?? '1,8').split(',').filter(Boolean).map(Number);
const steps = Number(process.env['BENCH_STEPS'] ?? 1);
const top = Number(process.env['BENCH_TOP'] ?? 2);
const threads = Number(process.env['BENCH_THREADS'] ?? 2);
let skipTfjs = process.env['BENCH_SKIP_TFJS'] === '1';

const runtime = await initTensorflow();
const load = (): string => os.loadavg().map((v) => v.toFixed(1)).join(' ');
const rss = (): string => `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;
console.log(`tfjs backend: ${runtime.backend}; onnxruntime threads: ${threads}; cpus: ${os.cpus().length}; load average: ${load()}; ${steps} timed batches`);
const file = await smollm2GgufPath();
const lm = await loadGgufRecLm(file, { lora: { rank: 8, alpha: 32, dropout: 0.1 }, topBlocks: top });
const layers = lm.model.config.numLayers - top;
const hidden = lm.model.config.hiddenSize;
console.log(`SmolLM2-135M-Instruct, cache pass over blocks 0..${layers - 1} (top ${top} tuned); ${rss()}`);

const start = performance.now();
const backend = await createOnnxPrefixBackend(lm.model, { layers, threads });
console.log(`onnxruntime session (graph built in memory from the dequantized weights): ${((performance.now() - start) / 1000).toFixed(1)} s; ${rss()}`);

/** Distinct prompts of exactly `length` tokens, from real text so that the token mix is natural. */
function prompts(model: InProcessLanguageModel, length: number, count: number, salt: number): Int32Array {
  const text = 'The user watched and rated these movies: Toy Story (1995) 5 stars, Heat (1995) 4 stars, GoldenEye (1995) 3 stars, Casino (1995) 5 stars, Sense and Sensibility (1995) 2 stars, Four Rooms (1995) 1 star. ';
  const ids = new Int32Array(count * length);
  for (let i = 0; i < count; i++) ids.set(model.encodePrompt(`Prompt ${salt}-${i}. ${text.repeat(Math.ceil((length * 6) / text.length))}`).slice(0, length), i * length);
  return ids;
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

const viaTfjs = async (ids: Int32Array, batch: number, time: number): Promise<Float32Array> => {
  const states = tf.tidy(() => lm.model.prefixStates(tf.tensor2d(ids, [batch, time], 'int32'), layers));
  const data = (await states.data()) as Float32Array;
  states.dispose();
  return data;
};
const viaOnnx = (ids: Int32Array, batch: number, time: number): Promise<Float32Array> => backend.states(ids, batch, time);

interface Figures {
  wall: number;
  cpu: number;
}

async function time(run: (ids: Int32Array, batch: number, time: number) => Promise<Float32Array>, inputs: Int32Array[], batch: number, length: number): Promise<{ figures: Figures; outputs: Float32Array[] }> {
  await run(prompts(lm, 16, batch, 999), batch, 16); // warm-up (kernels, allocations)
  const outputs: Float32Array[] = [];
  const begin = performance.now();
  const beginCpu = cpuSeconds();
  for (const ids of inputs) outputs.push(await run(ids, batch, length));
  const wall = (performance.now() - begin) / 1000;
  const cpu = cpuSeconds() - beginCpu;
  const tokens = inputs.length * batch * length;
  return { figures: { wall: tokens / wall, cpu: tokens / cpu }, outputs };
}

const rate = (f: Figures): string => `${f.wall.toFixed(1)} tokens/s wall (${f.cpu.toFixed(1)} per CPU s)`;
const results: { length: number; batch: number; tfjs?: Figures; onnx: Figures }[] = [];
for (const length of lengths) {
  for (const batch of batches) {
    const inputs = Array.from({ length: steps }, (_, s) => prompts(lm, length, batch, s * 100 + length + batch));
    const onnx = await time(viaOnnx, inputs, batch, length);
    console.log(`length ${length}, batch ${batch}: onnxruntime ${rate(onnx.figures)}; ${rss()}; load average ${load()}`);
    let line = `length ${length}, batch ${batch}:`;
    let tfjs: Figures | undefined;
    let reference: Awaited<ReturnType<typeof time>> | undefined;
    if (!skipTfjs) {
      try {
        reference = await time(viaTfjs, inputs, batch, length);
      } catch (error) {
        // tfjs-wasm's heap (about 2 GB) holds every block's activations of the batch until the pass ends.
        console.log(`${line} tfjs fails: ${error instanceof Error ? error.message : String(error)} (the wasm heap is then unusable: tfjs is skipped from here on)`);
        skipTfjs = true;
      }
    }
    if (reference) {
      tfjs = reference.figures;
      let worst = 0;
      let scale = 0;
      reference.outputs.forEach((want, s) => {
        const got = onnx.outputs[s]!;
        for (let i = 0; i < want.length; i++) {
          worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
          scale = Math.max(scale, Math.abs(want[i]!));
        }
      });
      line += ` tfjs ${rate(tfjs)}; onnxruntime / tfjs ${(onnx.figures.wall / tfjs.wall).toFixed(1)}x wall, ${(onnx.figures.cpu / tfjs.cpu).toFixed(1)}x per CPU s; largest state difference ${worst.toExponential(2)} (largest |state| ${scale.toFixed(1)}, ${hidden} x ${batch * length} values)`;
      console.log(`${line}; ${rss()}; load average ${load()}`);
    }
    results.push({ length, batch, onnx: onnx.figures, ...(tfjs ? { tfjs } : {}) });
  }
}

// The cache pass of 3,000 distinct prompts at each length, at the largest batch measured.
const minutes = (seconds: number): string => `${(seconds / 60).toFixed(1)} min`;
for (const length of lengths) {
  const best = results.filter((r) => r.length === length).sort((a, b) => b.batch - a.batch)[0]!;
  const tokens = 3000 * length;
  const describe = (f: Figures): string => `${minutes(tokens / f.wall)} wall at this load, ${minutes(tokens / f.cpu)} of CPU`;
  console.log(`estimate, cache pass of 3,000 prompts x ${length} tokens (batch ${best.batch}): onnxruntime ${describe(best.onnx)}${best.tfjs ? `; tfjs ${describe(best.tfjs)}` : ''}`);
}
await backend.dispose();
lm.dispose();
console.log(`load average at the end: ${load()}`);
