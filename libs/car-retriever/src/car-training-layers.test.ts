import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticDataset } from '@score/data';
import { createBertEncoder, createPooledEncoder, loadInferenceEncoder, trainTokenizer, type TrainableTextEncoder } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { buildBehaviourCorpus } from './behaviour-corpus';
import { createCarEncoder } from './car-encoder';
import { trainCar } from './car-training';
import { itemSetNeighbours } from './test-fixtures/item-set-neighbours';

function snapshot(encoder: TrainableTextEncoder): Map<string, Float32Array> {
  return new Map([...encoder.namedWeights()].map(([name, variable]) => [name, variable.dataSync().slice() as Float32Array]));
}

/** Names of the weights whose values changed (bitwise). */
function changed(before: ReadonlyMap<string, Float32Array>, after: ReadonlyMap<string, Float32Array>): string[] {
  return [...before].filter(([name, values]) => {
    const other = after.get(name)!;
    return values.some((value, i) => !Object.is(value, other[i]));
  }).map(([name]) => name);
}

async function corpus() {
  const dataset = await generateSyntheticDataset({ users: 30, items: 60, seed: 11, minInteractionsPerUser: 8, maxInteractionsPerUser: 14 });
  const texts = new Map(buildBehaviourCorpus(dataset, { maxItems: 6 }).entries.map((entry) => [entry.userId, entry.text]));
  return { texts, neighbours: itemSetNeighbours(dataset, 3), tokenizer: trainTokenizer({ texts: [...texts.values()], vocabSize: 300, kind: 'wordpiece' }) };
}

describe('trainCar trainLayers', () => {
  it('trainLayers 1 on a 2-layer BERT changes only the top layer (embeddings and layer 0 bitwise unchanged)', async () => {
    await initTensorflow();
    const { texts, neighbours, tokenizer } = await corpus();
    const encoder = await createBertEncoder({ tokenizer, hidden: 16, layers: 2, heads: 2, maxLength: 64, seed: 2 });
    try {
      const before = snapshot(encoder);
      await trainCar({ encoder, texts, neighbours, neighboursPerUser: 3, epochs: 1, batchSize: 8, learningRate: 1e-2, validationFraction: 0.2, seed: 5, restoreBestWeights: false, trainLayers: 1 });
      const moved = changed(before, snapshot(encoder));
      expect(moved.length).toBeGreaterThan(0);
      expect(moved.every((name) => name.startsWith('encoder.layer.1.'))).toBe(true);
      // Every weight of the top layer trained (16 of them).
      expect(moved.length).toBe([...before.keys()].filter((name) => name.startsWith('encoder.layer.1.')).length);
      // trainLayers 2 (every layer) still leaves the embeddings alone; no option trains every weight.
      const again = snapshot(encoder);
      await trainCar({ encoder, texts, neighbours, neighboursPerUser: 3, epochs: 1, batchSize: 8, learningRate: 1e-2, validationFraction: 0.2, seed: 5, restoreBestWeights: false, trainLayers: 2 });
      const moved2 = changed(again, snapshot(encoder));
      expect(moved2.some((name) => name.startsWith('encoder.layer.0.'))).toBe(true);
      expect(moved2.some((name) => name.startsWith('embeddings.'))).toBe(false);
    } finally {
      encoder.dispose();
    }
  }, 60_000);

  it('refuses more layers than the encoder has, a pooled encoder and a non-positive count, naming trainLayers', async () => {
    await initTensorflow();
    const { texts, neighbours, tokenizer } = await corpus();
    const bert = await createBertEncoder({ tokenizer, hidden: 16, layers: 2, heads: 2, maxLength: 64, seed: 2 });
    const pooled = await createPooledEncoder({ tokenizer, embeddingSize: 4, dimensions: 4 });
    try {
      await expect(trainCar({ encoder: bert, texts, neighbours, trainLayers: 3 })).rejects.toThrow('Invalid "trainLayers": 3 is more than the encoder\'s 2 layers; use 1 to 2.');
      await expect(trainCar({ encoder: bert, texts, neighbours, trainLayers: 0 })).rejects.toThrow(/Invalid "trainLayers"/);
      await expect(trainCar({ encoder: pooled, texts, neighbours, trainLayers: 1 })).rejects.toThrow(/Invalid "trainLayers": applies to a BERT encoder .* a pooled encoder/);
    } finally {
      bert.dispose();
      pooled.dispose();
    }
  });
});

describe('createCarEncoder maxLength (car.maxTokens)', () => {
  it('cuts a loaded bert:PATH encoder to maxLength; the saved folder records it and every later load uses it (tfjs and onnx)', async () => {
    await initTensorflow();
    const { texts, tokenizer } = await corpus();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'car-max-tokens-'));
    try {
      const fresh = await createBertEncoder({ tokenizer, hidden: 16, layers: 2, heads: 2, maxLength: 64, seed: 2 });
      await fresh.save(path.join(root, 'bert'));
      fresh.dispose();
      const created = await createCarEncoder({ spec: { kind: 'bert', path: path.join(root, 'bert') }, texts: [], maxLength: 12 });
      const encoder = created.encoder as TrainableTextEncoder;
      try {
        expect(encoder.maxLength).toBe(12);
        const long = [...texts.values()].sort((a, b) => b.length - a.length)[0]!;
        expect(tokenizer.encode(long).ids.length).toBeGreaterThan(12);
        const { ids, mask } = encoder.tokenize([long, 'short']);
        expect(ids.shape).toEqual([2, 12]);
        // The text's first tokens are kept (the tokenizer cuts at the end, [SEP] last).
        const full = tokenizer.encode(long).ids;
        expect(Array.from(ids.dataSync().slice(0, 11))).toEqual(full.slice(0, 11));
        ids.dispose();
        mask.dispose();
        await encoder.save(path.join(root, 'tuned'));
        const config = JSON.parse(fs.readFileSync(path.join(root, 'tuned', 'config.json'), 'utf8')) as { score_encoder: { max_length: number } };
        expect(config.score_encoder.max_length).toBe(12);
        const expected = await encoder.embed([long]);
        for (const inference of ['tfjs', 'onnx'] as const) {
          const loaded = await loadInferenceEncoder(path.join(root, 'tuned'), { inference, intraOpThreads: 1 });
          try {
            const vectors = await loaded.embed([long]);
            expect(vectors.cols).toBe(expected.cols);
            for (let i = 0; i < expected.data.length; i++) expect(vectors.data[i]).toBeCloseTo(expected.data[i]!, 5);
          } finally {
            await loaded.dispose();
          }
        }
        // The untuned folder keeps its own length unless told (the manifest's base location says it).
        for (const [options, length] of [[{ maxLength: 12 }, 12], [{}, 64]] as const) {
          const base = (await loadInferenceEncoder(path.join(root, 'bert'), options)) as TrainableTextEncoder;
          expect(base.maxLength).toBe(length);
          base.dispose();
        }
      } finally {
        created.encoder.dispose();
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
