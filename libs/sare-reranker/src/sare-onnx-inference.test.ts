import path from 'node:path';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { type BertEncoder, createBertEncoder, createBertOnnxInference, trainTokenizer } from '@score/text-encoders';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSareReranker, loadSareReranker } from './sare-reranker';
import { makeTempDir } from './test-fixtures/synthetic-rankings';
import { orderWithInference } from './train-sare';

const titles = ['"Heat (1995)"', '"Casino (1995)"', '"Toy Story (1995)"', '"Jumanji (1995)"', '"Alien (1979)"', '"Aliens (1986)"', '"Fargo (1996)"', '"Se7en (1995)"'];
// Behaviour texts of 1 to 8 titles: batches pad.
const candidates = titles.map((title, i) => ({ id: `u${i}`, text: Array.from({ length: i + 1 }, (_, j) => (j % 2 === 0 ? title : titles[(i * 3 + 1) % 8])).join(' ') }));
const query = `${titles[1]} ${titles[4]} Yes`;
const tokenizer = trainTokenizer({ texts: [query, ...candidates.map((c) => c.text)], vocabSize: 150, kind: 'wordpiece' });

/** A tiny BERT with random weights (std 0.5; LayerNorm 1 and 0, which keeps the embeddings apart), so the cosines spread and the order is not trivial. */
async function randomBert(seed: number): Promise<BertEncoder> {
  const encoder = await createBertEncoder({ tokenizer, hidden: 16, layers: 2, heads: 4, intermediate: 32, maxLength: 64, seed });
  let next = seed * 100;
  for (const [name, variable] of encoder.namedWeights()) {
    if (name.includes('LayerNorm')) continue;
    const value = tf.tidy(() => tf.randomNormal(variable.shape, 0, 0.5, 'float32', next++));
    variable.assign(value);
    value.dispose();
  }
  return encoder;
}

beforeAll(async () => {
  await initTensorflow();
});

describe('SARE scoring on onnxruntime', () => {
  it('loadSareReranker with inference "onnx" scores and ranks as tfjs does', async () => {
    const encoder = await randomBert(3);
    const dir = path.join(makeTempDir(), 'sare');
    await createSareReranker({ encoder }).save(dir);
    const tfjs = await loadSareReranker(dir);
    const onnx = await loadSareReranker(dir, { inference: 'onnx', batchSize: 3 });
    expect(onnx.modelId).toBe(tfjs.modelId);
    const texts = candidates.map((c) => c.text);
    const [expected, found] = [await tfjs.scores(query, texts), await onnx.scores(query, texts)];
    let diff = 0;
    expected.forEach((score, i) => (diff = Math.max(diff, Math.abs(score - found[i]!))));
    expect(diff).toBeLessThan(1e-4);
    // The scores spread (an order that is not a tie).
    expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.05);
    const [a, b] = [await tfjs.rerank(query, candidates, 8), await onnx.rerank(query, candidates, 8)];
    expect(b.map((entry) => entry.id)).toEqual(a.map((entry) => entry.id));
    const examples = [{ query, candidates }, { query: candidates[2]!.text, candidates: candidates.slice(3) }];
    expect(await onnx.orderExamples(examples)).toEqual(await tfjs.orderExamples(examples));
    // threads applies to tfjs only: with onnx the scores stay onnxruntime's (not tfjs's bits).
    expect(Array.from(found).some((score, i) => !Object.is(score, expected[i]))).toBe(true);
    const threaded = await loadSareReranker(dir, { inference: 'onnx', batchSize: 3, threads: 2 });
    expect(Array.from(await threaded.scores(query, texts))).toEqual(Array.from(found));
    // rerankMany on onnxruntime: the orders of rerank, one request each.
    const many = await threaded.rerankMany([{ query, candidates, topK: 8 }, { query: candidates[2]!.text, candidates: candidates.slice(3), topK: 2 }]);
    expect(many[0]!.map((entry) => entry.id)).toEqual(a.map((entry) => entry.id));
    expect(many[1]!.map((entry) => entry.id)).toEqual((await tfjs.rerank(candidates[2]!.text, candidates.slice(3), 2)).map((entry) => entry.id));
    await threaded.dispose();
    // The onnxruntime export lies beside the reranker's weights.
    const fs = await import('node:fs');
    expect(fs.existsSync(path.join(dir, 'onnx', 'model.onnx'))).toBe(true);
    await tfjs.dispose();
    await onnx.dispose();
    await expect(loadSareReranker(dir, { inference: 'wasm' as 'onnx' })).rejects.toThrow(/"inference"/);
    encoder.dispose();
  });

  it('orderWithInference (the validation scoring of training) orders as tfjs with the current weights', async () => {
    const encoder = await randomBert(5);
    const examples = [{ query, candidates }, { query: candidates[7]!.text, candidates: candidates.slice(0, 5) }];
    const byTfjs = await orderWithInference(encoder, 'tfjs', examples);
    expect(await orderWithInference(encoder, 'onnx', examples)).toEqual(byTfjs);
    expect(byTfjs).toEqual(await createSareReranker({ encoder }).orderExamples(examples));
    // A reranker over an inference model embeds with it, not with the encoder.
    const onnx = await createBertOnnxInference(encoder);
    let calls = 0;
    const counted = { ...onnx, dimensions: onnx.dimensions, embed: (texts: readonly string[]) => ((calls += 1), onnx.embed(texts)), dispose: () => onnx.dispose() };
    const reranker = createSareReranker({ encoder, inferenceEncoder: counted });
    expect(await reranker.orderExamples(examples)).toEqual(byTfjs);
    expect(calls).toBe(1);
    await reranker.dispose();
    await expect(onnx.embed(['x'])).rejects.toThrow(/disposed/);
  });
});
