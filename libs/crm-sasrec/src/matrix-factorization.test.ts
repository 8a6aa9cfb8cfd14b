import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { loadRecommender } from './load-recommender';
import { createMatrixFactorization } from './matrix-factorization';
import { makeSequentialDataset } from './test-fixtures/in-memory-dataset';

describe('createMatrixFactorization', () => {
  it('validates options', () => {
    expect(createMatrixFactorization().options).toMatchObject({ embeddingSize: 64, initStd: 0.1, objective: 'ctr', learningRate: 1e-2 });
    expect(() => createMatrixFactorization({ embeddingSize: 1.5 })).toThrow(/"mf.embeddingSize": must be an integer of at least 1, got 1.5/);
    expect(() => createMatrixFactorization({ initStd: 0 })).toThrow(/"mf.initStd"/);
  });

  it('trains one epoch per objective, folds in unknown users, round-trips and leaks no tensors', async () => {
    await initTensorflow();
    const dataset = makeSequentialDataset({ users: 30, items: 25, rowsPerUser: 12 });
    const before = tf.memory().numTensors;
    for (const objective of ['ctr', 'next-item'] as const) {
      const model = createMatrixFactorization({ embeddingSize: 6, epochs: 1, batchSize: 50, objective });
      const report = await model.fit(dataset);
      expect(report.epochs).toBe(1);
      expect(report.history[0]!.loss).toBeGreaterThan(0);
      const inputs = [
        { history: ['i1'], itemId: 'i2', userId: 'u1' },
        { history: ['i1', 'i3'], itemId: 'i2', userId: 'stranger' },
        { history: ['i1', 'i3'], itemId: 'i2' },
        { history: [], itemId: 'i2' },
      ];
      const scores = await model.scoreRows(inputs);
      // An unknown or missing user is folded in from the same history; no history means P = 0.5.
      expect(scores[1]).toBe(scores[2]);
      expect(scores[3]).toBe(0.5);
      const embeddings = await model.userEmbeddings([{ history: ['i1', 'i3'] }, { history: ['i1'] }, { history: ['i3'] }]);
      for (let j = 0; j < 6; j++) expect(embeddings.data[j]!).toBeCloseTo((embeddings.data[6 + j]! + embeddings.data[12 + j]!) / 2, 6);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-mf-'));
      await model.save(dir);
      const loaded = loadRecommender(dir, { model: 'mf', options: { embeddingSize: 6 } });
      expect(loaded.name).toBe('mf');
      expect(Array.from(await loaded.scoreRows(inputs))).toEqual(Array.from(scores));
      loaded.dispose();
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
