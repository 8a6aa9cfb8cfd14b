import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidOptionError, ModelMismatchError } from '@score/core';
import { initTensorflow, readSafetensors, tf } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInProcessLanguageModel } from './in-process-language-model';
import { createLlamaConfig } from './llama-config';
import { LlamaModel } from './llama-model';
import { loadLoraAdapter, saveLoraAdapter } from './peft-adapter';
import { charTokenizer } from './test-fixtures/char-tokenizer';
import { trainRecLm } from './train-rec-lm';

const config = createLlamaConfig({ vocabSize: 30, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 32 });
const sequence = [1, 4, 9, 16, 25, 3];

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-lora-'));
}

async function logits(model: LlamaModel): Promise<Float32Array> {
  return (await model.nextTokenLogits([sequence]))[0]!;
}

/** Gives the adapters non-zero B so that they change the output. */
function perturbAdapters(model: LlamaModel, seed: number): void {
  const variables = model.trainableVariables();
  variables.forEach((variable, i) => variable.assign(tf.randomNormal(variable.shape, 0, 0.3, 'float32', seed + i)));
}

describe('LoRA adapters', () => {
  beforeAll(async () => {
    await initTensorflow({ backend: 'cpu' });
  });

  it('save in PEFT format and load back with the same outputs', async () => {
    const model = LlamaModel.create({ config, seed: 1, initStd: 0.3, name: 'tiny-base' });
    const base = await logits(model);
    model.attachLora({ rank: 2, alpha: 4, dropout: 0.1, targetModules: ['q_proj', 'v_proj', 'down_proj'] });
    expect(Array.from(await logits(model))).toEqual(Array.from(base)); // B starts at zero
    perturbAdapters(model, 7);
    const adapted = await logits(model);
    const dir = tempDir();
    await saveLoraAdapter(model, dir);
    const adapterConfig = JSON.parse(fs.readFileSync(path.join(dir, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    expect(adapterConfig).toMatchObject({ peft_type: 'LORA', r: 2, lora_alpha: 4, lora_dropout: 0.1, target_modules: ['q_proj', 'v_proj', 'down_proj'], base_model_name_or_path: 'tiny-base' });
    const { tensors } = readSafetensors(path.join(dir, 'adapter_model.safetensors'));
    expect(tensors.get('base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight')!.shape).toEqual([2, 16]);
    expect(tensors.get('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight')!.shape).toEqual([16, 2]);
    expect(tensors.size).toBe(2 * 3 * 2);
    model.dispose();

    const fresh = LlamaModel.create({ config, seed: 1, initStd: 0.3, name: 'tiny-base' });
    loadLoraAdapter(fresh, dir);
    expect(fresh.lora).toMatchObject({ rank: 2, alpha: 4 });
    const reloaded = await logits(fresh);
    for (let i = 0; i < adapted.length; i++) expect(reloaded[i]).toBeCloseTo(adapted[i]!, 5);
    // Merging folds the adapters into the weights: same outputs, no adapters left.
    fresh.mergeLora();
    expect(fresh.lora).toBeUndefined();
    const merged = await logits(fresh);
    for (let i = 0; i < adapted.length; i++) expect(merged[i]).toBeCloseTo(adapted[i]!, 4);
    expect(() => fresh.mergeLora()).toThrow(InvalidOptionError);
    fresh.dispose();
  });

  it('rejects an adapter made for another base model', async () => {
    const model = LlamaModel.create({ config, seed: 2, name: 'tiny-base' });
    model.attachLora({ rank: 2 });
    const dir = tempDir();
    await saveLoraAdapter(model, dir);
    model.dispose();

    const renamed = LlamaModel.create({ config, seed: 2, name: 'other-base' });
    expect(() => loadLoraAdapter(renamed, dir)).toThrow(ModelMismatchError);
    expect(() => loadLoraAdapter(renamed, dir)).toThrow(/trained for base model "tiny-base", but this model is "other-base"/);
    renamed.dispose();

    const wider = LlamaModel.create({ config: createLlamaConfig({ ...config, hiddenSize: 32, headDim: 8 }), name: 'tiny-base' });
    expect(() => loadLoraAdapter(wider, dir)).toThrow(/has lora_A \[2, 16\] and lora_B \[16, 2\], but this base model needs \[2, 32\] and \[32, 2\]; the adapter was trained for another base model/);
    wider.dispose();

    const shallower = LlamaModel.create({ config: createLlamaConfig({ ...config, numLayers: 1 }), name: 'tiny-base' });
    expect(() => loadLoraAdapter(shallower, dir)).toThrow(/weights for layer 1, but the base model has 1 layers/);
    shallower.dispose();
  });

  it('training changes only the adapter tensors', async () => {
    const tokenizer = charTokenizer('abcdef ', ['Yes', 'No']);
    const model = LlamaModel.create({ config: createLlamaConfig({ ...config, vocabSize: tokenizer.vocabSize }), seed: 3, initStd: 0.2 });
    model.attachLora({ rank: 2, alpha: 4, dropout: 0.1 });
    const lm = createInProcessLanguageModel({ model, tokenizer });
    const baseBefore = await model.readWeights();
    const loraBefore = await model.readLora();
    const examples = ['ab', 'ba', 'cab', 'fed', 'abc', 'ddd', 'ee f', 'fa'].map((prompt, i) => ({ prompt, label: (i % 2) as 0 | 1 }));
    for (let length = 1; length <= 8; length++) await model.nextTokenLogits([new Array<number>(length).fill(1)]); // fills the per-length rotary caches
    const before = tf.memory().numTensors;
    const checkpointDir = tempDir();
    const report = await trainRecLm(lm, { train: examples, valid: examples, epochs: 1, batchSize: 4, learningRate: 1e-2, seed: 1, checkpointDir });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.epochs).toBe(1);
    const baseAfter = await model.readWeights();
    for (const [name, weight] of baseBefore) expect(Array.from(baseAfter.get(name)!.data), name).toEqual(Array.from(weight.data));
    const loraAfter = await model.readLora();
    let changed = 0;
    for (const [module, pair] of loraBefore) {
      const after = loraAfter.get(module)!;
      if (pair.b.data.some((value, i) => value !== after.b.data[i])) changed += 1;
    }
    expect(changed).toBe(loraBefore.size);
    // An improving epoch leaves the adapter (not the base model) in the checkpoint folder.
    if (report.bestEpoch === 1) expect(fs.readdirSync(checkpointDir).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    lm.dispose();
  });
});
