import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeGguf } from '@score/llm-clients';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaConfig } from './llama-config';
import { llamaToGguf } from './llama-gguf';
import { LlamaModel } from './llama-model';
import { loadGgufLlama } from './load-gguf-llama';
import { loadGgufRecLm } from './load-gguf-rec-lm';
import { createOnnxPrefixBackend } from './onnx-prefix-backend';
import { trainRecLm } from './train-rec-lm';
import { padBatch } from './yes-no-scoring';

// The cache pass of the top-k route on onnxruntime: the same states and the same logits as tfjs.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-onnx-prefix-'));
const gqaFile = path.join(root, 'gqa.gguf');
const tinyFile = path.join(root, 'tiny.gguf');
// Right-padded batches of different lengths (token ids of the default GGUF vocabulary).
const sequences = [[1, 40, 90, 61, 50, 33, 270, 12, 7], [1, 72], [1, 80, 81, 82, 44]];
const YES = 280;
const NO = 281;

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** The GGUF model with LoRA on blocks 2-3 whose adapters are random (so the top blocks differ from the base). */
async function tunedModel(): Promise<LlamaModel> {
  const model = loadGgufLlama(gqaFile);
  model.attachLora({ rank: 2, alpha: 4, dropout: 0, layersToTransform: [2, 3] });
  model.trainableVariables().forEach((variable, i) => variable.assign(tf.randomNormal(variable.shape, 0, 0.3, 'float32', 11 + i)));
  return model;
}

