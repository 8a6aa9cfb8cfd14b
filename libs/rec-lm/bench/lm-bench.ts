/**
 * Benchmark of @score/rec-lm (prints figures; no assertions):
 *  1. the from-scratch default (DEFAULT_SCRATCH_CONFIG) at the demo's size: training tokens/s and
 *     scoring prompts/s on synthetic P^b prompts (12-24 history items, ~100-160 tokens; BPE
 *     vocabulary capped at 3000, the synthetic corpus yields ~440 tokens);
 *  2. forward tokens/s of a 135M-parameter Llama config (SmolLM-135M's shape, random weights) on
 *     the tfjs backend in use (wasm by default), next to llama.cpp on the same weights (F32 GGUF).
 * Run: `npm run bench -w @score/rec-lm` (SCORE_TF_BACKEND=wasm|cpu to force a backend;
 * BENCH_SKIP_135M=1 to skip part 2).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeGguf } from '@score/llm-clients';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { getLlama, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { createLlamaConfig, createScratchRecLm, DEFAULT_SCRATCH_CONFIG, LlamaModel, llamaToGguf, syntheticPrompts } from '../src/index';
import { padBatch } from '../src/yes-no-scoring';
import { vocabularyStep } from './vocabulary-step';

const runtime = await initTensorflow();
console.log(`backend: ${runtime.backend}; cpus: ${os.cpus().length}; load average: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);

// 1. From-scratch default.
const corpus = syntheticPrompts({ count: 2000, seed: 1, historyLength: [12, 24] });
const tokenizer = trainTokenizer({ texts: corpus.map((e) => e.prompt), vocabSize: 3000, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
const lm = createScratchRecLm({ tokenizer, seed: 1 });
const encoded = corpus.map((e) => lm.encodePrompt(e.prompt));
const lengths = encoded.map((s) => s.length).sort((a, b) => a - b);
console.log(
  `from-scratch default: hidden ${DEFAULT_SCRATCH_CONFIG.hiddenSize}, ${DEFAULT_SCRATCH_CONFIG.numLayers} layers, vocab ${tokenizer.vocabSize}, ${(lm.model.parameterCount / 1e6).toFixed(2)}M parameters; prompt tokens median ${lengths[lengths.length >> 1]}, max ${lengths[lengths.length - 1]}`,
);
const optimizer = tf.train.adam(1e-3);
const batchSize = 32;
let tokens = 0;
let seconds = 0;
for (let step = 0; step < 6; step++) {
  const batch = encoded.slice(step * batchSize, (step + 1) * batchSize);
  const start = performance.now();
  vocabularyStep(lm, optimizer, batch);
  if (step > 0) {
    seconds += (performance.now() - start) / 1000;
    tokens += batch.reduce((sum, s) => sum + s.length, 0);
  }
}
console.log(`  training: ${Math.round(tokens / seconds)} tokens/s (batch ${batchSize}, 5 timed steps)`);
const prompts = corpus.slice(0, 128).map((e) => e.prompt);
await lm.scoreYesNo(prompts.slice(0, 16));
let start = performance.now();
await lm.scoreYesNo(prompts, { batchSize: 16 });
console.log(`  scoring: ${(prompts.length / ((performance.now() - start) / 1000)).toFixed(1)} prompts/s (batch 16)`);
lm.dispose();
optimizer.dispose();

// 2. 135M-parameter Llama config (SmolLM-135M's shape), random weights, vs llama.cpp.
if (process.env['BENCH_SKIP_135M'] !== '1') {
  const config = createLlamaConfig({
    vocabSize: 49152,
    hiddenSize: 576,
    intermediateSize: 1536,
    numLayers: 30,
    numHeads: 9,
    numKeyValueHeads: 3,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    tieWordEmbeddings: true,
    maxPositionEmbeddings: 2048,
  });
  const model = LlamaModel.create({ config, seed: 2 });
  console.log(`135M config: ${(model.parameterCount / 1e6).toFixed(1)}M parameters`);
  const length = 128;
  const sequence = Array.from({ length }, (_, i) => (i * 7919) % config.vocabSize);
  const forward = async (): Promise<void> => {
    const logits = tf.tidy(() => {
      const { ids, lengths: rows } = padBatch([sequence], 0);
      return model.lastLogits(ids, rows);
    });
    await logits.data();
    logits.dispose();
  };
  await forward();
  start = performance.now();
  for (let i = 0; i < 3; i++) await forward();
  const tfjsTokensPerSecond = (3 * length) / ((performance.now() - start) / 1000);
  console.log(`  tfjs ${runtime.backend}: ${tfjsTokensPerSecond.toFixed(1)} tokens/s (forward of ${length} tokens)`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-bench-'));
  const file = path.join(dir, 'model-135m.gguf');
  await writeGguf(file, await llamaToGguf(model));
  model.dispose();
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const loaded = await llama.loadModel({ modelPath: file });
  for (const threads of [1, os.cpus().length]) {
    const context = await loaded.createContext({ contextSize: 256, threads, batchSize: length });
    const llamaSequence = context.getSequence();
    await llamaSequence.evaluateWithoutGeneratingNewTokens(sequence as Token[]);
    let total = 0;
    for (let i = 0; i < 3; i++) {
      await llamaSequence.clearHistory();
      start = performance.now();
      await llamaSequence.evaluateWithoutGeneratingNewTokens(sequence as Token[]);
      total += performance.now() - start;
    }
    console.log(`  llama.cpp (${threads} thread${threads === 1 ? '' : 's'}): ${((3 * length) / (total / 1000)).toFixed(1)} tokens/s (prompt evaluation of ${length} tokens)`);
    await context.dispose();
  }
  await loaded.dispose();
  await llama.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
}
