import { InvalidOptionError } from '@score/core';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { createBertEncoder, createPooledEncoder, trainTokenizer, type TrainableTextEncoder } from '@score/text-encoders';
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

  it.each(['pooled', 'bert'] as const)('a %s encoder: a step by gradient caching (gradientChunkTexts) gives the one-pass loss and weights', async (architecture) => {
    const encoder: TrainableTextEncoder =
      architecture === 'pooled'
        ? await createPooledEncoder({ tokenizer, embeddingSize: 16, dimensions: 16, maxLength: 16, seed: 4 })
        : await createBertEncoder({ tokenizer, hidden: 16, layers: 1, heads: 2, maxLength: 16, seed: 4 });
    const initial = new Map([...encoder.namedWeights()].map(([name, variable]) => [name, variable.dataSync().slice()]));
    const before = tf.memory().numTensors;
    const step = async (gradientChunkTexts: number) => {
      for (const [name, variable] of encoder.namedWeights()) {
        const value = tf.tensor(initial.get(name)!, variable.shape);
        variable.assign(value);
        value.dispose();
      }
      // One batch of 16 examples: 16 queries + 16 x (1 + 2) candidates = 64 texts, one Adam step.
      const report = await trainSare({ encoder, examples: examples(0, 16), validation: examples(3, 8), negativeThreshold: 2, negatives: 2, epochs: 1, batchSize: 16, learningRate: 0.01, seed: 1, gradientChunkTexts, restoreBestWeights: false });
      return { loss: report.training.history[0]!.loss, bestEpoch: report.training.bestEpoch, weights: new Map([...encoder.namedWeights()].map(([name, variable]) => [name, variable.dataSync().slice()])) };
    };
    const onePass = await step(0);
    const chunked = await step(7);
    expect([onePass.bestEpoch, chunked.bestEpoch]).toEqual([1, 1]); // restoreBestWeights false: the step's weights are kept
    expect(Math.abs(chunked.loss - onePass.loss)).toBeLessThanOrEqual(1e-5 * onePass.loss);
    let moved = 0;
    let apart = 0;
    for (const [name, values] of onePass.weights) {
      const start = initial.get(name)!;
      const other = chunked.weights.get(name)!;
      for (let i = 0; i < values.length; i++) {
        moved = Math.max(moved, Math.abs(values[i]! - start[i]!));
        apart = Math.max(apart, Math.abs(values[i]! - other[i]!));
      }
    }
    expect(moved).toBeGreaterThan(1e-3);
    expect(apart).toBeLessThanOrEqual(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    await expect(trainSare({ encoder, examples: examples(0, 4), gradientChunkTexts: -1 })).rejects.toThrow(/"gradientChunkTexts": must be an integer of at least 0, got -1/);
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
