import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProgressEvent } from '@score/core';
import { writeGguf } from '@score/llm-clients';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessLanguageModel } from './in-process-language-model';
import { loadLlamaCheckpoint, saveLlamaCheckpoint } from './llama-checkpoint';
import { createLlamaConfig } from './llama-config';
import { llamaToGguf } from './llama-gguf';
import { LlamaModel } from './llama-model';
import { loadRecLm } from './load-rec-lm';
import { saveLoraAdapter } from './peft-adapter';
import type { RecLmSource } from './rec-lm-source';
import { type RecLmExample, type RecLmTrainingReport, trainRecLm } from './train-rec-lm';
import { type RecLmTuningSettings, tuneRecLmOnThread } from './tune-rec-lm-on-thread';

const titles = ['Heat', 'Ronin', 'Alien', 'Aliens', 'Fargo', 'Brazil', 'Casino', 'Psycho', 'Vertigo', 'Jaws'];
/** 48 prompts; the label says whether the target is among the liked titles (learnable). */
const examples: RecLmExample[] = Array.from({ length: 48 }, (_, i) => {
  const liked = Array.from({ length: 1 + ((i * 7) % 5) }, (_, j) => titles[(i + j * 3) % titles.length]!);
  const target = titles[(i * 3 + Math.floor(i / 7)) % titles.length]!;
  return { prompt: `The user has highly rated the following movies: ${liked.join(', ')}. Will the user like ${target}? Respond with either 'Yes' or 'No'.`, label: liked.includes(target) ? 1 : 0 };
});
const train = examples.slice(0, 36);
const valid = examples.slice(36);
const settings: RecLmTuningSettings = { epochs: 2, patience: 2, batchSize: 6, learningRate: 5e-3, seed: 11 };
const lora = { rank: 2, alpha: 4, dropout: 0.1, seed: 5 };

/** What a tuning leaves that must not depend on the thread: the saved bytes and every epoch's figures. */
function figures(report: RecLmTrainingReport) {
  return { epochs: report.epochs, bestEpoch: report.bestEpoch, bestValidation: report.bestValidation, history: report.history.map((epoch) => ({ epoch: epoch.epoch, loss: epoch.loss, validation: epoch.validation })) };
}

