/**
 * CAR benchmark: encoder throughput (texts/s) of the pooled and BERT tfjs encoders and of the
 * BERT one exported to ONNX, at batch 1 and 32, on behaviour texts of the synthetic dataset; then
 * the CAR stage on the synthetic default (fine-tuning seconds per epoch, held-out recall@10 of the
 * CRM neighbours and future overlap for base, car and cf).
 *
 *   npm run bench:car -w @score/car-retriever
 *   npm run bench:car -w @score/car-retriever -- --users 300 --bert-epochs 1
 *
 * Flags: --users N (600, the synthetic default), --items N (800), --seed N (42), --texts N (texts
 * timed per encoder at batch 32: 256; batch 1 times a quarter of them), --epochs N (10, pooled
 * fine-tuning), --bert-epochs N (0: also fine-tune the BERT encoder from scratch for N epochs),
 * --dir PATH (a fresh temp folder, removed afterwards).
 *
 * The CRM neighbours are a stand-in collaborative signal (the cosine of the users' training item
 * sets), so that this package needs no CRM; the trainer's `car` stage takes SASRec's instead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TextEmbeddingModel } from '@score/core';
import { generateSyntheticDataset } from '@score/data';
import { createBertEncoder, createOnnxEncoder, createPooledEncoder, exportBertToOnnx, trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import { buildBehaviourCorpus } from '../src/behaviour-corpus';
import { runCarStage, type CarStageResult } from '../src/car-stage';
import { itemSetNeighbours } from '../src/test-fixtures/item-set-neighbours';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '600' },
    items: { type: 'string', default: '800' },
    seed: { type: 'string', default: '42' },
    texts: { type: 'string', default: '256' },
    epochs: { type: 'string', default: '10' },
    'bert-epochs': { type: 'string', default: '0' },
    dir: { type: 'string' },
  },
});
const integer = (name: string, value: string) => {
  const parsed = Number.parseInt(value, 10);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative integer, got ${value}.`);
  return parsed;
};
const users = integer('users', values.users);
const items = integer('items', values.items);
const seed = integer('seed', values.seed);
const textCount = integer('texts', values.texts);
const epochs = integer('epochs', values.epochs);
const bertEpochs = integer('bert-epochs', values['bert-epochs']);

const runtime = await initTensorflow();
const root = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'car-bench-'));
fs.mkdirSync(root, { recursive: true });
console.log(`backend ${runtime.backend}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}`);

try {
  const dataset = await generateSyntheticDataset({ users, items, seed });
  const corpus = buildBehaviourCorpus(dataset);
  const texts = corpus.entries.map((entry) => entry.text);
  const neighbours = itemSetNeighbours(dataset, 5);
  const meanChars = texts.reduce((sum, text) => sum + text.length, 0) / texts.length;
  console.log(`synthetic: ${dataset.users.length} users, ${dataset.items.size} items, ${texts.length} behaviour texts of ${meanChars.toFixed(0)} characters on average`);

  // Encoder throughput.
  const tokenizer = trainTokenizer({ texts, vocabSize: 4000, kind: 'wordpiece' });
  const pooled = await createPooledEncoder({ tokenizer, maxLength: 256 });
  const bert = await createBertEncoder({ tokenizer, maxLength: 256 });
  const onnxDir = path.join(root, 'bert-onnx');
  fs.mkdirSync(onnxDir, { recursive: true });
  await exportBertToOnnx(bert, path.join(onnxDir, 'model.onnx'));
  await bert.save(path.join(root, 'bert'));
  for (const file of ['tokenizer.json', 'config.json']) fs.copyFileSync(path.join(root, 'bert', file), path.join(onnxDir, file));
  const onnx = await createOnnxEncoder({ modelDir: onnxDir, maxLength: 256 });
  const sample = Array.from({ length: textCount }, (_, i) => texts[i % texts.length]!);
  const throughput = async (name: string, encoder: TextEmbeddingModel) => {
    for (const batchSize of [1, 32]) {
      const batch = batchSize === 1 ? sample.slice(0, Math.max(8, Math.floor(sample.length / 4))) : sample;
      await encoder.embed(batch.slice(0, batchSize), { batchSize }); // warm-up
      const start = performance.now();
      await encoder.embed(batch, { batchSize });
      const seconds = (performance.now() - start) / 1000;
      console.log(`encoder ${name.padEnd(28)} batch ${String(batchSize).padStart(2)}: ${(batch.length / seconds).toFixed(1).padStart(8)} texts/s (${batch.length} texts, ${seconds.toFixed(2)} s)`);
    }
  };
  await throughput(`pooled tfjs (${pooled.modelId})`, pooled);
  await throughput(`bert tfjs (${bert.modelId})`, bert);
  await throughput('bert onnx (same weights)', onnx);
  pooled.dispose();
  bert.dispose();
  await onnx.dispose();

  // The stage: fine-tuning seconds per epoch and retrieval figures.
  const report = (name: string, result: CarStageResult) => {
    const t = result.training;
    console.log(
      `stage ${name}: ${result.corpus.users} corpus users, ${result.heldOutUsers} held out; ${t ? `${t.epochs} epochs (best ${t.bestEpoch}), ${t.secondsPerEpoch.toFixed(2)} s/epoch` : 'not fine-tuned'}; total ${result.seconds.toFixed(1)} s`,
    );
    for (const variant of ['base', 'car', 'cf'] as const) {
      const m = result[variant];
      console.log(`  ${variant.padEnd(4)} recall@${result.k} of CRM neighbours ${m.recall.toFixed(4)}, future overlap ${m.futureOverlap.toFixed(4)} (${m.futureOverlapUsers} users)`);
    }
  };
  const pooledStage = await runCarStage({ dataset, neighbours, outputDir: path.join(root, 'car-pooled'), encoder: 'pooled', epochs, seed });
  report('pooled', pooledStage);
  if (bertEpochs > 0) {
    const scratchStage = await runCarStage({ dataset, neighbours, outputDir: path.join(root, 'car-scratch'), encoder: 'scratch', epochs: bertEpochs, patience: bertEpochs, seed });
    report('scratch BERT', scratchStage);
  }
} finally {
  if (values.dir === undefined) fs.rmSync(root, { recursive: true, force: true });
}
