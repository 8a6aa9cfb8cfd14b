import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelMismatchError } from '@score/core';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInProcessLanguageModel } from './in-process-language-model';
import { saveLlamaCheckpoint } from './llama-checkpoint';
import { createLlamaConfig } from './llama-config';
import { LlamaModel } from './llama-model';
import { saveLoraAdapter } from './peft-adapter';
import { loadHuggingFaceRecLm } from './load-hugging-face-rec-lm';

const corpus = [
  "The user has highly rated the following movies: Heat, Ronin. Respond with either 'Yes' or 'No'.",
  "The user has highly rated the following movies: Alien. Respond with either 'Yes' or 'No'.",
];

describe('loadHuggingFaceRecLm', () => {
  beforeAll(async () => {
    await initTensorflow({ backend: 'cpu' });
  });

  it('loads config.json, model.safetensors, tokenizer.json and a PEFT adapter, scoring as the saved model', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-hf-'));
    const tokenizer = trainTokenizer({ texts: corpus, vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
    await tokenizer.save(path.join(dir, 'tokenizer.json'));
    const config = createLlamaConfig({ vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKeyValueHeads: 1, maxPositionEmbeddings: 64 });
    const model = LlamaModel.create({ config, seed: 5, initStd: 0.3, name: 'base' });
    await saveLlamaCheckpoint(model, dir);
    model.attachLora({ rank: 2, alpha: 4, seed: 1 });
    model.trainableVariables().forEach((variable, i) => variable.assign(variable.mul(0).add(0.01 * ((i % 5) - 2))));
    const adapterDir = path.join(dir, 'adapter');
    await saveLoraAdapter(model, adapterDir);
    const original = createInProcessLanguageModel({ model, tokenizer });
    const expected = await original.scoreYesNo(corpus);

    const loaded = await loadHuggingFaceRecLm(dir, { adapterDir, name: 'base' });
    const scores = await loaded.scoreYesNo(corpus);
    scores.forEach((score, i) => expect(score.probability).toBeCloseTo(expected[i]!.probability, 5));
    expect(expected[0]!.probability).not.toBeCloseTo(expected[1]!.probability, 5);
    loaded.dispose();
    original.dispose();
  });

  it('rejects a tokenizer.json whose "Yes" is several tokens', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-hf-'));
    const tokenizer = trainTokenizer({ texts: ['the user rated movies', 'a movie'], vocabSize: 280, kind: 'bpe' });
    await tokenizer.save(path.join(dir, 'tokenizer.json'));
    const model = LlamaModel.create({ config: createLlamaConfig({ vocabSize: tokenizer.vocabSize, hiddenSize: 8, intermediateSize: 8, numLayers: 1, numHeads: 2, numKeyValueHeads: 2, maxPositionEmbeddings: 16 }) });
    await saveLlamaCheckpoint(model, dir);
    model.dispose();
    await expect(loadHuggingFaceRecLm(dir)).rejects.toThrow(ModelMismatchError);
    await expect(loadHuggingFaceRecLm(dir)).rejects.toThrow(/encodes the answer "Yes" as \d+ tokens/);
  });
});
