import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DimensionMismatchError, ModelMismatchError } from '@score/core';
import { initTensorflow, tf, writeSafetensors } from '@score/tfjs-runtime';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { bertConfigToJson } from './bert-config';
import { type BertEncoder, createBertEncoder, loadBertEncoder } from './bert-encoder';
import { exportBertToOnnx } from './export-bert-to-onnx';
import { infoNceLoss } from './info-nce-loss';
import { createOnnxEncoder } from './onnx-encoder';
import { makeTempDir, makeTestTokenizer, TEST_CORPUS } from './test-fixtures/tiny-corpus';
import { trainTokenizer } from './train-tokenizer';

const tokenizer = makeTestTokenizer();
const texts = ['heat casino', 'the user has watched toy story , jumanji', 'yes'];

/** A tiny model whose every weight (LayerNorm too) is random, so agreement tests are not trivial. */
async function randomBert(pooling: 'mean' | 'cls' = 'mean', normalize = true): Promise<BertEncoder> {
  const encoder = await createBertEncoder({ tokenizer, hidden: 16, layers: 2, heads: 4, intermediate: 24, maxLength: 24, pooling, normalize, seed: 7 });
  let seed = 100;
  for (const variable of encoder.trainableVariables) {
    const value = tf.tidy(() => tf.randomNormal(variable.shape, 0, 0.5, 'float32', seed++));
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

beforeAll(async () => {
  await initTensorflow();
});

describe('BertEncoder', () => {
  it('agrees with an independent ONNX graph of the same weights (onnxruntime) to 1e-4', async () => {
    const encoder = await randomBert('mean', true);
    const dir = makeTempDir();
    await exportBertToOnnx(encoder, path.join(dir, 'model.onnx'), { sentenceEmbedding: true });
    await tokenizer.save(path.join(dir, 'tokenizer.json'));

    // Token states: raw onnxruntime session against hiddenStates, padding included.
    const { ids, mask } = encoder.tokenize(texts);
    const tfStates = encoder.hiddenStates(ids, mask);
    const [batch, length] = ids.shape;
    const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
    const toInt64 = (values: Int32Array) => new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), [batch, length]);
    const outputs = await session.run({ input_ids: toInt64(ids.dataSync() as Int32Array), attention_mask: toInt64(mask.dataSync() as Int32Array), token_type_ids: toInt64(new Int32Array(batch * length)) });
    expect(outputs['last_hidden_state']!.dims).toEqual([batch, length, 16]);
    const states = tfStates.dataSync();
    expect(maxAbsDiff(states, outputs['last_hidden_state']!.data as Float32Array)).toBeLessThan(1e-4);
    // The states are not trivially equal to each other (the check could fail).
    expect(Math.abs(states[0]! - states[16]!)).toBeGreaterThan(1e-3);
    await session.release();
    tf.dispose([ids, mask, tfStates]);

    // Pooled, normalised embeddings: tfjs vs the ONNX encoder (pooling in JS) vs the pooled graph output.
    const expected = await encoder.embed(texts);
    const pooledInJs = await createOnnxEncoder({ modelDir: dir, pooling: 'mean', intraOpThreads: 1 });
    expect(maxAbsDiff(expected.data, (await pooledInJs.embed(texts)).data)).toBeLessThan(1e-4);
    await pooledInJs.dispose();
    const pooledInGraph = await createOnnxEncoder({ modelDir: dir, outputName: 'sentence_embedding', normalize: false });
    expect(maxAbsDiff(expected.data, (await pooledInGraph.embed(texts)).data)).toBeLessThan(1e-4);
    await pooledInGraph.dispose();
    encoder.dispose();
  });

  it('CLS pooling without normalisation agrees with the ONNX graph too', async () => {
    const encoder = await randomBert('cls', false);
    const dir = makeTempDir();
    await exportBertToOnnx(encoder, path.join(dir, 'model.onnx'), { sentenceEmbedding: true, tokenTypeIds: false });
    await tokenizer.save(path.join(dir, 'tokenizer.json'));
    const expected = await encoder.embed(texts);
    const onnx = await createOnnxEncoder({ modelDir: dir, pooling: 'cls', normalize: false });
    expect(maxAbsDiff(expected.data, (await onnx.embed(texts)).data)).toBeLessThan(1e-4);
    const norms = [0, 1, 2].map((r) => Math.hypot(...expected.data.subarray(r * 16, r * 16 + 16)));
    expect(norms.some((n) => Math.abs(n - 1) > 0.01)).toBe(true);
    await onnx.dispose();
    const inGraph = await createOnnxEncoder({ modelDir: dir, outputName: 'sentence_embedding', normalize: false });
    expect(maxAbsDiff(expected.data, (await inGraph.embed(texts)).data)).toBeLessThan(1e-4);
    await inGraph.dispose();
    encoder.dispose();
  });

  it('trains with infoNceLoss (gradients reach every weight, the loss falls) and leaks no tensors', async () => {
    const encoder = await createBertEncoder({ tokenizer, hidden: 16, layers: 1, heads: 2, intermediate: 32, maxLength: 24 });
    expect(encoder.trainableVariables).toHaveLength(5 + 16);
    const optimizer = tf.train.adam(0.01);
    const { ids: queryIds, mask: queryMask } = encoder.tokenize(['heat casino', 'toy story jumanji', 'yes', 'no']);
    const { ids: keyIds, mask: keyMask } = encoder.tokenize(['casino heat', 'jumanji toy story', 'yes yes', 'no no']);
    const positives = tf.eye(4) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const lossOf = () => infoNceLoss(encoder.embedTensor(queryIds, queryMask), encoder.embedTensor(keyIds, keyMask), positives, { temperature: 0.1 });
    const { value, grads } = tf.variableGrads(lossOf, encoder.trainableVariables);
    const gradientNames = Object.keys(grads);
    expect(gradientNames).toHaveLength(encoder.trainableVariables.length);
    const wordGrad = grads[encoder.namedWeights().get('embeddings.word_embeddings.weight')!.name]!;
    expect(tf.tidy(() => tf.sum(tf.abs(wordGrad)).dataSync()[0])).toBeGreaterThan(0);
    const first = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    for (let step = 0; step < 15; step++) optimizer.minimize(lossOf, true, encoder.trainableVariables)?.dispose();
    const last = tf.tidy(() => lossOf().dataSync()[0]!);
    expect(last).toBeLessThan(first * 0.7);
    // Adam's two slots per weight are the only tensors that stay.
    expect(tf.memory().numTensors - before).toBe(2 * encoder.trainableVariables.length);
    optimizer.dispose();
    tf.dispose([queryIds, queryMask, keyIds, keyMask, positives]);
    const beforeEmbed = tf.memory().numTensors;
    await encoder.embed(TEST_CORPUS, { batchSize: 2 });
    expect(tf.memory().numTensors).toBe(beforeEmbed);
    encoder.dispose();
  });

  it('saves and loads back the same model', async () => {
    const encoder = await randomBert('cls', true);
    const dir = makeTempDir();
    await encoder.save(dir);
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const loaded = await loadBertEncoder(dir);
    expect([loaded.pooling, loaded.normalized, loaded.maxLength, loaded.dimensions]).toEqual(['cls', true, 24, 16]);
    expect(loaded.config).toEqual(encoder.config);
    const together = await encoder.embed(texts);
    expect(Array.from((await loaded.embed(texts)).data)).toEqual(Array.from(together.data));
    // Batches are formed by length; rows still come back in input order, padding changes nothing.
    const oneByOne = await Promise.all(texts.map((text) => encoder.embed([text])));
    expect(maxAbsDiff(together.data, Float32Array.from(oneByOne.flatMap((m) => Array.from(m.data))))).toBeLessThan(1e-5);
    loaded.dispose();
    encoder.dispose();
  });

  it('loads a Hugging Face BERT checkpoint (bert. prefix, gamma/beta names, sentence-transformers pooling)', async () => {
    const encoder = await randomBert('mean', true);
    const dir = makeTempDir();
    const tensors = [];
    for (const [name, variable] of encoder.namedWeights()) {
      const hfName = `bert.${name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')}`;
      tensors.push({ name: hfName, shape: variable.shape, data: variable.dataSync() as Float32Array, dtype: 'F32' as const });
    }
    tensors.push({ name: 'bert.pooler.dense.bias', shape: [16], data: new Float32Array(16), dtype: 'F32' as const });
    writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...bertConfigToJson(encoder.config, 0), architectures: ['BertForMaskedLM'] }));
    await tokenizer.save(path.join(dir, 'tokenizer.json'));
    fs.mkdirSync(path.join(dir, '1_Pooling'));
    fs.writeFileSync(path.join(dir, '1_Pooling', 'config.json'), JSON.stringify({ pooling_mode_cls_token: false, pooling_mode_mean_tokens: true }));
    fs.writeFileSync(path.join(dir, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: 24 }));
    const loaded = await loadBertEncoder(dir);
    expect(loaded.pooling).toBe('mean');
    expect(loaded.modelId).toBe(`bert:${path.basename(dir)}`);
    expect(maxAbsDiff((await loaded.embed(texts)).data, (await encoder.embed(texts)).data)).toBeLessThan(1e-6);
    loaded.dispose();
    encoder.dispose();
  });

  it('reports missing files, a tokenizer that does not fit, a width mismatch and unsupported architectures', async () => {
    const encoder = await randomBert();
    const dir = makeTempDir();
    await expect(loadBertEncoder(dir)).rejects.toThrow(ArtifactNotFoundError);
    await encoder.save(dir);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;

    fs.renameSync(path.join(dir, 'model.safetensors'), path.join(dir, 'weights.bin'));
    await expect(loadBertEncoder(dir)).rejects.toThrow(/Weights \(model.safetensors or model.safetensors.index.json\) not found/);
    fs.renameSync(path.join(dir, 'weights.bin'), path.join(dir, 'model.safetensors'));

    const bigTokenizer = trainTokenizer({ texts: TEST_CORPUS, vocabSize: 300, kind: 'bpe' });
    expect(bigTokenizer.vocabSize).toBeGreaterThan(tokenizer.vocabSize);
    await expect(loadBertEncoder(dir, { tokenizer: bigTokenizer })).rejects.toThrow(ModelMismatchError);
    await expect(loadBertEncoder(dir, { tokenizer: bigTokenizer })).rejects.toThrow(/embedding table has \d+ rows, so ids \d+\.\.\d+ would be out of range/);
    await expect(createBertEncoder({ tokenizer: bigTokenizer, vocabSize: 50 })).rejects.toThrow(ModelMismatchError);

    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, hidden_size: 32, num_attention_heads: 4 }));
    const wrongWidth = loadBertEncoder(dir);
    await expect(wrongWidth).rejects.toThrow(DimensionMismatchError);
    await expect(loadBertEncoder(dir)).rejects.toThrow(/Tensor "embeddings.word_embeddings.weight" .* has dimension 16, but 32 is required/);

    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 3 }));
    await expect(loadBertEncoder(dir)).rejects.toThrow(/no tensor "encoder.layer.2.attention.self.query.weight"/);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'mpnet' }));
    await expect(loadBertEncoder(dir)).rejects.toThrow(/model_type "mpnet" is not supported/);
    fs.rmSync(path.join(dir, 'config.json'));
    await expect(loadBertEncoder(dir)).rejects.toThrow(/Model config \(config.json\) not found/);
    encoder.dispose();
  });
});
