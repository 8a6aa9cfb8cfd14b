import { generateSyntheticDataset } from '@score/data';
import { createBertEncoder, createPooledEncoder, trainTokenizer, type TrainableTextEncoder } from '@score/text-encoders';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { buildBehaviourCorpus } from './behaviour-corpus';
import { trainCar, type CarTrainingReport } from './car-training';
import { itemSetNeighbours } from './test-fixtures/item-set-neighbours';

/** Weight values by variable name. */
function snapshot(encoder: TrainableTextEncoder): Map<string, Float32Array> {
  return new Map([...encoder.namedWeights()].map(([name, variable]) => [name, variable.dataSync().slice() as Float32Array]));
}

function restore(encoder: TrainableTextEncoder, weights: ReadonlyMap<string, Float32Array>): void {
  for (const [name, variable] of encoder.namedWeights()) {
    const value = tf.tensor(weights.get(name)!, variable.shape);
    variable.assign(value);
    value.dispose();
  }
}

/** Largest |a - b| over every weight, and the largest |a| (the scale). */
function largestDifference(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): { difference: number; scale: number } {
  let difference = 0;
  let scale = 0;
  for (const [name, values] of a) {
    const other = b.get(name)!;
    for (let i = 0; i < values.length; i++) {
      difference = Math.max(difference, Math.abs(values[i]! - other[i]!));
      scale = Math.max(scale, Math.abs(values[i]!));
    }
  }
  return { difference, scale };
}

/**
 * The gradient-caching route of trainCar (`gradientChunkTexts` smaller than a batch) against the
 * one-pass route: one Adam step on one batch (every training anchor and its positives) from the
 * same initial weights must give the same loss and the same updated weights (to float rounding),
 * for the pooled encoder and a BERT.
 */
describe('trainCar gradient caching (gradientChunkTexts)', () => {
  it.each(['pooled', 'bert'] as const)('a %s encoder: the chunked and the one-pass epoch give the same loss and weights', async (architecture) => {
    await initTensorflow();
    const dataset = await generateSyntheticDataset({ users: 40, items: 80, seed: 11, minInteractionsPerUser: 8, maxInteractionsPerUser: 14 });
    const corpus = buildBehaviourCorpus(dataset, { maxItems: 6 });
    const texts = new Map(corpus.entries.map((entry) => [entry.userId, entry.text]));
    const neighbours = itemSetNeighbours(dataset, 3);
    const tokenizer = trainTokenizer({ texts: [...texts.values()], vocabSize: 300, kind: 'wordpiece' });
    const encoder =
      architecture === 'pooled'
        ? await createPooledEncoder({ tokenizer, embeddingSize: 16, dimensions: 16, seed: 2 })
        : await createBertEncoder({ tokenizer, hidden: 16, layers: 1, heads: 2, maxLength: 48, seed: 2 });
    const initial = snapshot(encoder);
    const tensorsBefore = tf.memory().numTensors;
    const run = async (gradientChunkTexts: number, lengthSortedChunks = false): Promise<{ report: CarTrainingReport; weights: Map<string, Float32Array> }> => {
      restore(encoder, initial);
      const report = await trainCar({
        encoder,
        texts,
        neighbours,
        neighboursPerUser: 3,
        epochs: 1,
        batchSize: 64,
        learningRate: 1e-2,
        validationFraction: 0.2,
        seed: 5,
        gradientChunkTexts,
        lengthSortedChunks,
        restoreBestWeights: false,
      });
      return { report, weights: snapshot(encoder) };
    };
    try {
      const onePass = await run(0);
      const chunked = await run(5); // one batch of every anchor and its positives (all 40 users), cut into chunks of 5
      expect(onePass.report.trainUsers).toBeGreaterThan(16);
      expect(chunked.report.history[0]!.loss).toBeCloseTo(onePass.report.history[0]!.loss, 5);
      expect(Math.abs(chunked.report.history[0]!.loss - onePass.report.history[0]!.loss)).toBeLessThanOrEqual(1e-5 * onePass.report.history[0]!.loss);
      const moved = largestDifference(onePass.weights, initial);
      expect(moved.difference).toBeGreaterThan(1e-3); // the epoch did change the weights
      const apart = largestDifference(chunked.weights, onePass.weights);
      expect(apart.difference).toBeLessThanOrEqual(1e-5 * Math.max(1, apart.scale));
      // Chunks by text length (lengthSortedChunks): the same loss and weights to float rounding.
      const sorted = await run(5, true);
      expect(Math.abs(sorted.report.history[0]!.loss - onePass.report.history[0]!.loss)).toBeLessThanOrEqual(1e-5 * onePass.report.history[0]!.loss);
      expect(largestDifference(sorted.weights, onePass.weights).difference).toBeLessThanOrEqual(1e-5 * Math.max(1, apart.scale));
      // The default route: pooled encoders embed a batch in one pass (the same as gradientChunkTexts 0), BERT encoders 8 texts at a time.
      const defaulted = await (async () => {
        restore(encoder, initial);
        await trainCar({ encoder, texts, neighbours, neighboursPerUser: 3, epochs: 1, batchSize: 64, learningRate: 1e-2, validationFraction: 0.2, seed: 5, restoreBestWeights: false });
        return snapshot(encoder);
      })();
      expect(largestDifference(defaulted, onePass.weights).difference).toBeLessThanOrEqual(1e-5 * Math.max(1, apart.scale));
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      await expect(trainCar({ encoder, texts, neighbours, gradientChunkTexts: -1 })).rejects.toThrow(/"gradientChunkTexts": must be an integer of at least 0, got -1/);
    } finally {
      encoder.dispose();
    }
  }, 60_000);
});
