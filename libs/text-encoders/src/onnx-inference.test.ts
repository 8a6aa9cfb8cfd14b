import fs from 'node:fs';
import path from 'node:path';
import { InvalidOptionError } from '@score/core';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BertEncoder, createBertEncoder, loadBertEncoder, PRETRAINED_BERT_BATCH } from './bert-encoder';
import { ONNX_EXPORT_RECORD } from './bert-onnx-export';
import { createOnnxEncoder } from './onnx-encoder';
import { createBertOnnxInference, loadInferenceEncoder, withInferenceEncoder } from './onnx-inference';
import { createPooledEncoder } from './pooled-encoder';
import { makeTempDir, makeTestTokenizer, TEST_CORPUS } from './test-fixtures/tiny-corpus';

const tokenizer = makeTestTokenizer();
// Texts of very different lengths (1 to 24 tokens after truncation), so batches pad.
const texts = ['yes', 'heat casino', ...TEST_CORPUS, `${TEST_CORPUS[0]} ${TEST_CORPUS[1]} ${TEST_CORPUS[3]}`];

/** A tiny BERT with random weights (std 0.5; LayerNorm 1 and 0, which keeps the embeddings apart), so agreement and rankings are not trivial. */
async function randomBert(seed: number, pooling: 'mean' | 'cls' = 'mean', normalize = true): Promise<BertEncoder> {
  const encoder = await createBertEncoder({ tokenizer, hidden: 16, layers: 2, heads: 4, intermediate: 24, maxLength: 24, pooling, normalize, seed });
  let next = seed * 100;
  for (const [name, variable] of encoder.namedWeights()) {
    if (name.includes('LayerNorm')) continue;
    const value = tf.tidy(() => tf.randomNormal(variable.shape, 0, 0.5, 'float32', next++));
    variable.assign(value);
    value.dispose();
  }
  return encoder;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** For each query row, the other rows ordered by dot product (cosine for normalised rows), best first. */
function rankings(data: Float32Array, rows: number, width: number): number[][] {
  const dot = (a: number, b: number) => {
    let sum = 0;
    for (let c = 0; c < width; c++) sum += data[a * width + c]! * data[b * width + c]!;
    return sum;
  };
  return Array.from({ length: rows }, (_, q) =>
    Array.from({ length: rows }, (_, r) => r)
      .filter((r) => r !== q)
      .sort((a, b) => dot(q, b) - dot(q, a) || a - b),
  );
}

beforeAll(async () => {
  await initTensorflow();
});

describe('BERT inference on onnxruntime', () => {
  it('createBertOnnxInference embeds as the tfjs encoder does (mean and CLS pooling, padded batches) and ranks the same', async () => {
    for (const [pooling, normalize] of [['mean', true], ['cls', false]] as const) {
      const encoder = await randomBert(7, pooling, normalize);
      const onnx = await createBertOnnxInference(encoder, { intraOpThreads: 2, batchSize: 3 });
      expect([onnx.modelId, onnx.dimensions, onnx.maxLength, onnx.pooling, onnx.normalized]).toEqual([encoder.modelId, 16, 24, pooling, normalize]);
      // Batches of 3 and 32 pad differently; both agree with tfjs's batch of 4.
      const reference = await encoder.embed(texts, { batchSize: 4 });
      const small = await onnx.embed(texts);
      const whole = await onnx.embed(texts, { batchSize: 32 });
      expect([small.rows, small.cols]).toEqual([texts.length, 16]);
      expect(maxAbsDiff(reference.data, small.data)).toBeLessThan(1e-4);
      expect(maxAbsDiff(reference.data, whole.data)).toBeLessThan(1e-4);
      // The rows differ from each other (an all-equal output would agree trivially).
      expect(maxAbsDiff(reference.data.subarray(0, 16), reference.data.subarray(16, 32))).toBeGreaterThan(1e-2);
      expect(rankings(small.data, texts.length, 16)).toEqual(rankings(reference.data, texts.length, 16));
      // Rankings that are not ties: the first text's dot products with the others spread.
      const dots = Array.from({ length: texts.length - 1 }, (_, r) => reference.data.subarray(0, 16).reduce((sum, v, c) => sum + v * reference.data[(r + 1) * 16 + c]!, 0));
      expect(Math.max(...dots) - Math.min(...dots)).toBeGreaterThan(0.05);
      await onnx.dispose();
      encoder.dispose();
    }
  });

  it('withInferenceEncoder runs the current weights on onnxruntime and lends a pooled encoder or tfjs as is', async () => {
    const encoder = await randomBert(8);
    const before = await withInferenceEncoder(encoder, 'onnx', (model) => model.embed(texts));
    // Change the weights: a new session sees them (the export is of the weights at the call).
    const word = encoder.namedWeights().get('embeddings.word_embeddings.weight')!;
    const shifted = tf.tidy(() => tf.add(word, tf.randomNormal(word.shape, 0, 0.5, 'float32', 3)));
    word.assign(shifted);
    shifted.dispose();
    const after = await withInferenceEncoder(encoder, 'onnx', async (model) => {
      expect(model).not.toBe(encoder);
      return model.embed(texts);
    });
    expect(maxAbsDiff(before.data, after.data)).toBeGreaterThan(1e-2);
    expect(maxAbsDiff(after.data, (await encoder.embed(texts)).data)).toBeLessThan(1e-4);
    await withInferenceEncoder(encoder, 'tfjs', async (model) => expect(model).toBe(encoder));
    const pooled = await createPooledEncoder({ tokenizer, dimensions: 8, seed: 1 });
    await withInferenceEncoder(pooled, 'onnx', async (model) => expect(model).toBe(pooled));
    // Not disposed by the loan.
    expect((await encoder.embed(['yes'])).rows).toBe(1);
    await expect(withInferenceEncoder(encoder, 'gpu' as never, async () => 0)).rejects.toThrow(InvalidOptionError);
    encoder.dispose();
    pooled.dispose();
  });

  it('loadInferenceEncoder exports a saved folder once, reuses it until the weights change, and matches tfjs', async () => {
    const dir = makeTempDir();
    const encoder = await randomBert(9);
    await encoder.save(dir);
    const onnx = await loadInferenceEncoder(dir, { inference: 'onnx', intraOpThreads: 1 });
    const onnxFile = path.join(dir, 'onnx', 'model.onnx');
    expect(fs.existsSync(onnxFile) && fs.existsSync(path.join(dir, 'onnx', ONNX_EXPORT_RECORD))).toBe(true);
    expect(onnx.modelId).toBe(`bert:${path.basename(dir)}`);
    const tfjs = await loadInferenceEncoder(dir);
    expect(tfjs).toHaveProperty('architecture', 'bert');
    const [a, b] = [await onnx.embed(texts), await tfjs.embed(texts)];
    expect(maxAbsDiff(a.data, b.data)).toBeLessThan(1e-4);
    expect(rankings(a.data, texts.length, 16)).toEqual(rankings(b.data, texts.length, 16));
    await onnx.dispose();
    // Reused: the file is not rewritten while the weights stay.
    const written = fs.statSync(onnxFile).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await (await loadInferenceEncoder(dir, { inference: 'onnx' })).dispose();
    expect(fs.statSync(onnxFile).mtimeMs).toBe(written);
    // New weights saved over the folder: exported again, and the new function is run.
    const other = await randomBert(10);
    await other.save(dir);
    const again = await loadInferenceEncoder(dir, { inference: 'onnx' });
    expect(maxAbsDiff((await again.embed(texts)).data, (await other.embed(texts)).data)).toBeLessThan(1e-4);
    await again.dispose();
    await tfjs.dispose();
    encoder.dispose();
    other.dispose();
  });

  it('loadInferenceEncoder leaves a shipped onnx/model.onnx alone and exports beside it', async () => {
    const dir = makeTempDir();
    const encoder = await randomBert(11);
    await encoder.save(dir);
    fs.mkdirSync(path.join(dir, 'onnx'));
    fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), 'not ours');
    const onnx = await loadInferenceEncoder(dir, { inference: 'onnx' });
    expect(fs.readFileSync(path.join(dir, 'onnx', 'model.onnx'), 'utf8')).toBe('not ours');
    expect(fs.existsSync(path.join(dir, 'score-onnx', 'model.onnx'))).toBe(true);
    expect(maxAbsDiff((await onnx.embed(texts)).data, (await encoder.embed(texts)).data)).toBeLessThan(1e-4);
    await onnx.dispose();
    encoder.dispose();
  });

  it('loadBertEncoder batches a downloaded checkpoint by 8 and a saved encoder by its own batch size', async () => {
    const dir = makeTempDir();
    const encoder = await createBertEncoder({ tokenizer, hidden: 8, layers: 1, heads: 2, maxLength: 16, batchSize: 5 });
    await encoder.save(dir);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, { batch_size?: number }>;
    expect(config['score_encoder']!.batch_size).toBe(5);
    // Batching shows in how often the forward pass runs.
    const passes = async (loaded: BertEncoder) => {
      let calls = 0;
      const original = loaded.embedTensor.bind(loaded);
      loaded.embedTensor = (ids, mask) => {
        calls += 1;
        return original(ids, mask);
      };
      await loaded.embed(Array.from({ length: 40 }, (_, i) => texts[i % texts.length]!));
      loaded.dispose();
      return calls;
    };
    expect(await passes(await loadBertEncoder(dir))).toBe(8);
    // Without the score_encoder block (a Hugging Face download): PRETRAINED_BERT_BATCH.
    delete config['score_encoder'];
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    expect(await passes(await loadBertEncoder(dir))).toBe(40 / PRETRAINED_BERT_BATCH);
    expect(await passes(await loadBertEncoder(dir, { batchSize: 20 }))).toBe(2);
    encoder.dispose();
  });

  it('refuses bytes without a tokenizer and a non-BERT encoder', async () => {
    await expect(createOnnxEncoder({ model: new Uint8Array(4) })).rejects.toThrow(/tokenizer/);
    const pooled = await createPooledEncoder({ tokenizer, dimensions: 8, seed: 1 });
    await expect(createBertOnnxInference(pooled as never)).rejects.toThrow(/BertEncoder/);
    pooled.dispose();
  });
});