describe('the frozen blocks on onnxruntime (prefixBackend "onnx")', () => {
  beforeAll(async () => {
    await initTensorflow({ backend: 'cpu' });
    // Grouped-query attention (4 query heads, 2 key/value heads), 4 blocks, as a GGUF file.
    const config = createLlamaConfig({ vocabSize: 300, hiddenSize: 32, intermediateSize: 48, numLayers: 4, numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 64, ropeTheta: 10000 });
    const random = LlamaModel.create({ config, seed: 3, initStd: 0.2 });
    await writeGguf(gqaFile, await llamaToGguf(random));
    random.dispose();
    // A byte-level BPE vocabulary (as SmolLM2's), which loadGgufRecLm reads into a tokenizer.
    const tokenizer = trainTokenizer({ texts: ['The user liked Toy Story (1995) and Heat (1995). Will the user like Casino? Answer Yes or No.'], vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
    await tokenizer.save(path.join(root, 'tokenizer.json'));
    const bpe = JSON.parse(fs.readFileSync(path.join(root, 'tokenizer.json'), 'utf8')).model as { vocab: Record<string, number>; merges: string[] };
    const tokens = Object.entries(bpe.vocab).sort((a, b) => a[1] - b[1]).map(([token]) => token);
    const small = LlamaModel.create({ config: createLlamaConfig({ vocabSize: tokens.length, hiddenSize: 16, intermediateSize: 32, numLayers: 3, numHeads: 2, numKeyValueHeads: 1, maxPositionEmbeddings: 128 }), seed: 4, initStd: 0.3 });
    await writeGguf(tinyFile, await llamaToGguf(small, { tokens, metadata: { 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'smollm', 'tokenizer.ggml.merges': bpe.merges } }));
    small.dispose();
  });

  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('computes the residual stream after the frozen blocks as tfjs does (1e-4), padding included', async () => {
    const model = loadGgufLlama(gqaFile);
    const backend = await createOnnxPrefixBackend(model, { layers: 2, threads: 1 });
    expect(backend).toMatchObject({ kind: 'onnx', layers: 2 });
    const { ids } = padBatch(sequences, 0);
    const time = ids.shape[1];
    const hidden = model.config.hiddenSize;
    const expected = tf.tidy(() => model.prefixStates(ids, 2)).dataSync() as Float32Array;
    const actual = await backend.states(ids.dataSync() as Int32Array, sequences.length, time);
    expect(actual.length).toBe(sequences.length * time * hidden);
    let scale = 0;
    for (const [b, sequence] of sequences.entries()) {
      const rows = [b * time * hidden, (b * time + sequence.length) * hidden] as const;
      const want = expected.subarray(...rows);
      expect(largestDifference(actual.subarray(...rows), want)).toBeLessThan(1e-4);
      scale = Math.max(scale, ...Array.from(want, Math.abs));
    }
    expect(scale).toBeGreaterThan(0.5); // the states are not trivially small
    // A sequence alone (no padding) gets the same states as in the padded batch.
    const alone = await backend.states(Int32Array.from(sequences[1]!), 1, 2);
    expect(largestDifference(alone, actual.subarray(time * hidden, (time + 2) * hidden))).toBeLessThan(1e-5);
    ids.dispose();
    await backend.dispose();
    await expect(backend.states(Int32Array.from([1]), 1, 1)).rejects.toThrow(/disposed/);
    model.dispose();
  });

  it('gives the same Yes/No logits after the tuned top blocks as the tfjs cache (1e-4)', async () => {
    const viaTfjs = await tunedModel();
    const viaOnnx = await tunedModel();
    viaTfjs.enablePrefixCache({ layers: 2, storage: 'float32' });
    viaOnnx.enablePrefixCache({ layers: 2, storage: 'float32', backend: await createOnnxPrefixBackend(viaOnnx, { layers: 2, threads: 1 }) });
    const want = await viaTfjs.nextTokenLogits(sequences);
    const got = await viaOnnx.nextTokenLogits(sequences);
    expect(viaTfjs.prefixCacheStats).toMatchObject({ backend: 'tfjs', misses: 3, filled: 0, entries: 3 });
    expect(viaOnnx.prefixCacheStats).toMatchObject({ backend: 'onnx', misses: 0, filled: 3, entries: 3, storage: 'float32', bytes: (9 + 2 + 5) * 32 * 4 });
    let spread = 0;
    for (const [b, logits] of got.entries()) {
      for (const token of [YES, NO]) {
        expect(Math.abs(logits[token]! - want[b]![token]!)).toBeLessThan(1e-4);
        spread = Math.max(spread, Math.abs(want[b]![token]! - want[0]![token]!));
      }
      expect(largestDifference(logits, want[b]!)).toBeLessThan(1e-4);
    }
    expect(spread).toBeGreaterThan(0.05); // the prompts' logits differ: a wrong row would show
    // The stored states are reused: no new computation.
    await viaOnnx.nextTokenLogits(sequences);
    expect(viaOnnx.prefixCacheStats).toMatchObject({ filled: 3, hits: 6 });
    viaTfjs.dispose();
    viaOnnx.dispose();
  });

  it('refuses a backend over another number of blocks', async () => {
    const model = await tunedModel();
    const backend = await createOnnxPrefixBackend(model, { layers: 1, threads: 1 });
    expect(() => model.enablePrefixCache({ layers: 2, backend })).toThrow(/computes 1 blocks, but the cache holds the states after 2/);
    await backend.dispose();
    await expect(createOnnxPrefixBackend(model, { layers: 4 })).rejects.toThrow(/must be an integer in \[1, 3\]/);
    model.dispose();
  });

  it('loadGgufRecLm({ topBlocks, prefixBackend: "onnx" }) scores and tunes as with tfjs', async () => {
    const prompts = ['The user liked Heat (1995).', 'Casino?', 'The user liked Toy Story (1995) and Heat (1995). Will the user like Casino? Answer Yes or No.'];
    const open = (prefixBackend: 'tfjs' | 'onnx') => loadGgufRecLm(tinyFile, { topBlocks: 1, lora: { rank: 2, alpha: 4, dropout: 0 }, prefixBackend, prefixThreads: 1 });
    const viaTfjs = await open('tfjs');
    const viaOnnx = await open('onnx');
    const want = await viaTfjs.scoreYesNo(prompts);
    const got = await viaOnnx.scoreYesNo(prompts);
    expect(viaOnnx.model.prefixCacheStats).toMatchObject({ layers: 2, backend: 'onnx', filled: 3, misses: 0 });
    for (const [i, score] of got.entries()) {
      // Both caches store float16: the same rounding of (nearly) the same states.
      expect(Math.abs(score.yesLogit - want[i]!.yesLogit)).toBeLessThan(2e-3);
      expect(Math.abs(score.noLogit - want[i]!.noLogit)).toBeLessThan(2e-3);
    }
    // One epoch of tuning: the training prompts are computed once by onnxruntime, before the first step.
    const examples = prompts.map((prompt, i) => ({ prompt, label: (i % 2) as 0 | 1 }));
    const report = await trainRecLm(viaOnnx, { train: examples, valid: examples, epochs: 1, batchSize: 2, learningRate: 1e-3, keepUntuned: true });
    expect(report.epochs).toBe(1);
    expect(viaOnnx.model.prefixCacheStats).toMatchObject({ filled: 3, misses: 0, entries: 3 });
    await viaTfjs.dispose();
    await expect(loadGgufRecLm(tinyFile, { topBlocks: 1, prefixBackend: 'gpu' as 'onnx' })).rejects.toThrow(/prefixBackend.*"tfjs" or "onnx", got "gpu"/);
    await viaOnnx.dispose();
  });
});
