import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidOptionError, LanguageModelError } from '@score/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaCppModel, type LlamaCppModel } from './llama-cpp-model';
import { writeGguf } from './write-gguf';
import { writeTinyLlamaGguf } from './write-tiny-llama-gguf';
import { writeTinyLlamaLoraGguf } from './write-tiny-llama-lora-gguf';

const PROMPT_A = "The user has highly rated the following movies: Alien. Based on this information, predict whether the user would enjoy the movie titled Heat. Respond with either 'Yes' or 'No'. Answer:";
const PROMPT_B = 'Is this a good film? Answer:';

let dir: string;
let modelPath: string;
let loraPath: string;
let model: LlamaCppModel;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-llamacpp-'));
  modelPath = path.join(dir, 'tiny.gguf');
  loraPath = path.join(dir, 'tiny-lora.gguf');
  await writeTinyLlamaGguf(modelPath, { seed: 7 });
  await writeTinyLlamaLoraGguf(loraPath, { seed: 9 });
  model = await createLlamaCppModel({ modelPath, threads: 1 });
});

afterAll(async () => {
  await model?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function loadError(options: Parameters<typeof createLlamaCppModel>[0]): Promise<LanguageModelError> {
  const error = await createLlamaCppModel({ threads: 1, ...options }).then(
    async (loaded) => {
      await loaded.dispose();
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LanguageModelError);
  return error as LanguageModelError;
}

describe('createLlamaCppModel on a tiny GGUF model', () => {
  it('finds the "Yes" and "No" tokens with the model tokenizer, with and without a leading space', () => {
    expect(model.provider).toBe('llamacpp');
    expect(model.modelId).toBe('tiny.gguf');
    expect(model.contextSize).toBe(256);
    expect(model.answerTokens.yes).toHaveLength(2);
    expect(model.answerTokens.no).toHaveLength(2);
  });

  it('returns P(yes) as the softmax of the two returned logits (method.md, Eq. 14)', async () => {
    const scores = await model.scoreYesNo([PROMPT_A, PROMPT_B, PROMPT_A]);
    expect(scores).toHaveLength(3);
    for (const score of scores) {
      const yes = Math.exp(score.yesLogit);
      const no = Math.exp(score.noLogit);
      expect(score.probability).toBeCloseTo(yes / (yes + no), 12);
      expect(score.probability + no / (yes + no)).toBeCloseTo(1, 12);
      expect(score.probability).toBeGreaterThan(0);
      expect(score.probability).toBeLessThan(1);
      // The logits are log-probabilities over the whole vocabulary.
      expect(score.yesLogit).toBeLessThan(0);
      expect(Math.exp(score.yesLogit) + Math.exp(score.noLogit)).toBeLessThan(1);
    }
    expect(Math.abs(scores[0].probability - scores[1].probability)).toBeGreaterThan(1e-4);
    // The same prompt again (partly reusing the evaluated prefix) gives the same score.
    expect(scores[2].probability).toBeCloseTo(scores[0].probability, 4);
  });

  it('changes its scores when a LoRA adapter is applied', async () => {
    const adapted = await createLlamaCppModel({ modelPath, loraPath, threads: 1, sequences: 2 });
    try {
      const [withAdapter, withAdapterB] = await adapted.scoreYesNo([PROMPT_A, PROMPT_B]);
      const [plain] = await model.scoreYesNo([PROMPT_A]);
      expect(Math.abs(withAdapter.probability - plain.probability)).toBeGreaterThan(1e-4);
      expect(withAdapterB.probability).toBeGreaterThan(0);
    } finally {
      await adapted.dispose();
    }
  });

  it('generates text with a token count and a finish reason', async () => {
    const result = await model.generate('The user', { maxTokens: 5 });
    expect(typeof result.text).toBe('string');
    expect(result.usage?.completionTokens).toBeGreaterThan(0);
    expect(result.usage?.completionTokens).toBeLessThanOrEqual(5);
    expect(['length', 'stop']).toContain(result.finishReason);
    const again = await model.generate('The user', { maxTokens: 5 });
    expect(again.text).toBe(result.text);
  });

  it('rejects a prompt longer than the context', async () => {
    await expect(model.scoreYesNo([' the user'.repeat(400)])).rejects.toThrow(/tokens, but the context holds 256; raise "contextSize"/);
  });
});

describe('createLlamaCppModel on bad files', () => {
  it('rejects a file that is not GGUF, naming the path', async () => {
    const file = path.join(dir, 'notes.gguf');
    fs.writeFileSync(file, 'this is a text file, not a model; it is long enough to hold a header');
    const error = await loadError({ modelPath: file });
    expect(error.message).toBe(`[llamacpp notes.gguf] ${file} is not a usable GGUF model file: ${file}, field "magic": the file starts with "this" instead of "GGUF"; it is not a GGUF model file.`);
  });

  it('rejects a GGUF with an unsupported version', async () => {
    const file = path.join(dir, 'version.gguf');
    const bytes = fs.readFileSync(modelPath);
    bytes.writeUInt32LE(99, 4);
    fs.writeFileSync(file, bytes);
    expect((await loadError({ modelPath: file })).message).toContain('field "version": GGUF version 99 is not supported; versions 2 and 3 are.');
  });

  it('rejects a truncated GGUF before llama.cpp reads it', async () => {
    const file = path.join(dir, 'truncated.gguf');
    fs.writeFileSync(file, fs.readFileSync(modelPath).subarray(0, 60_000));
    expect((await loadError({ modelPath: file })).message).toMatch(/past the end of the 60000-byte file; the file is truncated\.$/);
  });

  it('rejects a missing file and a GGUF without tensors', async () => {
    expect((await loadError({ modelPath: path.join(dir, 'absent.gguf') })).message).toContain('absent.gguf is not a usable GGUF model file: the file does not exist.');
    const empty = path.join(dir, 'vocab-only.gguf');
    await writeGguf(empty, { metadata: { 'general.architecture': 'llama' }, tensors: [] });
    expect((await loadError({ modelPath: empty })).message).toContain('it holds no tensors');
  });

  it("wraps llama.cpp's own failure on a GGUF that is not a complete model", async () => {
    const file = path.join(dir, 'incomplete.gguf');
    await writeGguf(file, {
      metadata: { 'general.architecture': 'llama', 'llama.block_count': 1 },
      tensors: [{ name: 'token_embd.weight', shape: [4, 2], type: 'F32', data: new Float32Array(8) }],
    });
    const message = (await loadError({ modelPath: file })).message;
    expect(message).toMatch(/^\[llamacpp incomplete\.gguf\] llama\.cpp could not load .*incomplete\.gguf: /);
    expect(message).toContain('key not found in model: llama.context_length');
  });

  it('rejects an adapter given as the model and a model given as the adapter', async () => {
    expect((await loadError({ modelPath: loraPath })).message).toContain('it is an adapter; pass it as "loraPath"');
    expect((await loadError({ modelPath, loraPath: modelPath })).message).toContain('is not a usable GGUF LoRA adapter file: its general.type is undefined');
  });

  it('wraps the failure of an adapter made for another model', async () => {
    const wrongSize = path.join(dir, 'wrong-lora.gguf');
    await writeTinyLlamaLoraGguf(wrongSize, { hiddenSize: 16 });
    const logged: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => logged.push(message) };
    expect((await loadError({ modelPath, loraPath: wrongSize, logger })).message).toMatch(/llama\.cpp could not load .* with the adapter .*wrong-lora\.gguf/);
    // llama.cpp's own explanation reaches the logger instead of the console.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logged.some((message) => message.includes("'blk.0.attn_q.weight' has incorrect shape"))).toBe(true);
  });

  it('validates its options', async () => {
    await expect(createLlamaCppModel({ modelPath: '' })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(createLlamaCppModel({ modelPath, sequences: 0 })).rejects.toMatchObject({ field: 'sequences' });
    await expect(createLlamaCppModel({ modelPath, gpu: 'opencl' as never })).rejects.toMatchObject({ field: 'gpu' });
  });
});

describe('LlamaCppModel cache key parameters', () => {
  it('name the model file version and the adapter', async () => {
    const parameters = model.cacheKeyParameters as { model: { path: string; size: number }; lora: unknown; caseInsensitive: boolean };
    expect(parameters.model.path).toBe(path.resolve(modelPath));
    expect(parameters.model.size).toBe(fs.statSync(modelPath).size);
    expect(parameters.lora).toBeNull();
    expect(parameters.caseInsensitive).toBe(false);
  });
});