describe('tuneRecLmOnThread', () => {
  let dir: string;
  let base: string;
  const tokenizer = trainTokenizer({ texts: examples.map((example) => example.prompt), vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });

  beforeAll(async () => {
    await initTensorflow({ backend: 'wasm' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-tuning-thread-'));
    base = path.join(dir, 'base');
    const config = createLlamaConfig({ vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 256 });
    const model = LlamaModel.create({ config, seed: 3, initStd: 0.3, name: 'tiny' });
    await saveLlamaCheckpoint(model, base);
    await tokenizer.save(path.join(base, 'tokenizer.json'));
    model.dispose();
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('tunes two LMs at once on threads to the bits of one thread: whole weights (the rec stage\'s from-scratch LM) and LoRA adapters', async () => {
    // The calling thread, one after another: the from-scratch route of the rec stage (the
    // in-memory tokenizer) and the LoRA route (fresh seeded adapters on the checkpoint).
    const scratch = createInProcessLanguageModel({ model: loadLlamaCheckpoint(base), tokenizer, maxPromptTokens: 64 });
    const scratchProgress: ProgressEvent[] = [];
    const scratchReport = await trainRecLm(scratch, { ...settings, loss: 'answers', train, valid, onProgress: (event) => void scratchProgress.push(event) });
    await saveLlamaCheckpoint(scratch.model, path.join(dir, 'scratch-1'));
    scratch.dispose();
    const adapted = await loadRecLm(base, { maxPromptTokens: 64, lora });
    const adaptedReport = await trainRecLm(adapted, { ...settings, train, valid });
    await saveLoraAdapter(adapted.model, path.join(dir, 'lora-1'));
    adapted.dispose();
    // The tuning changed the weights (a thread that saved the base would not pass).
    expect(fs.readFileSync(path.join(dir, 'scratch-1', 'model.safetensors'))).not.toEqual(fs.readFileSync(path.join(base, 'model.safetensors')));
    expect(scratchReport.history.map((epoch) => epoch.loss)).toHaveLength(2);

    // Two threads at once.
    const progress: ProgressEvent[] = [];
    const logs: string[] = [];
    const onThread = (source: RecLmSource, name: string, extra: Partial<RecLmTuningSettings>) =>
      tuneRecLmOnThread(
        { source, train, valid, settings: { ...settings, ...extra }, saveDir: path.join(dir, name) },
        { onProgress: (event) => void progress.push(event), logger: { debug: () => undefined, info: (message) => void logs.push(`${name}: ${message}`), warn: () => undefined, error: () => undefined } },
      );
    const [scratchThread, loraThread] = await Promise.all([
      onThread({ kind: 'hugging-face', dir: base, options: { maxPromptTokens: 64 } }, 'scratch-2', { loss: 'answers' }),
      onThread({ kind: 'rec-lm', base, options: { maxPromptTokens: 64, lora } }, 'lora-2', {}),
    ]);
    expect(figures(scratchThread)).toEqual(figures(scratchReport));
    expect(figures(loraThread)).toEqual(figures(adaptedReport));
    for (const file of ['config.json', 'model.safetensors']) expect(fs.readFileSync(path.join(dir, 'scratch-2', file))).toEqual(fs.readFileSync(path.join(dir, 'scratch-1', file)));
    for (const file of ['adapter_config.json', 'adapter_model.safetensors']) expect(fs.readFileSync(path.join(dir, 'lora-2', file))).toEqual(fs.readFileSync(path.join(dir, 'lora-1', file)));
    expect(fs.existsSync(path.join(dir, 'lora-2', 'model.safetensors'))).toBe(false);
    // Progress events and epoch lines came back from both threads.
    const lastEpoch = (event: ProgressEvent) => event.task === 'reclm.train' && event.epoch === 2 && event.metrics?.['validAuc'] !== undefined;
    expect(scratchProgress.filter(lastEpoch).length).toBeGreaterThan(0);
    expect(progress.filter(lastEpoch)).toHaveLength(2 * scratchProgress.filter(lastEpoch).length);
    expect(logs.filter((line) => /^scratch-2: epoch 2: loss/.test(line))).toHaveLength(1);
    expect(logs.filter((line) => /^lora-2: epoch 2: loss/.test(line))).toHaveLength(1);
  }, 60_000);

  it('tunes LoRA on the top block of a GGUF base with the frozen blocks on onnxruntime (prefixBackend "onnx") to the bits of one thread', async () => {
    // A GGUF file with a byte-level BPE vocabulary, as SmolLM2's (the demo-pretrained route).
    const bpe = JSON.parse(fs.readFileSync(path.join(base, 'tokenizer.json'), 'utf8')).model as { vocab: Record<string, number>; merges: string[] };
    const tokens = Object.entries(bpe.vocab).sort((a, b) => a[1] - b[1]).map(([token]) => token);
    const small = LlamaModel.create({ config: createLlamaConfig({ vocabSize: tokens.length, hiddenSize: 16, intermediateSize: 32, numLayers: 3, numHeads: 2, numKeyValueHeads: 1, maxPositionEmbeddings: 128 }), seed: 4, initStd: 0.3 });
    const file = path.join(dir, 'tiny.gguf');
    await writeGguf(file, await llamaToGguf(small, { tokens, metadata: { 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'smollm', 'tokenizer.ggml.merges': bpe.merges } }));
    small.dispose();
    const options = { maxPromptTokens: 96, lora, topBlocks: 1, prefixBackend: 'onnx' as const };
    const lm = await loadRecLm(file, options);
    const report = await trainRecLm(lm, { ...settings, train, valid });
    expect(lm.model.prefixCacheStats?.backend).toBe('onnx');
    await saveLoraAdapter(lm.model, path.join(dir, 'onnx-1'));
    lm.dispose();
    const threaded = await tuneRecLmOnThread({ source: { kind: 'rec-lm', base: file, options }, train, valid, settings, saveDir: path.join(dir, 'onnx-2') });
    expect(figures(threaded)).toEqual(figures(report));
    expect(fs.readFileSync(path.join(dir, 'onnx-2', 'adapter_model.safetensors'))).toEqual(fs.readFileSync(path.join(dir, 'onnx-1', 'adapter_model.safetensors')));
  }, 60_000);

  it('rejects with the thread\'s error (a missing tokenizer) and with an aborted signal\'s reason', async () => {
    await expect(tuneRecLmOnThread({ source: { kind: 'hugging-face', dir: path.join(dir, 'nowhere') }, train, valid, settings, saveDir: path.join(dir, 'never') })).rejects.toThrow(
      /A rec LM tuning thread failed: .*tokenizer\.json/,
    );
    const controller = new AbortController();
    const tuning = tuneRecLmOnThread({ source: { kind: 'hugging-face', dir: base }, train, valid, settings: { ...settings, epochs: 50, patience: 50 }, saveDir: path.join(dir, 'aborted') }, { signal: controller.signal });
    controller.abort(new Error('stopped by the test'));
    await expect(tuning).rejects.toThrow('stopped by the test');
  }, 30_000);
});
