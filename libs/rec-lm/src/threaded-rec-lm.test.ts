import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidOptionError } from '@score/core';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveLlamaCheckpoint } from './llama-checkpoint';
import { createLlamaConfig } from './llama-config';
import { LlamaModel } from './llama-model';
import { loadHuggingFaceRecLm } from './load-hugging-face-rec-lm';
import { openThreadedRecLm, ThreadedRecLm } from './threaded-rec-lm';

const titles = ['Heat', 'Ronin', 'Alien', 'Aliens', 'Fargo', 'Brazil', 'Casino', 'Psycho', 'Vertigo', 'Jaws'];
/** 40 prompts of 1 to 10 titles: batches of 4 by length give 10 batches of different widths. */
const prompts = Array.from({ length: 40 }, (_, i) => {
  const liked = Array.from({ length: 1 + ((i * 7) % 10) }, (_, j) => titles[(i + j * 3 + Math.floor(i / 10)) % titles.length]).join(', ');
  return `The user has highly rated the following movies: ${liked}. Will the user like ${titles[(i * 3 + Math.floor(i / 7)) % titles.length]}? Respond with either 'Yes' or 'No'.`;
});

describe('openThreadedRecLm', () => {
  it('has 40 different prompts', () => expect(new Set(prompts).size).toBe(40));

  let dir: string;

  beforeAll(async () => {
    await initTensorflow({ backend: 'wasm' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-threads-'));
    const tokenizer = trainTokenizer({ texts: prompts, vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
    await tokenizer.save(path.join(dir, 'tokenizer.json'));
    const config = createLlamaConfig({ vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 256 });
    const model = LlamaModel.create({ config, seed: 3, initStd: 0.3, name: 'tiny' });
    await saveLlamaCheckpoint(model, dir);
    model.dispose();
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('scores the same batches on a worker thread and the calling thread, bitwise as one thread, in prompt order; stops at an aborted signal', async () => {
    const plain = await loadHuggingFaceRecLm(dir);
    const expected = await plain.scoreYesNo(prompts, { batchSize: 4 });
    // Other prompts make other batches (other padding): the reference for the second call.
    const expectedFirst = await plain.scoreYesNo(prompts.slice(0, 9), { batchSize: 4 });
    plain.dispose();
    // The scores are real and differ between prompts (a mix-up of the order would show).
    expect(new Set(expected.map((score) => score.probability)).size).toBeGreaterThan(30);
    for (const score of expected) {
      expect(score.probability).toBeGreaterThan(0);
      expect(score.probability).toBeLessThan(1);
    }

    for (const mainThread of [true, false]) {
      const lm = await openThreadedRecLm({ kind: 'hugging-face', dir }, { threads: 2, mainThread });
      try {
        expect(lm).toBeInstanceOf(ThreadedRecLm);
        const scores = await lm.scoreYesNo(prompts, { batchSize: 4 });
        scores.forEach((score, i) => {
          expect(Object.is(score.yesLogit, expected[i]!.yesLogit) && Object.is(score.noLogit, expected[i]!.noLogit), `prompt ${i}, main thread ${mainThread}`).toBe(true);
          expect(score.probability).toBe(expected[i]!.probability);
        });
        const { batchesPerThread } = (lm as ThreadedRecLm).stats;
        expect(batchesPerThread).toHaveLength(2);
        expect(batchesPerThread.reduce((a, b) => a + b, 0)).toBe(10);
        // Twice in a row on the same threads (a second job id), still the same.
        const again = await lm.scoreYesNo(prompts.slice(0, 9), { batchSize: 4 });
        again.forEach((score, i) => expect(score.probability).toBe(expectedFirst[i]!.probability));
        // An aborted signal stops the call with its reason; the threads stay usable.
        const controller = new AbortController();
        controller.abort(new Error('stop now'));
        await expect(lm.scoreYesNo(prompts, { batchSize: 4, signal: controller.signal })).rejects.toThrow('stop now');
        expect((await lm.scoreYesNo(prompts.slice(0, 9), { batchSize: 4 })).map((score) => score.probability)).toEqual(expectedFirst.map((score) => score.probability));
      } finally {
        lm.dispose();
      }
    }
  }, 120_000);

  it('returns the plain LM for one thread, and rejects a thread count below one', async () => {
    const lm = await openThreadedRecLm({ kind: 'hugging-face', dir }, { threads: 1 });
    expect(lm).not.toBeInstanceOf(ThreadedRecLm);
    lm.dispose();
    await expect(openThreadedRecLm({ kind: 'hugging-face', dir }, { threads: 0 })).rejects.toThrow(InvalidOptionError);
  });
});
