import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DimensionMismatchError, ModelMismatchError } from '@score/core';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { infoNceLoss } from './info-nce-loss';
import { loadTrainableEncoder } from './load-trainable-encoder';
import { createPooledEncoder, loadPooledEncoder } from './pooled-encoder';
import { makeTempDir, makeTestTokenizer } from './test-fixtures/tiny-corpus';
import type { Tokenizer } from './tokenizer';

const tokenizer = makeTestTokenizer();

beforeAll(async () => {
  await initTensorflow();
});

describe('PooledEncoder', () => {
  it('embeds to unit rows equal to the hand-computed mean -> projection -> L2 chain', async () => {
    const encoder = await createPooledEncoder({ tokenizer, embeddingSize: 3, dimensions: 2, maxLength: 16 });
    const matrix = await encoder.embed(['heat casino', 'yes']);
    expect([matrix.rows, matrix.cols, encoder.dimensions, encoder.architecture]).toEqual([2, 2, 2, 'pooled']);
    // Recompute row 0 by hand from the weights.
    const ids = tokenizer.encode('heat casino').ids;
    const table = encoder.namedWeights().get('embeddings.word_embeddings.weight')!.arraySync() as number[][];
    const projection = encoder.namedWeights().get('projection.weight')!.arraySync() as number[][];
    const bias = encoder.namedWeights().get('projection.bias')!.arraySync() as number[];
    const pooled = [0, 1, 2].map((d) => ids.reduce((sum, id) => sum + table[id]![d]!, 0) / ids.length);
    const projected = projection.map((row, o) => row.reduce((sum, w, d) => sum + w * pooled[d]!, bias[o]!));
    const norm = Math.hypot(...projected);
    expect(matrix.data[0]).toBeCloseTo(projected[0]! / norm, 5);
    expect(matrix.data[1]).toBeCloseTo(projected[1]! / norm, 5);
    encoder.dispose();
  });

  it('trains (one short contrastive run lowers the loss), saves and loads back equal, without leaks', async () => {
    const encoder = await createPooledEncoder({ tokenizer, embeddingSize: 8, dimensions: 4, positionWeights: true, maxLength: 16, seed: 3 });
    expect(encoder.trainableVariables).toHaveLength(4);
    const queries = encoder.tokenize(['heat casino', 'toy story', 'yes', 'jumanji']);
    const keys = encoder.tokenize(['casino heat', 'story toy', 'yes yes', 'jumanji jumanji']);
    const positives = tf.eye(4) as tf.Tensor2D;
    const lossOf = () => infoNceLoss(encoder.embedTensor(queries.ids, queries.mask), encoder.embedTensor(keys.ids, keys.mask), positives, { temperature: 0.1 });
    const optimizer = tf.train.adam(0.05);
    const before = tf.memory().numTensors;
    const first = tf.tidy(() => lossOf().dataSync()[0]!);
    for (let step = 0; step < 20; step++) optimizer.minimize(lossOf, true, encoder.trainableVariables)?.dispose();
    const last = tf.tidy(() => lossOf().dataSync()[0]!);
    expect(last).toBeLessThan(first * 0.5);
    expect(tf.memory().numTensors - before).toBe(2 * encoder.trainableVariables.length);
    // The position weights moved away from 1.
    expect(Math.max(...(encoder.namedWeights().get('pooling.position_weights')!.dataSync() as Float32Array).map((w) => Math.abs(w - 1)))).toBeGreaterThan(1e-3);
    optimizer.dispose();
    tf.dispose([queries.ids, queries.mask, keys.ids, keys.mask, positives]);

    const dir = makeTempDir();
    await encoder.save(dir);
    const loaded = await loadTrainableEncoder(dir);
    expect(loaded.architecture).toBe('pooled');
    const texts = ['heat casino', 'the user has watched toy story'];
    expect(Array.from((await loaded.embed(texts)).data)).toEqual(Array.from((await encoder.embed(texts)).data));
    const beforeEmbed = tf.memory().numTensors;
    await loaded.embed(texts, { batchSize: 1 });
    expect(tf.memory().numTensors).toBe(beforeEmbed);
    loaded.dispose();
    encoder.dispose();
  });

  it('reports missing files, ids out of the table and a weight of the wrong width', async () => {
    const dir = makeTempDir();
    await expect(loadPooledEncoder(path.join(dir, 'absent'))).rejects.toThrow(ArtifactNotFoundError);
    const encoder = await createPooledEncoder({ tokenizer, embeddingSize: 4, dimensions: 2, maxLength: 8 });
    await encoder.save(dir);
    fs.rmSync(path.join(dir, 'tokenizer.json'));
    await expect(loadPooledEncoder(dir)).rejects.toThrow(/Tokenizer file \(tokenizer.json\) not found/);
    await tokenizer.save(path.join(dir, 'tokenizer.json'));
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, dimensions: 3 }));
    await expect(loadPooledEncoder(dir)).rejects.toThrow(DimensionMismatchError);
    await expect(loadPooledEncoder(dir)).rejects.toThrow(/Tensor "projection.weight" .* has dimension 2, but 3 is required/);

    // A tokenizer that claims a smaller vocabulary than the ids it produces: caught at tokenize time.
    const lying: Tokenizer = {
      vocabSize: 10,
      specialTokens: tokenizer.specialTokens,
      encode: (text, options) => tokenizer.encode(text, options),
      encodeBatch: (texts, options) => tokenizer.encodeBatch(texts, options),
      decode: (ids, options) => tokenizer.decode(ids, options),
      tokenToId: (token) => tokenizer.tokenToId(token),
      idToToken: (id) => tokenizer.idToToken(id),
      toJSON: () => tokenizer.toJSON(),
      save: (file) => tokenizer.save(file),
    };
    const small = await createPooledEncoder({ tokenizer: lying, embeddingSize: 4, dimensions: 2, maxLength: 8 });
    await expect(small.embed(['casino'])).rejects.toThrow(ModelMismatchError);
    await expect(small.embed(['casino'])).rejects.toThrow(/outside the model's vocabulary of 10 ids/);
    small.dispose();
    await expect(encoder.embed(['x'])).resolves.toBeDefined();
    encoder.dispose();
    await expect(encoder.embed(['x'])).rejects.toThrow(/was disposed/);
  });
});
