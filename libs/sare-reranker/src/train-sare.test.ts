import { InvalidOptionError } from '@score/core';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { createPooledEncoder, trainTokenizer } from '@score/text-encoders';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SareExample } from './sare-example';
import { trainSare } from './train-sare';

const WORDS = ['apple', 'river', 'stone', 'cloud', 'ember', 'frost', 'grove', 'harbor', 'island', 'jungle', 'kettle', 'lantern', 'meadow', 'nectar', 'orchid', 'pepper'];

/** O puts first the candidate that names the query's word, whatever its place in the list. */
function examples(from: number, count: number): SareExample[] {
  return Array.from({ length: count }, (_, i) => {
    const word = WORDS[(from + i) % WORDS.length];
    const others = WORDS.filter((other) => other !== word).slice((from + i) % 7, ((from + i) % 7) + 6);
    return {
      id: `e${from + i}`,
      query: `the user would enjoy ${word}`,
      candidates: [{ id: 'match', text: `${word} ${others[0]}` }, ...others.slice(1).map((other, j) => ({ id: `o${j}`, text: `${other} ${others[(j + 2) % 6]}` }))],
    };
  });
}

const tokenizer = trainTokenizer({ texts: [...WORDS, 'the user would enjoy'], vocabSize: 200, kind: 'wordpiece' });

beforeAll(async () => {
  await initTensorflow();
});

describe('trainSare (Eq. 12)', () => {
  it('raises the held-out agreement with O and frees every tensor it makes', async () => {
    const encoder = await createPooledEncoder({ tokenizer, embeddingSize: 16, dimensions: 16, maxLength: 16, seed: 2 });
    const before = tf.memory().numTensors;
    const report = await trainSare({ encoder, examples: examples(0, 32), validation: examples(3, 8), negativeThreshold: 2, negatives: 2, epochs: 6, patience: 6, batchSize: 8, learningRate: 0.01, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.trainExamples).toBe(32);
    expect(report.validationExamples).toBe(8);
    expect(report.validationAfter.ndcg).toBeGreaterThan(report.validationBefore.ndcg + 0.1);
    expect(report.validationAfter.ndcg).toBeCloseTo(report.training.bestValidation, 10);
    expect(report.training.history.length).toBeGreaterThan(0);
    const inBatch = await trainSare({ encoder, examples: examples(0, 16), negativeThreshold: 2, negatives: 1, inBatchNegatives: true, epochs: 1, batchSize: 4 });
    expect([inBatch.trainExamples, inBatch.validationExamples]).toEqual([14, 2]);
    expect(tf.memory().numTensors).toBe(before);
    encoder.dispose();
  });

  it('validates its options', async () => {
    const encoder = await createPooledEncoder({ tokenizer, embeddingSize: 4, dimensions: 4, maxLength: 16 });
    await expect(trainSare({ encoder, examples: examples(0, 4), negativeThreshold: 9 })).rejects.toThrow(/no example has a candidate after the negative threshold 9/);
    await expect(trainSare({ encoder, examples: examples(0, 4), temperature: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(trainSare({ encoder, examples: [{ query: 'q', candidates: [{ id: 'a', text: 'a' }] }] })).rejects.toThrow(/"examples\[0\]\.candidates"/);
    encoder.dispose();
  });
});
