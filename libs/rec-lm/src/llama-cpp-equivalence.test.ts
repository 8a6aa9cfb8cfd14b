import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeGguf } from '@score/llm-clients';
import { fillNormal, initTensorflow } from '@score/tfjs-runtime';
import { getLlama, type Llama, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '@score/core';
import { createLlamaConfig, type LlamaConfig } from './llama-config';
import { llamaToGguf, loraToGguf } from './llama-gguf';
import { LlamaModel } from './llama-model';
import { expectedWeightShapes, isNormWeight } from './llama-weights';

// Tiny random model: grouped-query attention (4 query heads, 2 key/value heads), untied output.
const config: LlamaConfig = createLlamaConfig({
  vocabSize: 300,
  hiddenSize: 32,
  intermediateSize: 48,
  numLayers: 2,
  numHeads: 4,
  numKeyValueHeads: 2,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  tieWordEmbeddings: false,
  maxPositionEmbeddings: 64,
  bosTokenId: 1,
  eosTokenId: 2,
});

function randomWeights(seed: number): Map<string, Float32Array> {
  const random = createRandom(seed);
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of expectedWeightShapes(config)) {
    const data = fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), random, isNormWeight(name) ? 0.3 : 0.4);
    if (isNormWeight(name)) for (let i = 0; i < data.length; i++) data[i]! += 1;
    weights.set(name, data);
  }
  return weights;
}

const sequences: number[][] = [
  [1, 260, 17, 200, 33, 299, 5, 120],
  [1, 42, 43],
  [1, 7, 250, 250, 250, 61, 88, 90, 91, 92, 150, 3],
];

function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const value of logits) max = Math.max(max, value);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

async function llamaCppDistributions(llama: Llama, modelPath: string, loraPath?: string): Promise<Float64Array[]> {
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 64, sequences: 1, threads: 1, flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32', ...(loraPath ? { lora: { adapters: [{ filePath: loraPath }] } } : {}) });
  const out: Float64Array[] = [];
  try {
    const sequence = context.getSequence();
    for (const tokens of sequences) {
      await sequence.clearHistory();
      const input = tokens.map((token, i) => (i === tokens.length - 1 ? ([token as Token, { generateNext: { probabilities: true, options: { temperature: 0 } } }] as const) : (token as Token)));
      const result = await sequence.controlledEvaluate(input as unknown as Parameters<typeof sequence.controlledEvaluate>[0]);
      const probabilities = result[tokens.length - 1]!.next.probabilities!;
      const dense = new Float64Array(config.vocabSize);
      for (const [token, p] of probabilities) dense[token] = p;
      out.push(dense);
    }
  } finally {
    await context.dispose();
    await model.dispose();
  }
  return out;
}

describe('llama.cpp equivalence', () => {
  let dir: string;
  let llama: Llama;
  beforeAll(async () => {
    await initTensorflow({ backend: 'cpu' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-gguf-'));
    llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  });
  afterAll(async () => {
    await llama?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the next-token distribution of llama.cpp on the same weights, to 1e-4', async () => {
    const model = LlamaModel.create({ config, weights: randomWeights(11) });
    const file = path.join(dir, 'base.gguf');
    await writeGguf(file, await llamaToGguf(model));
    const ours = (await model.nextTokenLogits(sequences)).map(softmax);
    const theirs = await llamaCppDistributions(llama, file);
    model.dispose();
    for (let s = 0; s < sequences.length; s++) {
      expect(theirs[s]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      let worst = 0;
      for (let v = 0; v < config.vocabSize; v++) worst = Math.max(worst, Math.abs(ours[s]![v]! - theirs[s]![v]!));
      expect(worst).toBeLessThan(1e-4);
    }
    // The distributions are far from uniform, so the comparison is not trivially met.
    expect(Math.max(...ours[0]!)).toBeGreaterThan(5 / config.vocabSize);
  });

  it('matches llama.cpp with a LoRA adapter applied on both sides, to 1e-4', async () => {
    const model = LlamaModel.create({ config, weights: randomWeights(12) });
    const modelFile = path.join(dir, 'base-2.gguf');
    await writeGguf(modelFile, await llamaToGguf(model));
    const baseline = (await model.nextTokenLogits(sequences)).map(softmax);
    const random = createRandom(5);
    const adapters = new Map<string, { a: Float32Array; b: Float32Array }>();
    const rank = 4;
    for (const [name, shape] of expectedWeightShapes(config)) {
      if (!/_proj\.weight$/.test(name)) continue;
      const [out, input] = shape as [number, number];
      adapters.set(name.replace(/\.weight$/, ''), {
        a: fillNormal(new Float32Array(rank * input), random, 0.3),
        b: fillNormal(new Float32Array(out * rank), random, 0.3),
      });
    }
    model.attachLora({ rank, alpha: 8, dropout: 0 }, adapters);
    const loraFile = path.join(dir, 'adapter.gguf');
    await writeGguf(loraFile, await loraToGguf(model));
    const ours = (await model.nextTokenLogits(sequences)).map(softmax);
    const theirs = await llamaCppDistributions(llama, modelFile, loraFile);
    model.dispose();
    let moved = 0;
    for (let s = 0; s < sequences.length; s++) {
      let worst = 0;
      for (let v = 0; v < config.vocabSize; v++) {
        worst = Math.max(worst, Math.abs(ours[s]![v]! - theirs[s]![v]!));
        moved = Math.max(moved, Math.abs(ours[s]![v]! - baseline[s]![v]!));
      }
      expect(worst).toBeLessThan(1e-4);
    }
    // The adapter really changes the distribution.
    expect(moved).toBeGreaterThan(1e-2);
  });
});
