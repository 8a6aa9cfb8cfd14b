import { InvalidOptionError, type ProgressEvent, createRandom } from '@score/core';
import { describe, expect, it } from 'vitest';
import { initTensorflow, tf } from './backend';
import { chunkedGradients } from './chunked-gradients';
import { TRAINING_DEFAULTS, type TrainableModel, type TrainingBatch, trainingLoopOptions, trainModel } from './training-loop';

/** Logistic regression on a fixed, separable 2-feature problem. */
function logisticModel(seed: number, validationScript?: number[]): TrainableModel & { weights: tf.Variable; dispose(): void } {
  const random = createRandom(seed);
  const weights = tf.variable(tf.tensor2d([[random() - 0.5], [random() - 0.5]]), true);
  const features = new Float32Array(64 * 2);
  const labels = new Float32Array(64);
  const data = createRandom(99);
  for (let i = 0; i < 64; i++) {
    features[2 * i] = data() * 2 - 1;
    features[2 * i + 1] = data() * 2 - 1;
    labels[i] = features[2 * i]! + 0.5 * features[2 * i + 1]! > 0 ? 1 : 0;
  }
  let validations = 0;
  return {
    weights,
    trainableVariables: [weights],
    epochRows: () => 64,
    *batches({ batchSize, random: shuffle }) {
      const order = Array.from({ length: 64 }, (_, i) => i).sort(() => shuffle() - 0.5);
      for (let start = 0; start < 64; start += batchSize) {
        const rows = order.slice(start, start + batchSize);
        const x = Float32Array.from(rows.flatMap((r) => [features[2 * r]!, features[2 * r + 1]!]));
        const y = Float32Array.from(rows.map((r) => labels[r]!));
        yield {
          size: rows.length,
          loss: () => {
            const logits = tf.squeeze(tf.matMul(tf.tensor2d(x, [rows.length, 2]), weights));
            return tf.mean(tf.sub(tf.softplus(logits), tf.mul(tf.tensor1d(y), logits))) as tf.Scalar;
          },
        };
      }
    },
    validate: () => {
      if (validationScript) return validationScript[Math.min(validations++, validationScript.length - 1)]!;
      // Accuracy on the training data.
      const predictions = tf.tidy(() => tf.matMul(tf.tensor2d(features, [64, 2]), weights).dataSync());
      let correct = 0;
      for (let i = 0; i < 64; i++) correct += (predictions[i]! > 0 ? 1 : 0) === labels[i] ? 1 : 0;
      return correct / 64;
    },
    dispose: () => weights.dispose(),
  };
}

