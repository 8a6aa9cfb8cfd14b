import { generateSyntheticDataset } from '@score/data';
import { createPooledEncoder, trainTokenizer } from '@score/text-encoders';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { buildBehaviourCorpus } from './behaviour-corpus';
import { selectHeldOutUsers, trainCar } from './car-training';
import { itemSetNeighbours } from './test-fixtures/item-set-neighbours';

describe('trainCar', () => {
  it('recalls held-out users\' CRM neighbours clearly better than the untuned encoder (seeded)', async () => {
    await initTensorflow();
    const dataset = await generateSyntheticDataset({ users: 160, items: 200, seed: 7, minInteractionsPerUser: 15, maxInteractionsPerUser: 40 });
    const corpus = buildBehaviourCorpus(dataset);
    const texts = new Map(corpus.entries.map((entry) => [entry.userId, entry.text]));
    const neighbours = itemSetNeighbours(dataset, 5);
    const tokenizer = trainTokenizer({ texts: [...texts.values()], vocabSize: 1000, kind: 'wordpiece' });
    const encoder = await createPooledEncoder({ tokenizer, embeddingSize: 32, dimensions: 32, seed: 1 });
    const tensorsBefore = tf.memory().numTensors;
    const events: string[] = [];
    try {
      const report = await trainCar({ encoder, texts, neighbours, epochs: 6, learningRate: 1e-2, validationFraction: 0.2, seed: 3, onProgress: (event) => events.push(event.task) });
      expect(report.heldOutUsers).toHaveLength(Math.round(0.2 * texts.size));
      expect(report.trainUsers).toBe(texts.size - report.heldOutUsers.length);
      expect(report.baseRecall).toBeGreaterThan(0);
      expect(report.bestRecall).toBeGreaterThanOrEqual(report.baseRecall + 0.1);
      expect(report.bestEpoch).toBeGreaterThan(0);
      expect(report.history[0]!.loss).toBeGreaterThan(report.history[report.history.length - 1]!.loss);
      expect(report.history.find((epoch) => epoch.epoch === report.bestEpoch)!.recall).toBe(report.bestRecall);
      expect(report.secondsPerEpoch).toBeGreaterThan(0);
      expect(new Set(events)).toEqual(new Set(['car.train']));
      // The loop and the loss free every tensor they make.
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    } finally {
      encoder.dispose();
    }
  }, 60_000);

  it('validates its options', async () => {
    await initTensorflow();
    const tokenizer = trainTokenizer({ texts: ['"A B"', '"B C"'], vocabSize: 50, kind: 'wordpiece' });
    const encoder = await createPooledEncoder({ tokenizer, embeddingSize: 4, dimensions: 4 });
    try {
      const texts = new Map([
        ['u1', '"A B"'],
        ['u2', '"B C"'],
        ['u3', '"A C"'],
      ]);
      const neighbours = new Map([['u1', [{ userId: 'u2', score: 1 }]]]);
      await expect(trainCar({ encoder, texts, neighbours, temperature: 0 })).rejects.toThrow('Invalid "temperature": must be a positive number (the paper uses 0.1), got 0.');
      await expect(trainCar({ encoder, texts, neighbours, heldOutUsers: ['nobody'] })).rejects.toThrow(/Invalid "heldOutUsers": must be corpus users; 1 are not, e.g. "nobody"/);
      await expect(trainCar({ encoder, texts, neighbours, heldOutUsers: ['u1'] })).rejects.toThrow(/nothing to train on/);
      await expect(trainCar({ encoder, texts, neighbours, heldOutUsers: ['u3'] })).rejects.toThrow(/early stopping has nothing to measure/);
      await expect(trainCar({ encoder, texts, neighbours, positives: 'some' as 'all' })).rejects.toThrow(/"positives": must be "all" or "sample"/);
    } finally {
      encoder.dispose();
    }
  });

  it('selectHeldOutUsers is seeded and keeps at least one user for training', () => {
    const users = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const a = selectHeldOutUsers(users, 0.25, 1);
    expect(a).toHaveLength(5);
    expect(selectHeldOutUsers(users, 0.25, 1)).toEqual(a);
    expect(selectHeldOutUsers(users, 0.25, 2)).not.toEqual(a);
    expect(selectHeldOutUsers(['x', 'y'], 0.9, 1)).toHaveLength(1);
    expect(() => selectHeldOutUsers(users, 1, 1)).toThrow(/must be a number in \(0, 1\), got 1/);
  });
});
