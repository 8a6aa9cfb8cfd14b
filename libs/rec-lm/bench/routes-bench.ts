/**
 * Benchmark of the recommender LM's last-position route against the full route (prints figures;
 * no assertions), in one process so both see the same load: milliseconds per scored prompt
 * (Yes/No logits, batches of 16 by length) and per tuning step (batch 16, "answers" loss, Adam),
 * for the from-scratch default (DEFAULT_SCRATCH_CONFIG) with a 5,300-token vocabulary and prompts of
 * 120-255 tokens (ML-1M-sized runs; maxPromptTokens 256). The full route runs every block on every
 * position and gathers the last one (what `lastLogits` did before); the last-position route runs
 * the top block on each prompt's last position only (and, scoring, grouped-query attention without
 * copying key/value heads). It also checks the two give the same logits.
 *
 * It then times the last-position scoring route with attention's per-head products as the wasm
 * backend's plain batched matMul loop against XNNPACK convolutions (`batchMatMul` of
 * @score/tfjs-runtime, `useConvBatchMatMul` on/off), alternately, and checks their logits agree
 * to the bit; `PARTS=attention` runs only that part.
 *
 *   npm run bench:routes -w @score/rec-lm      (N=prompts, default 128; REPEATS, default 2; PARTS=all|attention)
 */
import os from 'node:os';
import { embeddingLookup, initTensorflow, tf, useConvBatchMatMul } from '@score/tfjs-runtime';
import { createLlamaConfig, LlamaModel } from '../src/index';
import { batchesByLength, padBatch } from '../src/yes-no-scoring';

await initTensorflow();
const vocab = 5300;
const config = createLlamaConfig({ vocabSize: vocab });
const model = LlamaModel.create({ config, seed: 1 });
let state = 12345;
const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
const count = Number(process.env['N'] ?? 128);
const repeats = Number(process.env['REPEATS'] ?? 2);
const sequences = Array.from({ length: count }, () => Array.from({ length: 120 + Math.floor(random() * 136) }, () => 1 + Math.floor(random() * (vocab - 1))));
const batches = batchesByLength(sequences.map((s) => s.length), 16);
/** CPU milliseconds of this process since `since` (steadier than wall time on a shared machine). */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(', ');

/** [rows, 2] Yes/No logits by the full route: every block on every position, then the last row gathered. */
function fullLogits(ids: tf.Tensor2D, lengths: readonly number[], training: boolean): tf.Tensor2D {
  const [rows, time] = ids.shape;
  const hidden = tf.reshape(model.hiddenStates(ids, training, lengths), [rows * time, config.hiddenSize]) as tf.Tensor2D;
  return model.logitsOf(embeddingLookup(hidden, tf.tensor1d(lengths.map((length, b) => b * time + length - 1), 'int32')) as tf.Tensor2D, [5, 6], training);
}

function score(full: boolean): Float32Array {
  const out = new Float32Array(count * 2);
  for (const batch of batches) {
    const logits = tf.tidy(() => {
      const { ids, lengths } = padBatch(batch.map((i) => sequences[i]!), 0);
      // The full route with training = true (no adapters, so no dropout) is the scoring pass as it
      // was before: key/value heads copied for grouped-query attention (repeat_kv).
      return full ? fullLogits(ids, lengths, true) : model.lastLogits(ids, lengths, false, [5, 6]);
    });
    const values = logits.dataSync();
    logits.dispose();
    batch.forEach((i, r) => out.set([values[2 * r]!, values[2 * r + 1]!], 2 * i));
  }
  return out;
}

function train(full: boolean, optimizer: tf.Optimizer, steps: number): void {
  for (const batch of batches.slice(0, steps)) {
    const loss = optimizer.minimize(
      () => {
        const { ids, lengths } = padBatch(batch.map((i) => sequences[i]!), 0);
        const logits = full ? fullLogits(ids, lengths, true) : model.lastLogits(ids, lengths, true, [5, 6]);
        const labels = tf.oneHot(tf.tensor1d(batch.map((i) => i % 2), 'int32'), 2);
        return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1))) as tf.Scalar;
      },
      true,
      model.trainableVariables(),
    );
    loss!.dataSync();
    loss!.dispose();
  }
}

console.log(`LM routes: hidden ${config.hiddenSize}, ${config.numLayers} blocks, vocab ${vocab}, ${count} prompts of 120-255 tokens; cores ${os.cpus().length}, load average ${load()}`);
{
  // Attention's per-head products: the plain batched matMul loop against XNNPACK convolutions.
  const wasmHeap = () => (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length ?? 0;
  useConvBatchMatMul(false);
  const plain = score(false);
  useConvBatchMatMul(true);
  const conv = score(false);
  let differing = 0;
  for (let i = 0; i < plain.length; i++) if (!Object.is(plain[i], conv[i])) differing++;
  console.log(`attention products, plain matMul vs convolution: ${differing} of ${plain.length} logits differ`);
  const heap = wasmHeap();
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const on of [false, true]) {
      useConvBatchMatMul(on);
      const started = performance.now();
      const cpu = process.cpuUsage();
      score(false);
      console.log(`scoring, last position, attention ${on ? 'XNNPACK conv ' : 'plain matMul '}: ${((performance.now() - started) / count).toFixed(2)} ms per prompt wall, ${(cpuMs(cpu) / count).toFixed(2)} ms CPU (load ${load()})`);
    }
  }
  useConvBatchMatMul(true);
  console.log(`wasm heap ${(heap / 2 ** 20).toFixed(0)} MiB before the timed passes, ${(wasmHeap() / 2 ** 20).toFixed(0)} MiB after`);
}
if (process.env['PARTS'] === 'attention') {
  model.dispose();
  process.exit(0);
}
const full = score(true);
const last = score(false);
let worst = 0;
for (let i = 0; i < full.length; i++) worst = Math.max(worst, Math.abs(full[i]! - last[i]!));
console.log(`same logits: max |difference| ${worst}`);
for (let repeat = 0; repeat < repeats; repeat++) {
  for (const route of [true, false]) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    score(route);
    console.log(`scoring, ${route ? 'full route   ' : 'last position'}: ${((performance.now() - started) / count).toFixed(2)} ms per prompt wall, ${(cpuMs(cpu) / count).toFixed(2)} ms CPU (load ${load()})`);
  }
}
const steps = Math.min(4, batches.length);
for (let repeat = 0; repeat < repeats; repeat++) {
  for (const route of [true, false]) {
    const optimizer = tf.train.adam(1e-4);
    const started = performance.now();
    const cpu = process.cpuUsage();
    train(route, optimizer, steps);
    console.log(`tuning,  ${route ? 'full route   ' : 'last position'}: ${((performance.now() - started) / steps).toFixed(0)} ms per step of 16 prompts wall, ${(cpuMs(cpu) / steps).toFixed(0)} ms CPU (load ${load()})`);
    optimizer.dispose();
  }
}
model.dispose();
