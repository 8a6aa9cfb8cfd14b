import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRandom } from '@score/core';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBehaviourCorpus } from './behaviour-corpus';
import { createCorpusRetriever } from './corpus-retriever';
import { createDatasetRetriever } from './create-dataset-retriever';
import { indexBehaviourCorpus } from './index-behaviour-corpus';
import { LanceVectorIndex } from './lance-vector-index';
import { createTinyDataset, hashEmbed, type TinyInteraction } from './test-fixtures/tiny-dataset';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dataset-retriever-'));
  dirs.push(dir);
  return dir;
};

function dataset() {
  const random = createRandom(5);
  const items = Array.from({ length: 30 }, (_, i) => `m${i}`);
  const interactions: TinyInteraction[] = [];
  for (let u = 0; u < 10; u++) {
    for (let n = 0; n < 12; n++) interactions.push({ userId: `user${u}`, itemId: items[Math.floor(random() * 30)]!, timestamp: Math.floor(random() * 100) * 86_400 + u, label: 1 });
  }
  return createTinyDataset({ items, interactions, validStart: 70 * 86_400, testStart: 85 * 86_400 });
}

describe('createDatasetRetriever', () => {
  it('retrieves exactly what the building blocks (corpus, index, indexing, corpus retriever) give', async () => {
    const data = dataset();
    const embedder = { dimensions: 32, embed: async (texts: readonly string[]) => hashEmbed(texts) };
    const built = await createDatasetRetriever({ dataset: data, embedder, dir: tempDir(), corpus: { maxItems: 8 }, variant: 'base' });
    const corpus = buildBehaviourCorpus(data, { maxItems: 8 });
    const index = await LanceVectorIndex.create({ dir: tempDir(), dimensions: 32 });
    await indexBehaviourCorpus({ index, corpus, embed: embedder.embed });
    const manual = createCorpusRetriever({ variant: 'base', index, corpus, embed: embedder.embed });
    try {
      expect(built.retriever.variant).toBe('base');
      expect(built.corpus.entries.length).toBe(corpus.entries.length);
      for (const row of data.split('test').slice(0, 4)) {
        const target = { userId: row.userId, history: data.history(row), before: row.timestamp };
        const got = await built.retriever.retrieve(target, 5);
        expect(got.length).toBeGreaterThan(0);
        expect(got).toEqual(await manual.retrieve(target, 5));
        expect(got.every((user) => user.userId !== row.userId)).toBe(true);
      }
    } finally {
      await built.dispose();
      await index.close();
    }
  });
});
