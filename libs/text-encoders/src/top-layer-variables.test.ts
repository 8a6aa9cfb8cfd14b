import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initTensorflow } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBertEncoder } from './bert-encoder';
import { loadTrainableEncoder } from './load-trainable-encoder';
import { createPooledEncoder } from './pooled-encoder';
import { trainableVariablesOfTopLayers } from './top-layer-variables';
import { trainTokenizer } from './train-tokenizer';

const tokenizer = trainTokenizer({ texts: ['"Heat" (1995)', '"Up" (2009)', 'the user liked'], vocabSize: 100, kind: 'wordpiece' });

beforeAll(async () => {
  await initTensorflow();
});

describe('trainableVariablesOfTopLayers', () => {
  it('gives the top N layers\' 16 weights each, never the embeddings', async () => {
    const encoder = await createBertEncoder({ tokenizer, hidden: 16, layers: 3, heads: 2, maxLength: 64 });
    try {
      const nameOf = new Map([...encoder.namedWeights()].map(([name, variable]) => [variable, name]));
      const names = (n: number) => trainableVariablesOfTopLayers(encoder, n).map((variable) => nameOf.get(variable)!);
      expect(names(1)).toHaveLength(16);
      expect(names(1).every((name) => name.startsWith('encoder.layer.2.'))).toBe(true);
      expect(names(2).every((name) => /^encoder\.layer\.[12]\./.test(name))).toBe(true);
      expect(names(3)).toEqual([...encoder.namedWeights().keys()].filter((name) => !name.startsWith('embeddings.')));
      expect(() => trainableVariablesOfTopLayers(encoder, 4)).toThrow('Invalid "trainLayers": 4 is more than the encoder\'s 3 layers; use 1 to 3.');
      expect(() => trainableVariablesOfTopLayers(encoder, 0, 'sare.trainLayers')).toThrow(/Invalid "sare\.trainLayers": must be an integer of at least 1, got 0/);
    } finally {
      encoder.dispose();
    }
  });

  it('refuses a pooled encoder; loadTrainableEncoder({ maxLength }) cuts a saved pooled encoder too', async () => {
    const pooled = await createPooledEncoder({ tokenizer, embeddingSize: 4, dimensions: 4, maxLength: 32 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'top-layers-'));
    try {
      expect(() => trainableVariablesOfTopLayers(pooled, 1)).toThrow(/Invalid "trainLayers": applies to a BERT encoder .* a pooled encoder, which has no layers/);
      await pooled.save(dir);
      const cut = await loadTrainableEncoder(dir, { maxLength: 8 });
      expect(cut.maxLength).toBe(8);
      cut.dispose();
      const own = await loadTrainableEncoder(dir);
      expect(own.maxLength).toBe(32);
      own.dispose();
      await expect(loadTrainableEncoder(dir, { maxLength: 33 })).rejects.toThrow(/Invalid "maxLength": 33 is longer than the model's 32 positions/);
    } finally {
      pooled.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
