import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initTensorflow } from '@score/tfjs-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBertEncoder } from './bert-encoder';
import { loadTrainableEncoder } from './load-trainable-encoder';
import { openThreadedTextEncoder, ThreadedTextEncoder } from './threaded-text-encoder';
import { trainTokenizer } from './train-tokenizer';

const words = ['heat', 'ronin', 'alien', 'fargo', 'brazil', 'casino', 'psycho', 'vertigo', 'jaws', 'drama', 'comedy', 'thriller'];
/** 45 texts of 2 to 90 words: length-sorted batches of 8 have different widths (padding). */
const texts = Array.from({ length: 45 }, (_, i) => Array.from({ length: 2 + ((i * 17) % 89) }, (_, j) => words[(i * 5 + j * 7 + Math.floor(j / 3)) % words.length]).join(' '));

describe('openThreadedTextEncoder', () => {
  let dir: string;

  beforeAll(async () => {
    await initTensorflow({ backend: 'wasm' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'text-encoder-threads-'));
    const tokenizer = trainTokenizer({ texts, vocabSize: 120, kind: 'wordpiece' });
    const encoder = await createBertEncoder({ tokenizer, hidden: 64, layers: 2, heads: 4, maxLength: 128, seed: 5 });
    await encoder.save(dir);
    encoder.dispose();
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the same batches on a worker and the calling thread, bitwise as one thread, in input order', async () => {
    const plain = await loadTrainableEncoder(dir, { batchSize: 8 });
    const expected = await plain.embed(texts);
    // Another call's batches (other members, other padding) give other bits for some texts: the
    // batches are what must stay the same, and this check can see a change of them.
    const alone = await plain.embed([texts[1]!]);
    plain.dispose();
    expect(Array.from(alone.data).some((value, d) => value !== expected.data[expected.cols + d])).toBe(true);

    const encoder = await openThreadedTextEncoder({ dir, batchSize: 8 }, { threads: 2 });
    try {
      expect(encoder).toBeInstanceOf(ThreadedTextEncoder);
      expect(encoder.threads).toBe(2);
      const threaded = await encoder.embed(texts);
      expect([threaded.rows, threaded.cols]).toEqual([expected.rows, expected.cols]);
      // Bitwise equal, row by row in input order (45 texts, 6 batches).
      const differing = Array.from(threaded.data).filter((value, i) => !Object.is(value, expected.data[i])).length;
      expect(differing).toBe(0);
      // The embeddings are real: unit rows, different for different texts.
      expect(new Set(Array.from({ length: texts.length }, (_, i) => threaded.data[i * threaded.cols])).size).toBeGreaterThan(30);
      const norm = Math.hypot(...threaded.data.subarray(0, threaded.cols));
      expect(norm).toBeCloseTo(1, 5);
      // Both threads ran forward passes; 6 batches in all.
      const perThread = encoder.batchesPerThread;
      expect(perThread.reduce((a, b) => a + b, 0)).toBe(6);
      expect(perThread.every((count) => count > 0)).toBe(true);
      // A one-batch call stays on the calling thread, with the same bits as one thread.
      const single = await encoder.embed([texts[1]!]);
      expect(Array.from(single.data)).toEqual(Array.from(alone.data));
      expect(encoder.batchesPerThread[1]).toBe(perThread[1]);
    } finally {
      encoder.dispose();
    }
    await expect(encoder.embed(texts)).rejects.toThrow(/disposed/);
  });

  it('rejects a thread count below 1 and a folder without an encoder', async () => {
    await expect(openThreadedTextEncoder({ dir }, { threads: 0 })).rejects.toThrow(/threads/);
    await expect(openThreadedTextEncoder({ dir: path.join(dir, 'missing') }, { threads: 2 })).rejects.toThrow(/config\.json/);
  });
});
