import path from 'node:path';
import { cosineSimilarity, InvalidOptionError } from '@score/core';
import { initTensorflow } from '@score/tfjs-runtime';
import { createBertEncoder, loadTrainableEncoder, trainTokenizer } from '@score/text-encoders';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSareReranker, loadSareReranker } from './sare-reranker';
import { makeTempDir } from './test-fixtures/synthetic-rankings';

const titles = ['Heat (1995)', 'Casino (1995)', 'Toy Story (1995)', 'Jumanji (1995)', 'Alien (1979)', 'Aliens (1986)', 'Fargo (1996)', 'Brazil (1985)', 'Jaws (1975)'];
/** 30 behaviour texts of 1 to 12 titles (different lengths, so different padding per batch). */
const behaviours = Array.from({ length: 30 }, (_, i) => Array.from({ length: 1 + ((i * 5) % 12) }, (_, j) => `"${titles[(i + j * 4) % titles.length]}"`).join(', '));
/** 12 requests: a P^b-like query and 6 candidates each (texts shared between requests, as neighbours are). */
const requests = Array.from({ length: 12 }, (_, r) => ({
  query: `The user has highly rated the following movies: "${titles[r % titles.length]}", "${titles[(r * 2 + 1) % titles.length]}". Will the user like "${titles[(r * 7 + 3) % titles.length]}"?`,
  candidates: Array.from({ length: 6 }, (_, c) => ({ id: `u${(r * 3 + c * 5) % 30}`, text: behaviours[(r * 3 + c * 5) % 30]! })),
  topK: 6,
}));

describe('SareReranker.rerankMany', () => {
  let dir: string;

  beforeAll(async () => {
    await initTensorflow({ backend: 'wasm' });
    const tokenizer = trainTokenizer({ texts: [...behaviours, ...requests.map((request) => request.query)], vocabSize: 150, kind: 'wordpiece' });
    const encoder = await createBertEncoder({ tokenizer, hidden: 64, layers: 2, heads: 4, maxLength: 96, seed: 9 });
    dir = path.join(makeTempDir(), 'sare');
    await createSareReranker({ encoder }).save(dir);
    encoder.dispose();
  });

  it('orders every request by cos(p_t, e_i) from one encoder call, bitwise the same on two threads as on one', async () => {
    const one = await loadSareReranker(dir, { batchSize: 8 });
    const expected = await one.rerankMany(requests);
    // Against the definition: the same texts embedded in the same call (queries first, then the candidates not seen yet).
    const texts = [...new Set(requests.flatMap((request) => [request.query, ...request.candidates.map((candidate) => candidate.text)]))];
    const order = new Map<string, number>();
    for (const request of requests) for (const text of [request.query, ...request.candidates.map((candidate) => candidate.text)]) if (!order.has(text)) order.set(text, order.size);
    const encoder = await loadTrainableEncoder(dir, { batchSize: 8 });
    const matrix = await encoder.embed([...order.keys()]);
    encoder.dispose();
    expect(order.size).toBe(texts.length);
    const row = (text: string) => matrix.data.subarray(order.get(text)! * matrix.cols, (order.get(text)! + 1) * matrix.cols);
    requests.forEach((request, r) => {
      const scored = request.candidates.map((candidate, index) => ({ id: candidate.id, score: Math.fround(cosineSimilarity(row(request.query), row(candidate.text))), index }));
      scored.sort((a, b) => b.score - a.score || a.index - b.index);
      expect(expected[r]!.map((result) => result.id)).toEqual(scored.map((entry) => entry.id));
      expect(expected[r]!.map((result) => result.score)).toEqual(scored.map((entry) => entry.score));
    });
    // The orders differ between requests (a mix-up of requests would show).
    expect(new Set(expected.map((results) => results.map((result) => result.id).join(','))).size).toBeGreaterThan(6);
    // A second call serves the candidates from the cache: the same orders and scores.
    expect(await one.rerankMany(requests)).toEqual(expected);
    one.dispose();

    const threaded = await loadSareReranker(dir, { batchSize: 8, threads: 2 });
    try {
      const got = await threaded.rerankMany(requests);
      got.forEach((results, r) => {
        expect(results.map((result) => result.id)).toEqual(expected[r]!.map((result) => result.id));
        results.forEach((result, i) => expect(Object.is(result.score, expected[r]![i]!.score), `request ${r} candidate ${i}`).toBe(true));
      });
      // topK cuts each order; an empty candidate list gives an empty order.
      const cut = await threaded.rerankMany([{ ...requests[0]!, topK: 2 }, { query: requests[1]!.query, candidates: [], topK: 2 }]);
      expect(cut[0]!.map((result) => result.id)).toEqual(expected[0]!.slice(0, 2).map((result) => result.id));
      expect(cut[1]).toEqual([]);
    } finally {
      threaded.dispose();
    }
  });

  it('names the request and field of bad input', async () => {
    const reranker = await loadSareReranker(dir);
    try {
      await expect(reranker.rerankMany([requests[0]!, { ...requests[1]!, topK: 0 }])).rejects.toThrow(InvalidOptionError);
      await expect(reranker.rerankMany([{ ...requests[0]!, query: 3 as never }])).rejects.toThrow(/requests\[0\]\.query/);
      await expect(reranker.rerankMany('x' as never)).rejects.toThrow(/requests/);
      await expect(loadSareReranker(dir, { threads: 0 })).rejects.toThrow(/threads/);
    } finally {
      reranker.dispose();
    }
  });
});
