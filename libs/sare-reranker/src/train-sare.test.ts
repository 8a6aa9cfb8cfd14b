import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidOptionError } from '@score/core';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { createBertEncoder, createPooledEncoder, trainTokenizer, type TrainableTextEncoder } from '@score/text-encoders';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSareEncoder } from './create-sare-encoder';
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

/** Names of the weights whose values changed (bitwise) since `before`. */
function changedWeights(before: ReadonlyMap<string, Float32Array>, encoder: TrainableTextEncoder): string[] {
  return [...encoder.namedWeights()].filter(([name, variable]) => {
    const now = variable.dataSync();
    return before.get(name)!.some((value, i) => !Object.is(value, now[i]));
  }).map(([name]) => name);
}

describe('trainSare trainLayers and createSareEncoder maxLength (sare.trainLayers, sare.maxTokens)', () => {
  it('trainLayers 1 on a 2-layer BERT changes only the top layer (embeddings and layer 0 bitwise unchanged)', async () => {
    const encoder = await createBertEncoder({ tokenizer, hidden: 16, layers: 2, heads: 2, maxLength: 64, seed: 4 });
    try {
      const before = new Map([...encoder.namedWeights()].map(([name, variable]) => [name, variable.dataSync().slice() as Float32Array]));
      await trainSare({ encoder, examples: examples(0, 16), validation: examples(3, 8), negativeThreshold: 2, negatives: 2, epochs: 1, batchSize: 8, learningRate: 0.01, seed: 1, restoreBestWeights: false, trainLayers: 1 });
      const moved = changedWeights(before, encoder);
      expect(moved.length).toBe([...before.keys()].filter((name) => name.startsWith('encoder.layer.1.')).length);
      expect(moved.every((name) => name.startsWith('encoder.layer.1.'))).toBe(true);
    } finally {
      encoder.dispose();
    }
  });

  it('refuses more layers than the encoder has and a pooled encoder, naming trainLayers', async () => {
    const bert = await createBertEncoder({ tokenizer, hidden: 16, layers: 2, heads: 2, maxLength: 64, seed: 4 });
    const pooled = await createPooledEncoder({ tokenizer, embeddingSize: 4, dimensions: 4, maxLength: 16 });
    try {
      await expect(trainSare({ encoder: bert, examples: examples(0, 4), trainLayers: 3 })).rejects.toThrow('Invalid "trainLayers": 3 is more than the encoder\'s 2 layers; use 1 to 2.');
      await expect(trainSare({ encoder: bert, examples: examples(0, 4), trainLayers: 1.5 })).rejects.toThrow(/Invalid "trainLayers"/);
      await expect(trainSare({ encoder: pooled, examples: examples(0, 4), trainLayers: 1 })).rejects.toThrow(/Invalid "trainLayers": applies to a BERT encoder/);
    } finally {
      bert.dispose();
      pooled.dispose();
    }
  });

  it('createSareEncoder({ from, maxLength }) cuts a saved encoder to maxLength, and its save records it', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sare-max-tokens-'));
    try {
      const fresh = await createBertEncoder({ tokenizer, hidden: 16, layers: 2, heads: 2, maxLength: 64, seed: 4 });
      await fresh.save(path.join(root, 'bert'));
      fresh.dispose();
      const encoder = await createSareEncoder({ from: path.join(root, 'bert'), maxLength: 8 });
      try {
        expect(encoder.maxLength).toBe(8);
        const { ids, mask } = encoder.tokenize([WORDS.join(' ')]);
        expect(ids.shape).toEqual([1, 8]);
        ids.dispose();
        mask.dispose();
        await encoder.save(path.join(root, 'tuned'));
        expect((JSON.parse(fs.readFileSync(path.join(root, 'tuned', 'config.json'), 'utf8')) as { score_encoder: { max_length: number } }).score_encoder.max_length).toBe(8);
      } finally {
        encoder.dispose();
      }
      const own = await createSareEncoder({ from: path.join(root, 'bert') });
      expect(own.maxLength).toBe(64);
      own.dispose();
      await expect(createSareEncoder({ from: path.join(root, 'bert'), maxLength: 65 })).rejects.toThrow(/Invalid "maxLength": 65 is longer than the model's 64 positions/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
