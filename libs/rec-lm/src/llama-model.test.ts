import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError, InvalidOptionError, ModelMismatchError } from '@score/core';
import { initTensorflow, tf, writeSafetensors } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInProcessLanguageModel } from './in-process-language-model';
import { loadLlamaCheckpoint, saveLlamaCheckpoint } from './llama-checkpoint';
import { createLlamaConfig, parseHuggingFaceConfig, toHuggingFaceConfig } from './llama-config';
import { LlamaModel } from './llama-model';
import { charTokenizer } from './test-fixtures/char-tokenizer';

const config = createLlamaConfig({
  vocabSize: 40,
  hiddenSize: 16,
  intermediateSize: 24,
  numLayers: 2,
  numHeads: 4,
  numKeyValueHeads: 2,
  tieWordEmbeddings: false,
  maxPositionEmbeddings: 32,
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-model-'));
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('LlamaConfig', () => {
  it('reads a Hugging Face config.json and writes it back', () => {
    const parsed = parseHuggingFaceConfig(toHuggingFaceConfig(config));
    expect(parsed).toEqual(config);
    expect(parsed.headDim).toBe(4);
  });

  it('names the file and key of an invalid config', () => {
    expect(() => parseHuggingFaceConfig({ ...toHuggingFaceConfig(config), hidden_size: undefined }, '/m/config.json')).toThrow(
      '/m/config.json, field "hidden_size": the required key "hidden_size" is missing.',
    );
    expect(() => parseHuggingFaceConfig({ ...toHuggingFaceConfig(config), num_key_value_heads: 3 }, 'c.json')).toThrow(DataFormatError);
    expect(() => parseHuggingFaceConfig({ ...toHuggingFaceConfig(config), rope_scaling: { rope_type: 'llama3' } }, 'c.json')).toThrow(/rope_scaling/);
    expect(() => parseHuggingFaceConfig({ ...toHuggingFaceConfig(config), model_type: 'bert' }, 'c.json')).toThrow(/model_type "bert" is not supported/);
    expect(() => createLlamaConfig({ vocabSize: 0 })).toThrow(InvalidOptionError);
  });
});

describe('LlamaModel', () => {
  beforeAll(async () => {
    await initTensorflow({ backend: 'cpu' });
  });

  it('gives the same logits for a sequence alone and right-padded in a batch, without leaking tensors', async () => {
    const model = LlamaModel.create({ config, seed: 1, initStd: 0.3 });
    const before = tf.memory().numTensors;
    const [alone] = await model.nextTokenLogits([[1, 5, 9]]);
    const [first, second] = await model.nextTokenLogits([[1, 5, 9], [1, 7, 8, 20, 21, 3]]);
    expect(maxDifference(alone!, first!)).toBeLessThan(1e-5);
    expect(maxDifference(first!, second!)).toBeGreaterThan(1e-3);
    await expect(model.nextTokenLogits([new Array<number>(33).fill(1)])).rejects.toThrow(/33 positions, more than the model's max_position_embeddings \(32\)/);
    await expect(model.nextTokenLogits([[1, 40]])).rejects.toThrow(/token id 40 is outside the vocabulary \(0\.\.39\)/);
    model.dispose();
    // The model's rotary caches are freed with it.
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });

  it('saves and loads a Hugging Face checkpoint, single-file and sharded, with the same logits', async () => {
    const model = LlamaModel.create({ config, seed: 2, initStd: 0.3 });
    const dir = tempDir();
    await saveLlamaCheckpoint(model, dir);
    const expected = (await model.nextTokenLogits([[1, 2, 3, 4]]))[0]!;
    const loaded = loadLlamaCheckpoint(dir);
    expect(loaded.name).toBe(path.basename(dir));
    expect(maxDifference((await loaded.nextTokenLogits([[1, 2, 3, 4]]))[0]!, expected)).toBe(0);
    loaded.dispose();

    // Shard the weights over two files listed by model.safetensors.index.json.
    const sharded = tempDir();
    fs.copyFileSync(path.join(dir, 'config.json'), path.join(sharded, 'config.json'));
    const weights = await model.readWeights();
    const names = [...weights.keys()];
    const halves = [names.slice(0, 10), names.slice(10)];
    const weightMap: Record<string, string> = {};
    halves.forEach((half, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensors(path.join(sharded, file), half.map((name) => ({ name, shape: weights.get(name)!.shape, data: weights.get(name)!.data })));
      for (const name of half) weightMap[name] = file;
    });
    fs.writeFileSync(path.join(sharded, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const fromShards = loadLlamaCheckpoint(sharded);
    expect(maxDifference((await fromShards.nextTokenLogits([[1, 2, 3, 4]]))[0]!, expected)).toBe(0);
    fromShards.dispose();
    model.dispose();
  });

  it('rejects a checkpoint whose shapes do not match its config, naming the tensor and both shapes', async () => {
    const model = LlamaModel.create({ config, seed: 3 });
    const dir = tempDir();
    await saveLlamaCheckpoint(model, dir);
    model.dispose();
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...json, intermediate_size: 32 }));
    expect(() => loadLlamaCheckpoint(dir)).toThrow(ModelMismatchError);
    expect(() => loadLlamaCheckpoint(dir)).toThrow(/tensor "model\.layers\.0\.mlp\.(gate|up|down)_proj\.weight" has shape \[(24, 16|16, 24)\], but config\.json .*intermediate_size 32.* needs \[(32, 16|16, 32)\]/);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...json, num_hidden_layers: 1 }));
    expect(() => loadLlamaCheckpoint(dir)).toThrow(/"model\.layers\.1\..*" is not part of a Llama model with 1 layers/);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...json, num_hidden_layers: 3 }));
    expect(() => loadLlamaCheckpoint(dir)).toThrow(/"model\.layers\.2\..*" \(shape .*\) is missing/);
  });
});

