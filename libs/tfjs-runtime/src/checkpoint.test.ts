import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, ModelMismatchError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { initTensorflow, tf } from './backend';
import { assignCheckpointWeights, loadCheckpoint, saveCheckpoint } from './checkpoint';

describe('checkpoints', () => {
  it('round-trip weights exactly and check names and shapes', async () => {
    await initTensorflow();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-checkpoint-'));
    const a = tf.variable(tf.tensor2d([[0.1, -2.5e-7], [3, 1 / 3]]), true, 'checkpoint-test-a');
    const b = tf.variable(tf.tensor1d([7, 8, 9]), true, 'checkpoint-test-b');
    saveCheckpoint(dir, { model: 'toy', size: 2 }, { a, b });
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors']);
    const loaded = loadCheckpoint(dir);
    expect(loaded.config).toEqual({ model: 'toy', size: 2 });
    const target = tf.variable(tf.zeros([2, 2]), true, 'checkpoint-test-c');
    const other = tf.variable(tf.zeros([3]), true, 'checkpoint-test-d');
    assignCheckpointWeights(loaded.weightsPath, loaded.weights, new Map([['a', target], ['b', other]]));
    expect(Array.from(target.dataSync())).toEqual(Array.from(a.dataSync()));
    const wrong = tf.variable(tf.zeros([4]), true, 'checkpoint-test-e');
    expect(() => assignCheckpointWeights(loaded.weightsPath, loaded.weights, new Map([['a', target], ['b', wrong]]))).toThrow(ModelMismatchError);
    expect(() => assignCheckpointWeights(loaded.weightsPath, loaded.weights, new Map([['a', target], ['b', wrong]]))).toThrow(/tensor "b" has shape \[3\], but the model's config needs \[4\]/);
    expect(() => assignCheckpointWeights(loaded.weightsPath, loaded.weights, new Map([['a', target]]))).toThrow(/has a tensor "b" that the model does not use/);
    expect(() => loadCheckpoint(path.join(dir, 'missing'))).toThrow(ArtifactNotFoundError);
    tf.dispose([a, b, target, other, wrong]);
  });
});
