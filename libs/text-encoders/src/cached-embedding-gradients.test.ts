import { InvalidOptionError } from '@score/core';
import { tf, trainModel } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { createBertEncoder } from './bert-encoder';
import { cachedEmbeddingGradients } from './cached-embedding-gradients';
import { infoNceLoss } from './info-nce-loss';
import { makeTestTokenizer, TEST_CORPUS } from './test-fixtures/tiny-corpus';

describe('cachedEmbeddingGradients (gradient caching)', () => {
  it('gives the loss and gradients of the whole batch, chunk by chunk', async () => {
    const tokenizer = makeTestTokenizer();
    const encoder = await createBertEncoder({ tokenizer, hidden: 32, layers: 2, heads: 4, maxLength: 24, seed: 5 });
    // Five texts (uneven chunks of 2): queries are rows 0-1, keys rows 2-4; in-batch negatives couple every row.
    const texts = [...TEST_CORPUS];
    const loss = (e: tf.Tensor2D): tf.Scalar =>
      infoNceLoss(tf.slice(e, [0, 0], [2, 32]) as tf.Tensor2D, tf.slice(e, [2, 0], [3, 32]) as tf.Tensor2D, [[1, 0, 0], [0, 1, 1]], { temperature: 0.1 });
    const direct = tf.variableGrads(() => {
      const { ids, mask } = encoder.tokenize(texts);
      return loss(encoder.embedTensor(ids, mask));
    }, encoder.trainableVariables);
    const cached = cachedEmbeddingGradients(encoder, texts, loss, { chunkSize: 2 });
    try {
      expect(cached.value.dataSync()[0]).toBeCloseTo(direct.value.dataSync()[0]!, 5);
      expect(Object.keys(cached.grads).sort()).toEqual(Object.keys(direct.grads).sort());
      let largest = 0;
      for (const [name, expected] of Object.entries(direct.grads)) {
        const want = expected.dataSync();
        const got = cached.grads[name]!.dataSync();
        let scale = 0;
        for (const value of want) scale = Math.max(scale, Math.abs(value));
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), name).toBeLessThanOrEqual(1e-4 * scale + 1e-7);
        largest = Math.max(largest, scale);
      }
      expect(largest).toBeGreaterThan(1e-3); // the gradients are not all zero
      // Chunks by token length: the same loss and gradients (float rounding apart), rows back in batch order.
      const lengths = texts.map((text) => tokenizer.encode(text, { maxLength: 24 }).ids.length);
      expect(new Set(lengths).size).toBeGreaterThan(1); // the order differs from the batch order
      const sorted = cachedEmbeddingGradients(encoder, texts, loss, { chunkSize: 2, sortByLength: true });
      expect(sorted.value.dataSync()[0]).toBeCloseTo(direct.value.dataSync()[0]!, 5);
      for (const [name, expected] of Object.entries(direct.grads)) {
        const want = expected.dataSync();
        const got = sorted.grads[name]!.dataSync();
        let scale = 0;
        for (const value of want) scale = Math.max(scale, Math.abs(value));
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), name).toBeLessThanOrEqual(1e-4 * scale + 1e-7);
      }
      // A loss that tells rows apart (query rows 0-1) would break if the rows came back in chunk order.
      const swapped = cachedEmbeddingGradients(encoder, [texts[1]!, texts[0]!, ...texts.slice(2)], loss, { chunkSize: 2, sortByLength: true });
      expect(Math.abs(swapped.value.dataSync()[0]! - direct.value.dataSync()[0]!)).toBeGreaterThan(1e-4);
      tf.dispose([sorted.value, ...Object.values(sorted.grads), swapped.value, ...Object.values(swapped.grads)]);
      // A chunk as big as the batch is the direct computation.
      const whole = cachedEmbeddingGradients(encoder, texts, loss, { chunkSize: 64 });
      expect(whole.value.dataSync()[0]).toBeCloseTo(direct.value.dataSync()[0]!, 5);
      tf.dispose([whole.value, ...Object.values(whole.grads)]);
    } finally {
      tf.dispose([direct.value, ...Object.values(direct.grads), cached.value, ...Object.values(cached.grads)]);
    }
    expect(() => cachedEmbeddingGradients(encoder, [], loss)).toThrow(InvalidOptionError);
    expect(() => cachedEmbeddingGradients(encoder, texts, loss, { chunkSize: 0 })).toThrow(/chunkSize/);
    encoder.dispose();
  });

  it('drives trainModel as a batch\'s gradients(): the loss falls and no tensor leaks', async () => {
    const encoder = await createBertEncoder({ tokenizer: makeTestTokenizer(), hidden: 32, layers: 1, heads: 2, maxLength: 24, seed: 9 });
    const texts = [...TEST_CORPUS.slice(0, 4), ...TEST_CORPUS.slice(0, 4).map((text) => text.toLowerCase().replace(/\./g, ''))];
    const loss = (e: tf.Tensor2D): tf.Scalar => infoNceLoss(tf.slice(e, [0, 0], [4, 32]) as tf.Tensor2D, tf.slice(e, [4, 0], [4, 32]) as tf.Tensor2D, tf.eye(4) as tf.Tensor2D, { temperature: 0.1 });
    const tensorsBefore = tf.memory().numTensors;
    const report = await trainModel(
      {
        trainableVariables: encoder.trainableVariables,
        epochRows: () => 4,
        batches: () => [{ size: 4, gradients: (variables) => cachedEmbeddingGradients(encoder, texts, loss, { chunkSize: 3, variables }) }],
        validate: () => Number.NaN,
      },
      { epochs: 4, patience: 10, learningRate: 1e-3, batchSize: 4 },
    );
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const losses = report.history.map((record) => record.loss);
    expect(losses).toHaveLength(4);
    expect(losses[3]!).toBeLessThan(losses[0]!);
    encoder.dispose();
  });
});