describe('InProcessLanguageModel', () => {
  beforeAll(async () => {
    await initTensorflow({ backend: 'cpu' });
  });

  it('scores Yes/No as the softmax over the two answer logits (Eq. 14)', async () => {
    const tokenizer = charTokenizer('abcdefgh ?.', ['Yes', 'No']);
    const model = LlamaModel.create({ config: createLlamaConfig({ ...config, vocabSize: tokenizer.vocabSize }), seed: 4, initStd: 0.5 });
    const lm = createInProcessLanguageModel({ model, tokenizer });
    expect(lm.provider).toBe('inprocess');
    expect(lm.answers).toEqual({ yes: 3, no: 4 });
    const prompts = ['abc?', 'hgf edcba.', 'a'];
    const scores = await lm.scoreYesNo(prompts, { batchSize: 2 });
    for (const [i, prompt] of prompts.entries()) {
      const logits = (await model.nextTokenLogits([[1, ...tokenizer.encode(prompt).ids]]))[0]!;
      expect(scores[i]!.yesLogit).toBeCloseTo(logits[3]!, 4);
      expect(scores[i]!.noLogit).toBeCloseTo(logits[4]!, 4);
      expect(scores[i]!.probability).toBeCloseTo(Math.exp(logits[3]!) / (Math.exp(logits[3]!) + Math.exp(logits[4]!)), 5);
    }
    const greedy = await lm.generate('abc', { maxTokens: 3 });
    const first = (await model.nextTokenLogits([[1, ...tokenizer.encode('abc').ids]]))[0]!;
    const argmax = first.indexOf(Math.max(...first));
    expect(greedy.usage).toEqual({ promptTokens: 4, completionTokens: greedy.usage!.completionTokens });
    if (argmax > 2) expect(tokenizer.encode(greedy.text).ids[0]).toBe(argmax);
    // Sampling is seeded; an aborted signal stops scoring.
    const sampled = await lm.generate('abc', { maxTokens: 4, temperature: 1.5, topP: 0.9, seed: 7 });
    expect(await lm.generate('abc', { maxTokens: 4, temperature: 1.5, topP: 0.9, seed: 7 })).toEqual(sampled);
    await expect(lm.generate('abc', { temperature: -1 })).rejects.toThrow(InvalidOptionError);
    await expect(lm.scoreYesNo(['a'], { signal: AbortSignal.abort() })).rejects.toThrow();
    lm.dispose();
    await expect(lm.scoreYesNo(['a'])).rejects.toThrow(/disposed/);
  });

  it('rejects a tokenizer without single-token Yes/No', () => {
    const tokenizer = charTokenizer('YesNo abc');
    const model = LlamaModel.create({ config: createLlamaConfig({ ...config, vocabSize: tokenizer.vocabSize }) });
    expect(() => createInProcessLanguageModel({ model, tokenizer })).toThrow(ModelMismatchError);
    expect(() => createInProcessLanguageModel({ model, tokenizer })).toThrow(/encodes the answer "Yes" as 3 tokens \[3, 4, 5\]; Yes\/No scoring needs each answer to be a single token/);
    model.dispose();
  });
});
