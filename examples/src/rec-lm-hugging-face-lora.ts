// The Hugging Face route of @score/rec-lm: a Llama-family folder (config.json, model.safetensors,
// tokenizer.json, as SmolLM-135M ships) loaded into TensorFlow.js with LoRA adapters, tuned on
// Yes/No prompts, and the adapter saved in PEFT's format (adapter_config.json,
// adapter_model.safetensors) and loaded back onto the same base. The folder here is a tiny random
// Llama written by `saveLlamaCheckpoint`, so the program needs no download; pass a downloaded
// `models/SmolLM-135M` as `dir` instead and nothing else changes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLlamaConfig, LlamaModel, loadHuggingFaceRecLm, saveLlamaCheckpoint, saveLoraAdapter, syntheticPrompts, trainRecLm } from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';

await initTensorflow();
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-hf-'));
const dir = path.join(root, 'tiny-llama');
const train = syntheticPrompts({ count: 40, seed: 1 });
const valid = syntheticPrompts({ count: 20, seed: 2 });
const tokenizer = trainTokenizer({ texts: train.map((example) => example.prompt), vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
fs.mkdirSync(dir);
await tokenizer.save(path.join(dir, 'tokenizer.json'));
const config = createLlamaConfig({ vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKeyValueHeads: 1, maxPositionEmbeddings: 128 });
const base = LlamaModel.create({ config, seed: 5, initStd: 0.3 });
await saveLlamaCheckpoint(base, dir);
base.dispose();
console.log(fs.readdirSync(dir).sort().join(' ')); // config.json model.safetensors tokenizer.json tokenizer_config.json

const lm = await loadHuggingFaceRecLm(dir, { lora: { rank: 8, alpha: 32, dropout: 0.1 } });
const report = await trainRecLm(lm, { train, valid, epochs: 1, learningRate: 1e-3 });
console.log(report.bestValidation >= 0 && report.bestValidation <= 1); // true
const adapterDir = path.join(root, 'adapter');
await saveLoraAdapter(lm.model, adapterDir); // adapter_config.json + adapter_model.safetensors
console.log(fs.readdirSync(adapterDir).sort().join(' ')); // adapter_config.json adapter_model.safetensors
const [tuned] = await lm.scoreYesNo([valid[0]!.prompt]);
lm.dispose();

// Later: the base and the adapter (lm.model.mergeLora() folds it into the weights).
const again = await loadHuggingFaceRecLm(dir, { adapterDir });
const [reloaded] = await again.scoreYesNo([valid[0]!.prompt]);
console.log(Math.abs(reloaded!.probability - tuned!.probability) < 1e-5); // true
again.dispose();
fs.rmSync(root, { recursive: true, force: true });
