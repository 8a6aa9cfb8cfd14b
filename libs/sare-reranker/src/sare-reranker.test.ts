import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError } from '@score/core';
import { initTensorflow } from '@score/tfjs-runtime';
import { createPooledEncoder, trainTokenizer } from '@score/text-encoders';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSareReranker, loadSareReranker } from './sare-reranker';
import { makeTempDir } from './test-fixtures/synthetic-rankings';

const texts = ['"Heat (1995)", "Casino (1995)"', '"Toy Story (1995)", "Jumanji (1995)"', '"Alien (1979)", "Aliens (1986)"', 'The user has highly rated the following movies: "Heat (1995)".'];
const tokenizer = trainTokenizer({ texts, vocabSize: 120, kind: 'wordpiece' });

beforeAll(async () => {
  await initTensorflow();
});

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

describe('SareReranker', () => {
  it('orders candidates by cos(Enc(query), Enc(behaviour)) and keeps the top K', async () => {
    const encoder = await createPooledEncoder({ tokenizer, embeddingSize: 8, dimensions: 8, maxLength: 64, seed: 5 });
    const reranker = createSareReranker({ encoder });
    expect(reranker.modelId).toBe(`sare:${encoder.modelId}`);
    const query = texts[3];
    const candidates = texts.slice(0, 3).map((text, i) => ({ id: `u${i}`, text }));
    const matrix = await encoder.embed([query, ...candidates.map((candidate) => candidate.text)]);
    const row = (r: number) => matrix.data.subarray(r * 8, (r + 1) * 8);
    const expected = candidates.map((candidate, i) => ({ ...candidate, score: cosine(row(0), row(i + 1)) })).sort((a, b) => b.score - a.score);
    const top = await reranker.rerank(query, candidates, 2);
    expect(top.map((entry) => entry.id)).toEqual(expected.slice(0, 2).map((entry) => entry.id));
    expect(top[0].score).toBeCloseTo(expected[0].score, 5);
    expect(top[1].text).toBe(expected[1].text);
    expect(await reranker.rerank(query, [], 2)).toEqual([]);
    expect((await reranker.rerank(query, candidates, 10)).length).toBe(3);
    await expect(reranker.rerank(query, candidates, 0)).rejects.toThrow(InvalidOptionError);
    await expect(reranker.rerank(query, [{ id: 1 } as never], 1)).rejects.toThrow(/"candidates"/);
    const orders = await reranker.orderExamples([{ query, candidates }]);
    expect(orders[0]).toEqual(expected.map((entry) => entry.id));

    const dir = path.join(makeTempDir(), 'sare');
    await reranker.save(dir);
    const loaded = await loadSareReranker(dir);
    expect(Array.from(await loaded.scores(query, texts.slice(0, 3)))).toEqual(Array.from(await reranker.scores(query, texts.slice(0, 3))));
    reranker.dispose();
    loaded.dispose();
  });

  it('caches candidate embeddings (LRU, bounded): cached scores equal fresh ones and the encoder sees only new texts', async () => {
    const encoder = await createPooledEncoder({ tokenizer, embeddingSize: 8, dimensions: 8, maxLength: 64, seed: 5 });
    const plain = createSareReranker({ encoder });
    const cached = createSareReranker({ encoder, embeddingCache: 2 });
    const seen: string[][] = [];
    const embed = encoder.embed.bind(encoder);
    const spy = Object.assign(Object.create(encoder) as typeof encoder, { embed: async (batch: readonly string[]) => (seen.push([...batch]), embed(batch)) });
    const counting = createSareReranker({ encoder: spy, embeddingCache: 2 });
    const query = texts[3];
    const expected = Array.from(await plain.scores(query, texts.slice(0, 3)));
    for (let round = 0; round < 2; round++) {
      const got = Array.from(await cached.scores(query, texts.slice(0, 3)));
      got.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 6));
    }
    expect(cached.cachedEmbeddings).toBe(2);
    await counting.scores(query, [texts[0], texts[1]]);
    await counting.scores(query, [texts[1], texts[0], texts[0]]);
    expect(seen).toEqual([[query, texts[0], texts[1]], [query]]);
    await counting.scores(query, [texts[2]]); // evicts the least recently used (texts[1])
    await counting.scores(query, [texts[0], texts[1]]);
    expect(seen.at(-1)).toEqual([query, texts[1]]);
    counting.clearCache();
    expect(counting.cachedEmbeddings).toBe(0);
    expect(() => createSareReranker({ encoder, embeddingCache: -1 })).toThrow(/embeddingCache/);
    encoder.dispose();
  });

  it('rejects a missing folder and a non-encoder', async () => {
    await expect(loadSareReranker(makeTempDir())).rejects.toThrow(ArtifactNotFoundError);
    expect(() => createSareReranker({ encoder: {} as never })).toThrow(/"encoder"/);
  });
});
