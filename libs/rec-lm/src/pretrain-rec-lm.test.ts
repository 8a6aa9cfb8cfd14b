import { InvalidOptionError } from '@score/core';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createScratchRecLm } from './create-scratch-rec-lm';
import { pretrainRecLm } from './pretrain-rec-lm';

// Lists where each title is always followed by the same next one: next-token prediction can learn it.
const titles = Array.from({ length: 12 }, (_, i) => `Film ${String.fromCharCode(65 + i)} (${1990 + i})`);
const texts = Array.from({ length: 60 }, (_, n) => Array.from({ length: 6 }, (_, k) => `"${titles[(n + k) % titles.length]}"`).join(', '));

describe('pretrainRecLm', () => {
  beforeAll(async () => {
    await initTensorflow();
  });

  it('lowers the held-out next-token loss, restores the best weights and leaks no tensors', async () => {
    const tokenizer = trainTokenizer({ texts, vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'], addedTokens: titles });
    const lm = createScratchRecLm({ tokenizer, seed: 1, config: { hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKeyValueHeads: 1, headDim: 16 } });
    for (let length = 1; length <= 64; length++) await lm.model.nextTokenLogits([new Array<number>(length).fill(1)]); // fills the per-length rotary caches
    const before = tf.memory().numTensors;
    const report = await pretrainRecLm(lm, { texts: texts.slice(0, 50), validTexts: texts.slice(50), epochs: 6, batchSize: 8, learningRate: 1e-2, seed: 2 });
    expect(report.windows).toBe(50);
    expect(report.history.length).toBeGreaterThan(1);
    expect(report.history.at(-1)!.loss).toBeLessThan(report.history[0]!.loss);
    // validation = minus the mean token loss: the best must beat a uniform guess over the vocabulary by far.
    expect(-report.bestValidation).toBeLessThan(Math.log(tokenizer.vocabSize) / 2);
    expect(report.tokensPerSecond).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    lm.dispose();
  }, 120_000);

  it('outputTokens "corpus" leaves the embeddings of tokens the corpus never holds (Yes, No) as they were; "all" moves them', async () => {
    const tokenizer = trainTokenizer({ texts, vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'], addedTokens: titles });
    const rowsOf = (lm: ReturnType<typeof createScratchRecLm>, ids: number[]): number[][] => {
      const table = lm.model.weight('model.embed_tokens.weight');
      return ids.map((id) => Array.from(tf.tidy(() => tf.slice(table, [id, 0], [1, -1]).dataSync())));
    };
    const config = { hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKeyValueHeads: 1, headDim: 16 };
    const moved: Record<string, number> = {};
    for (const outputTokens of ['corpus', 'all'] as const) {
      const lm = createScratchRecLm({ tokenizer, seed: 1, config });
      const answers = [lm.answers.yes, lm.answers.no];
      const title = tokenizer.encode(titles[0]!, { addSpecialTokens: false }).ids[0]!;
      const before = rowsOf(lm, [...answers, title]);
      const report = await pretrainRecLm(lm, { texts: texts.slice(0, 50), validTexts: texts.slice(50), epochs: 2, batchSize: 8, learningRate: 1e-2, seed: 2, outputTokens });
      const after = rowsOf(lm, [...answers, title]);
      const change = (k: number) => Math.max(...after[k]!.map((value, i) => Math.abs(value - before[k]![i]!)));
      moved[outputTokens] = Math.max(change(0), change(1));
      expect(change(2)).toBeGreaterThan(1e-3); // a title of the corpus learns either way
      expect(report.bestValidation).toBeLessThan(0);
      lm.dispose();
    }
    expect(moved.corpus).toBe(0);
    expect(moved.all).toBeGreaterThan(1e-3);
  }, 120_000);

  it('rejects a corpus that is too small, bad windows and bad batch sizes', async () => {
    const tokenizer = trainTokenizer({ texts, vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
    const lm = createScratchRecLm({ tokenizer, config: { hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 1, numKeyValueHeads: 1, headDim: 16, maxPositionEmbeddings: 64 } });
    await expect(pretrainRecLm(lm, { texts: ['only one'] })).rejects.toThrow(InvalidOptionError);
    await expect(pretrainRecLm(lm, { texts, windowTokens: 65 })).rejects.toThrow(/windowTokens/);
    await expect(pretrainRecLm(lm, { texts, windowTokens: 32, batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(pretrainRecLm(lm, { texts, windowTokens: 32, validTexts: [] })).rejects.toThrow(/validTexts/);
    await expect(pretrainRecLm(lm, { texts, windowTokens: 32, outputTokens: 'some' as 'all' })).rejects.toThrow(/outputTokens.*"corpus" or "all"/);
    lm.dispose();
  });
});
