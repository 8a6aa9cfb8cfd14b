import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidOptionError, createRandom } from '@score/core';
import { fillNormal, initTensorflow, tf } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInProcessLanguageModel } from './in-process-language-model';
import { createLlamaConfig } from './llama-config';
import { permuteForGguf } from './llama-gguf';
import { LlamaModel } from './llama-model';
import { unpermuteFromGguf } from './load-gguf-llama';
import { loadLoraAdapter, saveLoraAdapter } from './peft-adapter';
import { charTokenizer } from './test-fixtures/char-tokenizer';
import { trainRecLm } from './train-rec-lm';

// The top-k route: adapters on the top blocks only, the frozen blocks below cached per prompt.
const tokenizer = charTokenizer('abcdef ', ['Yes', 'No']);
const config = createLlamaConfig({ vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 24, numLayers: 4, numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 32 });
const sequences = [[1, 4, 9, 6, 5, 3], [1, 7], [1, 8, 8, 8, 4]];

function perturbAdapters(model: LlamaModel, seed: number): void {
  model.trainableVariables().forEach((variable, i) => variable.assign(tf.randomNormal(variable.shape, 0, 0.3, 'float32', seed + i)));
}

describe('LoRA on the top blocks with a cache of the frozen blocks', () => {
  beforeAll(async () => {
    await initTensorflow({ backend: 'cpu' });
  });

  it('unpermuteFromGguf undoes permuteForGguf (llama.cpp Q/K row order)', () => {
    const data = fillNormal(new Float32Array(3 * 8 * 5), createRandom(1), 1);
    const permuted = permuteForGguf(data, 3, 5);
    expect(Array.from(permuted)).not.toEqual(Array.from(data));
    expect(Array.from(unpermuteFromGguf(permuted, 3, 5))).toEqual(Array.from(data));
    // Head 0 of size 8: GGUF row 1 (pair 0, second half) is Hugging Face row 4.
    expect(Array.from(unpermuteFromGguf(permuted, 3, 5).subarray(4 * 5, 5 * 5))).toEqual(Array.from(permuted.subarray(5, 10)));
  });

  it('gives the same logits with and without the cache, and reuses cached prompts', async () => {
    const model = LlamaModel.create({ config, seed: 1, initStd: 0.3 });
    model.attachLora({ rank: 2, alpha: 4, dropout: 0, layersToTransform: [2, 3] });
    expect([...(await model.readLora()).keys()].every((module) => /layers\.[23]\./.test(module))).toBe(true);
    perturbAdapters(model, 5);
    const uncached = await model.nextTokenLogits(sequences);
    model.enablePrefixCache({ layers: 2 });
    const cached = await model.nextTokenLogits(sequences);
    expect(model.prefixCacheStats).toMatchObject({ layers: 2, entries: 3, misses: 3, hits: 0, bytes: (6 + 2 + 5) * 16 * 2 });
    const again = await model.nextTokenLogits(sequences);
    expect(model.prefixCacheStats).toMatchObject({ entries: 3, misses: 3, hits: 3 });
    let worst = 0;
    let spread = 0;
    for (let s = 0; s < sequences.length; s++) {
      for (let v = 0; v < config.vocabSize; v++) {
        // float16 storage of the cached states: differences at the 1e-3 level.
        worst = Math.max(worst, Math.abs(cached[s]![v]! - uncached[s]![v]!));
        spread = Math.max(spread, Math.abs(uncached[s]![v]! - uncached[0]![v]!));
        expect(again[s]![v]).toBe(cached[s]![v]);
      }
    }
    expect(worst).toBeLessThan(5e-3);
    expect(spread).toBeGreaterThan(0.05);
    // A cache limit evicts the oldest prompts.
    model.enablePrefixCache({ layers: 2, maxBytes: 6 * 16 * 2 });
    await model.nextTokenLogits(sequences);
    expect(model.prefixCacheStats!.bytes).toBeLessThanOrEqual(6 * 16 * 2);
    model.dispose();
  });

  it('refuses adapters below the cached blocks and a cache below adapted blocks', () => {
    const model = LlamaModel.create({ config, seed: 2 });
    model.enablePrefixCache({ layers: 3 });
    expect(() => model.attachLora({ layersToTransform: [2, 3] })).toThrow(/adapts block 2, below the 3 frozen blocks/);
    expect(() => model.attachLora({ layersToTransform: [4] })).toThrow(/lists block 4, but the model has 4 blocks/);
    model.disablePrefixCache();
    model.attachLora({ layersToTransform: [1, 2, 3] });
    expect(() => model.enablePrefixCache({ layers: 2 })).toThrow(InvalidOptionError);
    expect(() => model.enablePrefixCache({ layers: 4 })).toThrow(/must be an integer in \[1, 3\]/);
    model.dispose();
  });

  it('trains only the top adapters, and saves them with PEFT layers_to_transform', async () => {
    const model = LlamaModel.create({ config, seed: 3, initStd: 0.2, name: 'tiny-base' });
    model.attachLora({ rank: 2, alpha: 4, dropout: 0.1, layersToTransform: [3] });
    model.enablePrefixCache({ layers: 3 });
    const lm = createInProcessLanguageModel({ model, tokenizer });
    const baseBefore = await model.readWeights();
    const examples = ['ab', 'ba', 'cab', 'fed', 'abc', 'ddd', 'ee f', 'fa'].map((prompt, i) => ({ prompt, label: (i % 2) as 0 | 1 }));
    const loraBefore = await model.readLora();
    const report = await trainRecLm(lm, { train: examples, valid: examples, epochs: 2, batchSize: 4, learningRate: 1e-2, seed: 1, patience: 5 });
    expect(report.bestEpoch).toBeGreaterThan(0);
    // Every prompt's lower-block states were computed once and then reused (epochs, validation).
    expect(model.prefixCacheStats!.misses).toBe(examples.length);
    expect(model.prefixCacheStats!.hits).toBeGreaterThan(examples.length);
    const baseAfter = await model.readWeights();
    for (const [name, weight] of baseBefore) expect(Array.from(baseAfter.get(name)!.data), name).toEqual(Array.from(weight.data));
    const loraAfter = await model.readLora();
    expect(loraAfter.size).toBe(7);
    for (const [module, pair] of loraBefore) expect(Array.from(loraAfter.get(module)!.b.data), module).not.toEqual(Array.from(pair.b.data));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-top-'));
    await saveLoraAdapter(model, dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'adapter_config.json'), 'utf8'))).toMatchObject({ layers_to_transform: [3] });
    const tuned = await model.nextTokenLogits(sequences);
    const fresh = LlamaModel.create({ config, seed: 3, initStd: 0.2, name: 'tiny-base' });
    loadLoraAdapter(fresh, dir);
    expect(fresh.lora?.layersToTransform).toEqual([3]);
    const reloaded = await fresh.nextTokenLogits(sequences);
    for (let s = 0; s < sequences.length; s++) for (let v = 0; v < config.vocabSize; v++) expect(reloaded[s]![v]).toBeCloseTo(tuned[s]![v]!, 2);
    fresh.dispose();
    lm.dispose();
  });
});
