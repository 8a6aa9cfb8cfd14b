/**
 * Benchmark of BERT inference on tfjs against onnxruntime (issue 15 point 8, issue 17 point 1):
 * all-MiniLM-L6-v2 (pulled into the models cache on first run) embedding behaviour texts of
 * CAR's shape, ~200-250 tokens each (the length of the pretrained demo's snapshot texts): texts/s of
 * the trainable tfjs encoder (wasm, one thread, `loadBertEncoder`'s default batch of 8) and of
 * the onnxruntime route (`loadInferenceEncoder(dir, { inference: 'onnx' })`, batch 32) on 1 thread
 * and on every core, the one-off export times (to the folder, and in memory with
 * `createBertOnnxInference`), and the largest difference between the two routes' embeddings.
 *
 * Run: `npx nx run text-encoders:bench-inference` (or `npm run bench-inference -w @score/text-encoders`).
 * `SCORE_BENCH_TEXTS` sets the number of texts (default 200); `SCORE_BENCH_MODEL_DIR` another
 * BERT-family folder.
 */
import os from 'node:os';
import { initTensorflow } from '@score/tfjs-runtime';
import { createBertOnnxInference, loadBertEncoder, loadInferenceEncoder } from '../src/index';
import { pretrainedMiniLmDir } from '../src/test-fixtures/pretrained-model';
import { behaviourTexts, seconds } from './behaviour-texts';

/** Behaviour texts as the CAR corpus writes them: 20 to 28 liked titles (about 200 to 250 tokens). */
function corpus(count: number): string[] {
  return behaviourTexts(count, { seed: 17, minTitles: 20, extraTitles: 9, quoted: true });
}

async function main(): Promise<void> {
  const runtime = await initTensorflow();
  const cores = os.availableParallelism();
  console.log(`TensorFlow.js backend: ${runtime.backend}; cores: ${cores}; load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  const dir = process.env['SCORE_BENCH_MODEL_DIR'] ?? (await pretrainedMiniLmDir());
  const count = Number(process.env['SCORE_BENCH_TEXTS'] ?? 200);
  const texts = corpus(count);

  const bert = await loadBertEncoder(dir);
  const lengths = texts.map((text) => bert.tokenizer.encode(text, { maxLength: bert.maxLength }).ids.length);
  console.log(`model: ${bert.modelId}, ${bert.config.layers} layers, hidden ${bert.config.hidden}, maxLength ${bert.maxLength}; ${count} texts of ${Math.min(...lengths)}-${Math.max(...lengths)} tokens (mean ${(lengths.reduce((a, b) => a + b, 0) / count).toFixed(0)})`);

  let start = process.hrtime.bigint();
  const reference = await bert.embed(texts);
  const tfjsSeconds = seconds(start);
  console.log(`tfjs (wasm, 1 thread, batch 8): ${(count / tfjsSeconds).toFixed(1)} texts/s (${tfjsSeconds.toFixed(1)} s)`);

  start = process.hrtime.bigint();
  const inMemory = await createBertOnnxInference(bert, { intraOpThreads: cores });
  console.log(`in-memory export + onnxruntime session: ${seconds(start).toFixed(2)} s`);
  await inMemory.dispose();
  bert.dispose();

  start = process.hrtime.bigint();
  const first = await loadInferenceEncoder(dir, { inference: 'onnx', intraOpThreads: 1 });
  console.log(`loadInferenceEncoder (export to the folder once, or reuse it) + session: ${seconds(start).toFixed(2)} s`);
  for (const threads of [...new Set([1, cores])]) {
    const onnx = threads === 1 ? first : await loadInferenceEncoder(dir, { inference: 'onnx', intraOpThreads: threads });
    await onnx.embed(texts.slice(0, 8));
    start = process.hrtime.bigint();
    const vectors = await onnx.embed(texts);
    const elapsed = seconds(start);
    let diff = 0;
    for (let i = 0; i < vectors.data.length; i++) diff = Math.max(diff, Math.abs(vectors.data[i]! - reference.data[i]!));
    console.log(`onnxruntime (${threads} intra-op thread${threads === 1 ? '' : 's'}, batch 32): ${(count / elapsed).toFixed(1)} texts/s (${elapsed.toFixed(1)} s), ${(tfjsSeconds / elapsed).toFixed(1)}x tfjs; max |difference| to tfjs ${diff.toExponential(1)}`);
    await onnx.dispose();
  }
  console.log(`load average at the end ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
}

await main();
