import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmptySplitError, InvalidOptionError, UnknownIdError } from '@score/core';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { encodeDatasetRows } from './encoded-rows';
import { ModelNotTrainedError } from './errors';
import { loadRecommender } from './load-recommender';
import { createSasrec } from './sasrec';
import { InMemoryDataset, makeSequentialDataset } from './test-fixtures/in-memory-dataset';
import { IdVocabulary, itemVocabularyOf } from './vocabulary';

const tiny = { hiddenSize: 8, blocks: 2, heads: 2, maxHistory: 5, epochs: 1, batchSize: 64, scoringBatchSize: 7 } as const;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'score-sasrec-'));
}

describe('createSasrec', () => {
  it('validates its options once, naming the field', () => {
    expect(createSasrec().options).toMatchObject({ hiddenSize: 64, blocks: 2, heads: 1, maxHistory: 25, dropout: 0.2, learningRate: 1e-2, weightDecay: 1e-4, batchSize: 1024, objective: 'ctr' });
    expect(() => createSasrec({ hiddenSize: 0 })).toThrow(InvalidOptionError);
    expect(() => createSasrec({ hiddenSize: 10, heads: 3 })).toThrow(/"sasrec.heads": must divide hiddenSize \(10\), got 3/);
    expect(() => createSasrec({ dropout: 1 })).toThrow(/"sasrec.dropout": must be a number in \[0, 1\)/);
    expect(() => createSasrec({ objective: 'bpr' as never })).toThrow(/"sasrec.objective": must be one of ctr, next-item/);
    expect(() => createSasrec({ hidden: 3 } as never)).toThrow(/"sasrec.hidden": is not an option/);
  });

  it('trains one epoch (CTR), scores deterministically by seed, round-trips a checkpoint exactly and leaks no tensors', async () => {
    await initTensorflow();
    const dataset = makeSequentialDataset({ users: 30, items: 25, rowsPerUser: 12 });
    const before = tf.memory().numTensors;
    const model = createSasrec({ ...tiny, seed: 3 });
    const report = await model.fit(dataset);
    expect(report.epochs).toBe(1);
    expect(report.history[0]!.loss).toBeGreaterThan(0);
    expect(report.bestValidAuc).toBeGreaterThan(0);
    const inputs = [
      { history: ['i1', 'i2', 'i3'], itemId: 'i4' },
      { history: [], itemId: 'i5' },
      { history: ['i9', 'i8', 'i7', 'i6', 'i5', 'i4', 'i3'], itemId: 'i2' },
    ];
    const scores = await model.scoreRows(inputs);
    expect(scores.every((p) => p > 0 && p < 1)).toBe(true);
    // Only the last maxHistory (5) items are read.
    expect((await model.scoreRows([{ history: ['i7', 'i6', 'i5', 'i4', 'i3'], itemId: 'i2' }]))[0]).toBe(scores[2]);

    const again = createSasrec({ ...tiny, seed: 3 });
    await again.fit(dataset);
    expect(Array.from(await again.scoreRows(inputs))).toEqual(Array.from(scores));
    again.dispose();

    const dir = tempDir();
    await model.save(dir);
    const loaded = loadRecommender(dir, { model: 'sasrec' });
    expect(Array.from(await loaded.scoreRows(inputs))).toEqual(Array.from(scores));
    const embeddings = await model.userEmbeddings(inputs);
    expect(Array.from((await loaded.userEmbeddings(inputs)).data)).toEqual(Array.from(embeddings.data));
    expect([embeddings.rows, embeddings.cols]).toEqual([3, 8]);
    loaded.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('defines the empty history: e_u is the final layer norm bias, shared by every empty history', async () => {
    await initTensorflow();
    const dataset = makeSequentialDataset({ users: 20, items: 20, rowsPerUser: 10, seed: 2 });
    const model = createSasrec({ ...tiny, objective: 'next-item' });
    await model.fit(dataset);
    const embeddings = await model.userEmbeddings([{ history: [] }, { history: [], userId: 'u1' }]);
    const beta = model.network!.variables.get('final_norm.beta')!.dataSync();
    expect(Array.from(embeddings.data.subarray(0, 8))).toEqual(Array.from(beta));
    expect(Array.from(embeddings.data.subarray(8))).toEqual(Array.from(beta));
    model.dispose();
  });

  it('rejects unknown items, untrained use and datasets without a valid split', async () => {
    await initTensorflow();
    const model = createSasrec(tiny);
    await expect(model.scoreRows([{ history: [], itemId: 'i1' }])).rejects.toThrow(ModelNotTrainedError);
    const dataset = makeSequentialDataset({ users: 10, items: 12, rowsPerUser: 10 });
    await model.fit(dataset);
    await expect(model.scoreRows([{ history: ['i1', 'nope'], itemId: 'zzz' }])).rejects.toThrow(UnknownIdError);
    await expect(model.scoreRows([{ history: ['i1', 'nope'], itemId: 'zzz' }])).rejects.toThrow(/2 unknown item ids in the scoring inputs .*: "nope", "zzz"\./);
    await expect(model.userEmbeddings([{ history: ['x1'] }])).rejects.toThrow(UnknownIdError);
    model.dispose();
    const trainOnly = new InMemoryDataset('t', ['a', 'b'], [
      { userId: 'u', itemId: 'a', label: 1, timestamp: 1, split: 'train' },
      { userId: 'u', itemId: 'b', label: 0, timestamp: 2, split: 'test' },
    ]);
    await expect(createSasrec(tiny).fit(trainOnly)).rejects.toThrow(EmptySplitError);
  });
});

describe('CTR rows', () => {
  it('hold only earlier positives of the user: no future item leaks into a history', () => {
    const rows = [
      { userId: 'u', itemId: 'a', label: 1, timestamp: 1, split: 'train' },
      { userId: 'u', itemId: 'b', label: 0, timestamp: 2, split: 'train' },
      { userId: 'u', itemId: 'c', label: 1, timestamp: 3, split: 'train' },
      { userId: 'u', itemId: 'd', label: 1, timestamp: 4, split: 'valid' },
      { userId: 'v', itemId: 'd', label: 1, timestamp: 1, split: 'train' },
    ] as const;
    const dataset = new InMemoryDataset('t', ['a', 'b', 'c', 'd'], rows);
    const items = itemVocabularyOf(dataset);
    const encoded = encodeDatasetRows(dataset, dataset.rows, items, new IdVocabulary('user', ['u']), 3);
    const id = (name: string) => items.indexOf(name);
    expect(Array.from(encoded.histories)).toEqual([0, 0, 0, 0, 0, id('a'), 0, 0, id('a'), 0, id('a'), id('c'), 0, 0, 0]);
    expect(Array.from(encoded.targets)).toEqual([id('a'), id('b'), id('c'), id('d'), id('d')]);
    expect(Array.from(encoded.labels)).toEqual([1, 0, 1, 1, 1]);
    expect(Array.from(encoded.users)).toEqual([1, 1, 1, 1, 0]);
    // Changing what happens after a row leaves that row's encoding unchanged.
    const changed = new InMemoryDataset('t', ['a', 'b', 'c', 'd'], [...rows.slice(0, 3), { ...rows[3], itemId: 'b', label: 0 }, rows[4]]);
    const again = encodeDatasetRows(changed, changed.rows.slice(0, 3), items, undefined, 3);
    expect(Array.from(again.histories)).toEqual(Array.from(encoded.histories.subarray(0, 9)));
  });
});