describe('trainModel', () => {
  it('trains, reports progress and leaks no tensors', async () => {
    await initTensorflow();
    const model = logisticModel(1);
    const before = tf.memory().numTensors;
    const events: ProgressEvent[] = [];
    const report = await trainModel(model, { epochs: 5, batchSize: 16, learningRate: 0.1, patience: 5, progressEveryBatches: 2, onProgress: (event) => events.push(event) });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.epochs).toBe(5);
    expect(report.history[4]!.loss).toBeLessThan(report.history[0]!.loss);
    expect(report.bestValidation).toBeGreaterThan(0.9);
    expect(events.some((event) => event.metrics?.['rowsPerSecond'] !== undefined && event.metrics['loss'] !== undefined)).toBe(true);
    expect(events.at(-1)!.finished).toBe(true);
    const epochEnd = events.filter((event) => event.metrics?.['validAuc'] !== undefined && event.unit === 'rows');
    expect(epochEnd.map((event) => event.epoch)).toEqual([1, 2, 3, 4, 5]);
    model.dispose();
  });

  it('is deterministic for a seed', async () => {
    await initTensorflow();
    const run = async (seed: number) => {
      const model = logisticModel(3);
      await trainModel(model, { epochs: 3, batchSize: 8, learningRate: 0.05, seed, weightDecay: 0.01 });
      const values = Array.from(model.weights.dataSync());
      model.dispose();
      return values;
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });

  it('stops after `patience` epochs without improvement and restores the best weights', async () => {
    await initTensorflow();
    // Validation: initial 0.1, then 0.5, 0.9 (best, epoch 2), 0.8, 0.7 -> stop after epoch 4 with patience 2.
    const model = logisticModel(2, [0.1, 0.5, 0.9, 0.8, 0.7, 0.6]);
    const snapshots: number[][] = [];
    const report = await trainModel(
      { ...model, validate: () => (snapshots.push(Array.from(model.weights.dataSync())), model.validate()) },
      { epochs: 10, patience: 2, batchSize: 64, learningRate: 0.1 },
    );
    expect(report.epochs).toBe(4);
    expect(report.bestEpoch).toBe(2);
    expect(report.bestValidation).toBe(0.9);
    expect(report.stoppedEarly).toBe(true);
    expect(Array.from(model.weights.dataSync())).toEqual(snapshots[2]);
    model.dispose();
  });

  it('stops at an aborted signal and validates its options', async () => {
    await initTensorflow();
    const model = logisticModel(4);
    const controller = new AbortController();
    controller.abort();
    const report = await trainModel(model, { epochs: 5, batchSize: 16, signal: controller.signal });
    expect(report.aborted).toBe(true);
    expect(report.epochs).toBe(1);
    await expect(trainModel(model, { epochs: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(trainModel(model, { learningRate: -1 })).rejects.toThrow(/"learningRate": must be a number in \(0, 10\)/);
    model.dispose();
  });

  it("uses a batch's own gradients() (chunked here) in place of loss(), and rejects a batch with neither", async () => {
    await initTensorflow();
    const plain = logisticModel(5);
    await trainModel(plain, { epochs: 3, batchSize: 16, learningRate: 0.1, seed: 2 });
    const expected = Array.from(plain.weights.dataSync());
    plain.dispose();
    const model = logisticModel(5);
    // The same batches, each split in halves whose gradients chunkedGradients combines.
    const halves = (batch: TrainingBatch): TrainingBatch => ({
      size: batch.size,
      gradients: (variables) => chunkedGradients([{ weight: 1, loss: () => tf.mul(batch.loss!(), 1) as tf.Scalar }, { weight: 1, loss: () => batch.loss!() }], variables),
    });
    const before = tf.memory().numTensors;
    await trainModel({ ...model, batches: (context) => [...model.batches(context)].map(halves) }, { epochs: 3, batchSize: 16, learningRate: 0.1, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    Array.from(model.weights.dataSync()).forEach((weight, i) => expect(weight).toBeCloseTo(expected[i]!, 5));
    await expect(trainModel({ ...model, batches: () => [{ size: 1 }] })).rejects.toThrow(/"batch": a training batch needs a loss\(\) or a gradients\(\) function/);
    model.dispose();
  });
});

describe('trainingLoopOptions', () => {
  it("layers the caller's set fields over the trainer's settings, which layer over TRAINING_DEFAULTS", async () => {
    const logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
    const merged = trainingLoopOptions(
      { epochs: 7, patience: undefined, batchSize: 8, logger, signal: undefined },
      { epochs: 10, patience: 2, batchSize: 16, task: 'car.train', validationMetric: 'neighbourRecall', progressEveryBatches: 5 },
    );
    expect(merged).toEqual({ epochs: 7, patience: 2, batchSize: 8, task: 'car.train', validationMetric: 'neighbourRecall', progressEveryBatches: 5, logger });
    expect(trainingLoopOptions({})).toEqual({});
    expect(TRAINING_DEFAULTS).toMatchObject({ epochs: 20, patience: 3, batchSize: 1024, learningRate: 1e-3, seed: 42, restoreBestWeights: true, validationMetric: 'validAuc', progressEveryBatches: 10 });
    expect(Object.isFrozen(TRAINING_DEFAULTS)).toBe(true);
    // trainModel reads the defaults from TRAINING_DEFAULTS: 3 epochs without improvement stop a 20-epoch run.
    await initTensorflow();
    const model = logisticModel(6, [0.5, 0.4, 0.4, 0.4, 0.4]);
    const report = await trainModel(model, { batchSize: 64 });
    expect(report.epochs).toBe(TRAINING_DEFAULTS.patience);
    expect(report.bestEpoch).toBe(0);
    model.dispose();
  });
});
