/**
 * Benchmark: on a synthetic corpus of behaviour texts (the shape CAR encodes), measures
 * tokenizer training, embedding throughput and InfoNCE training-step time of the pooled encoder
 * and the default BERT encoder (hidden 128, 2 layers, 4 heads), and onnxruntime throughput of the
 * same BERT exported to ONNX. Prints one line per figure.
 *
 * Run: `npx nx run text-encoders:bench` (or `npm run bench -w @score/text-encoders`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { createBertEncoder, createOnnxEncoder, createPooledEncoder, exportBertToOnnx, infoNceLoss, type TrainableTextEncoder, trainTokenizer } from '../src/index';

const SYLLABLES = ['ka', 'ri', 'mo', 'sen', 'ta', 'lu', 'ver', 'no', 'dra', 'pi', 'gon', 'el', 'sha', 'tor', 'bi', 'qu', 'an', 'mer', 'zo', 'lin'];

/** Synthetic behaviour texts: histories of 5..14 titles drawn from 3,000 made-up words. */
function corpus(count: number): string[] {
  let state = 7;
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const words = Array.from({ length: 3000 }, () => Array.from({ length: 2 + next(3) }, () => SYLLABLES[next(SYLLABLES.length)]).join(''));
  const title = (): string => `${words[next(words.length)]} ${words[next(words.length)]} (${1960 + next(40)})`;
  return Array.from({ length: count }, () => `The user has highly rated the following movies: ${Array.from({ length: 5 + next(10) }, title).join(', ')}.`);
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function measureEncoder(name: string, encoder: TrainableTextEncoder, texts: string[], steps: number): Promise<void> {
  await encoder.embed(texts.slice(0, 8));
  let start = process.hrtime.bigint();
  await encoder.embed(texts);
  console.log(`${name}: embed ${(texts.length / seconds(start)).toFixed(1)} texts/s (${texts.length} texts, maxLength ${encoder.maxLength})`);
  const optimizer = tf.train.adam(1e-3);
  const queries = encoder.tokenize(texts.slice(0, 16));
  const keys = encoder.tokenize(texts.slice(16, 32));
  const positives = tf.eye(16) as tf.Tensor2D;
  const step = () => optimizer.minimize(() => infoNceLoss(encoder.embedTensor(queries.ids, queries.mask), encoder.embedTensor(keys.ids, keys.mask), positives, { temperature: 0.1 }), true, encoder.trainableVariables)?.dispose();
  step();
  start = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) step();
  console.log(`${name}: InfoNCE step (16 queries + 16 keys) ${(seconds(start) / steps).toFixed(3)} s/step`);
  tf.dispose([queries.ids, queries.mask, keys.ids, keys.mask, positives]);
  optimizer.dispose();
}

async function main(): Promise<void> {
  const runtime = await initTensorflow();
  console.log(`TensorFlow.js backend: ${runtime.backend}; CPUs: ${os.cpus().length}`);
  const texts = corpus(5000);
  for (const kind of ['wordpiece', 'bpe'] as const) {
    const start = process.hrtime.bigint();
    const tokenizer = trainTokenizer({ texts, vocabSize: 8000, kind });
    console.log(`trainTokenizer ${kind}: ${seconds(start).toFixed(2)} s for ${texts.length} texts, vocabulary ${tokenizer.vocabSize}`);
  }
  const tokenizer = trainTokenizer({ texts, vocabSize: 8000, kind: 'wordpiece', requiredTokens: ['Yes', 'No'] });
  const start = process.hrtime.bigint();
  const encoded = texts.map((text) => tokenizer.encode(text, { maxLength: 128 }).ids.length);
  console.log(`tokenize: ${(texts.length / seconds(start)).toFixed(0)} texts/s, mean length ${(encoded.reduce((a, b) => a + b, 0) / encoded.length).toFixed(1)} tokens`);

  const pooled = await createPooledEncoder({ tokenizer });
  await measureEncoder('pooled 128 to 128', pooled, texts.slice(0, 512), 20);
  pooled.dispose();

  const bert = await createBertEncoder({ tokenizer });
  await measureEncoder('bert 128x2', bert, texts.slice(0, 128), 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-bench-'));
  await exportBertToOnnx(bert, path.join(dir, 'model.onnx'));
  await tokenizer.save(path.join(dir, 'tokenizer.json'));
  const onnx = await createOnnxEncoder({ modelDir: dir, maxLength: 128, intraOpThreads: os.cpus().length });
  await onnx.embed(texts.slice(0, 8));
  const onnxStart = process.hrtime.bigint();
  await onnx.embed(texts.slice(0, 512));
  console.log(`bert 128x2 on onnxruntime: embed ${(512 / seconds(onnxStart)).toFixed(1)} texts/s`);
  await onnx.dispose();
  bert.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
