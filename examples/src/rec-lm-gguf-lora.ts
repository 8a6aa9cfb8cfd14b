// The GGUF route of @score/rec-lm: a llama.cpp GGUF file (e.g. SmolLM2-135M-Instruct) read into
// TensorFlow.js, LoRA adapters on its top blocks only (the frozen blocks below run once per
// distinct prompt and come from a prefix cache afterwards), tuned on Yes/No prompts and saved in
// PEFT's format with `layers_to_transform`. The GGUF here is a tiny random 4-block llama with a
// byte-level BPE vocabulary (as SmolLM2's), written by `llamaToGguf` and `writeGguf`, so the
// program needs no download; pass 'model:smollm2-135m-instruct' (pulled once into the models
// cache by @score/model-hub; its 30 blocks make topBlocks: 2 tune blocks 28-29) or a path to a
// .gguf file instead of `file`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeGguf } from '@score/llm-clients';
import { createLlamaConfig, LlamaModel, llamaToGguf, loadGgufRecLm, saveLoraAdapter, trainRecLm } from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';

await initTensorflow();
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-gguf-'));
const file = path.join(root, 'tiny.gguf');
const tokenizer = trainTokenizer({ texts: ['The user liked Toy Story (1995) and Heat (1995). Will the user like Casino? Answer Yes or No.'], vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
await tokenizer.save(path.join(root, 'tokenizer.json'));
const bpe = JSON.parse(fs.readFileSync(path.join(root, 'tokenizer.json'), 'utf8')).model as { vocab: Record<string, number>; merges: string[] };
const tokens = Object.entries(bpe.vocab).sort((a, b) => a[1] - b[1]).map(([token]) => token);
const random = LlamaModel.create({ config: createLlamaConfig({ vocabSize: tokens.length, hiddenSize: 16, intermediateSize: 32, numLayers: 4, numHeads: 2, numKeyValueHeads: 1, maxPositionEmbeddings: 128 }), seed: 4, initStd: 0.3 });
const metadata = { 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'smollm', 'tokenizer.ggml.merges': bpe.merges };
await writeGguf(file, await llamaToGguf(random, { tokens, metadata }));
random.dispose();

// topBlocks: 2 tunes adapters on the last two blocks (2-3 here) only.
const lm = await loadGgufRecLm(file, { topBlocks: 2, lora: { rank: 8, alpha: 32, dropout: 0.1 }, promptFormat: 'raw' });
const examples = [
  { prompt: 'The user liked Toy Story (1995) and Heat (1995). Will the user like Casino (1995)? Answer Yes or No.', label: 1 as const },
  { prompt: 'The user liked Sense and Sensibility (1995). Will the user like GoldenEye (1995)? Answer Yes or No.', label: 0 as const },
];
const report = await trainRecLm(lm, { train: examples, valid: examples, epochs: 1, batchSize: 2, learningRate: 1e-4 });
console.log(report.bestValidation >= 0 && report.bestValidation <= 1); // true
console.log(JSON.stringify(lm.model.prefixCacheStats));
await saveLoraAdapter(lm.model, path.join(root, 'adapter')); // PEFT format, with layers_to_transform
const adapter = JSON.parse(fs.readFileSync(path.join(root, 'adapter', 'adapter_config.json'), 'utf8'));
console.log(JSON.stringify(adapter.layers_to_transform), adapter.r, adapter.lora_alpha); // [2,3] 8 32
lm.dispose();
fs.rmSync(root, { recursive: true, force: true });
