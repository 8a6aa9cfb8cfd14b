import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProgressEvent } from '@score/core';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createScratchRecLm } from './create-scratch-rec-lm';
import { loadLlamaCheckpoint } from './llama-checkpoint';
import { syntheticPrompts } from './synthetic-prompts';
import { trainRecLm } from './train-rec-lm';

describe('from-scratch training', () => {
  beforeAll(async () => {
    await initTensorflow();
  });

  it('learns a label that depends on the text (is the target genre in the history?): validation AUC above 0.9', async () => {
    // Seeded: the same data, tokenizer, weights and batches on every run.
    const options = { titles: false, historyLength: [2, 4] as const, template: 'compact' as const };
    const train = syntheticPrompts({ count: 2000, seed: 1, ...options });
    const valid = syntheticPrompts({ count: 300, seed: 2, ...options });
    expect(train.filter((example) => example.label === 1).length).toBeGreaterThan(900);
    const tokenizer = trainTokenizer({ texts: train.map((example) => example.prompt), vocabSize: 400, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
    const lm = createScratchRecLm({
      tokenizer,
      config: { hiddenSize: 64, intermediateSize: 128, numLayers: 1, numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 64 },
      seed: 3,
    });
    for (let length = 1; length <= 64; length++) await lm.model.nextTokenLogits([new Array<number>(length).fill(1)]); // fills the per-length rotary caches
    const tensorsBefore = tf.memory().numTensors;
    const events: ProgressEvent[] = [];
    const checkpointDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lm-scratch-'));
    const report = await trainRecLm(lm, { train, valid, epochs: 4, patience: 2, batchSize: 32, learningRate: 3e-3, seed: 4, checkpointDir, onProgress: (event) => events.push(event) });

    expect(report.bestValidation).toBeGreaterThan(0.9);
    expect(report.bestEpoch).toBeGreaterThanOrEqual(1); // the untuned weights are never kept (keepUntuned is off)
    expect(report.history[0]!.loss).toBeGreaterThan(report.history[report.history.length - 1]!.loss);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(report.tokensPerSecond).toBeGreaterThan(0);
    expect(events.some((event) => event.task === 'reclm.train' && (event.metrics?.['tokensPerSecond'] ?? 0) > 0)).toBe(true);
    expect(events.at(-1)!.finished).toBe(true);

    // The best epoch's checkpoint scores the validation prompts like the restored model.
    const scores = await lm.scoreYesNo(valid.slice(0, 8).map((example) => example.prompt));
    const saved = loadLlamaCheckpoint(checkpointDir);
    const ids = valid.slice(0, 8).map((example) => lm.encodePrompt(example.prompt));
    const logits = await saved.nextTokenLogits(ids);
    logits.forEach((row, i) => expect(row[lm.answers.yes]! - row[lm.answers.no]!).toBeCloseTo(scores[i]!.yesLogit - scores[i]!.noLogit, 3));
    saved.dispose();
    lm.dispose();
  }, 180_000);
});
