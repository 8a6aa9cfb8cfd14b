import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DimensionMismatchError, ModelMismatchError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from './onnx-graph-builder';
import { createOnnxEncoder } from './onnx-encoder';
import { makeTempDir, makeTestTokenizer } from './test-fixtures/tiny-corpus';
import type { Tokenizer } from './tokenizer';

/**
 * A trivial "model": last_hidden_state[b, t] = table[input_ids[b, t]] with table row i = [1, i],
 * so mean pooling gives [1, mean of the ids] and CLS pooling [1, id of the first token].
 */
async function writeLookupModel(dir: string, tokenizer: Tokenizer, options: { tokenTypes?: boolean; sentence?: boolean } = {}): Promise<void> {
  const g = new OnnxGraphBuilder();
  const rows = tokenizer.vocabSize;
  const table = new Float32Array(rows * 2);
  for (let i = 0; i < rows; i++) table.set([1, i], i * 2);
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  g.input('attention_mask', 'int64', ['batch', 'sequence']);
  let states = g.node('Gather', [g.initializer(table, [rows, 2], 'table'), ids], { axis: { int: 0 } });
  if (options.tokenTypes) {
    // Adds 0 for token type 0: checks that the encoder feeds token_type_ids when the graph has it.
    const types = g.input('token_type_ids', 'int64', ['batch', 'sequence']);
    states = g.node('Add', [states, g.node('Unsqueeze', [g.node('Cast', [types], { to: { int: 1 } }), g.ints([2])])]);
  }
  if (options.sentence) {
    g.node('ReduceSum', [states, g.ints([1])], { keepdims: { int: 0 } }, 'sentence_embedding');
    g.output('sentence_embedding', 'float32', ['batch', 2]);
  } else {
    g.node('Identity', [states], {}, 'last_hidden_state');
    g.output('last_hidden_state', 'float32', ['batch', 'sequence', 2]);
  }
  fs.mkdirSync(dir, { recursive: true });
  await g.save(path.join(dir, 'model.onnx'));
  await tokenizer.save(path.join(dir, 'tokenizer.json'));
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('createOnnxEncoder', () => {
  const tokenizer = makeTestTokenizer();
  const texts = ['heat casino', 'the user has watched toy story'];

  it('mean and CLS pooling give the hand-computable vectors, with and without normalisation', async () => {
    const dir = makeTempDir();
    await writeLookupModel(dir, tokenizer, { tokenTypes: true });
    const ids = texts.map((t) => tokenizer.encode(t).ids);
    const meanRaw = await createOnnxEncoder({ modelDir: dir, pooling: 'mean', normalize: false, intraOpThreads: 1, interOpThreads: 1 });
    expect(meanRaw.dimensions).toBe(2);
    expect(meanRaw.outputName).toBe('last_hidden_state');
    const m = await meanRaw.embed(texts, { batchSize: 2 });
    expect([m.rows, m.cols]).toEqual([2, 2]);
    for (let r = 0; r < 2; r++) {
      expect(m.data[r * 2]).toBeCloseTo(1, 6);
      // Padding of the shorter text is excluded from the mean.
      expect(m.data[r * 2 + 1]).toBeCloseTo(mean(ids[r]!), 5);
    }
    await meanRaw.dispose();

    const cls = await createOnnxEncoder({ modelDir: dir, pooling: 'cls', normalize: true });
    const c = await cls.embed(texts);
    const clsId = tokenizer.specialTokens.cls!;
    const norm = Math.hypot(1, clsId);
    expect(Array.from(c.data)).toEqual([1 / norm, clsId / norm, 1 / norm, clsId / norm].map((v) => expect.closeTo(v, 6)));
    await cls.dispose();
    await expect(cls.embed(texts)).rejects.toThrow(/was disposed/);
  });

  it('reads pooling and max length from the sentence-transformers files, and uses a sentence_embedding output as is', async () => {
    const dir = makeTempDir();
    await writeLookupModel(dir, tokenizer);
    fs.mkdirSync(path.join(dir, '1_Pooling'));
    fs.writeFileSync(path.join(dir, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: 2, pooling_mode_cls_token: false, pooling_mode_mean_tokens: true }));
    fs.writeFileSync(path.join(dir, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: 4, do_lower_case: false }));
    const encoder = await createOnnxEncoder({ modelDir: dir, normalize: false });
    expect([encoder.pooling, encoder.maxLength]).toEqual(['mean', 4]);
    const [row] = [await encoder.embed([texts[1]!])];
    const cut = tokenizer.encode(texts[1]!, { maxLength: 4 }).ids;
    expect(cut).toHaveLength(4);
    expect(row.data[1]).toBeCloseTo(mean(cut), 5);
    await encoder.dispose();

    const sentenceDir = makeTempDir();
    await writeLookupModel(sentenceDir, tokenizer, { sentence: true });
    const sentence = await createOnnxEncoder({ modelPath: path.join(sentenceDir, 'model.onnx'), tokenizerPath: path.join(sentenceDir, 'tokenizer.json'), normalize: false });
    expect(sentence.outputName).toBe('sentence_embedding');
    const s = await sentence.embed(['heat'], { batchSize: 1 });
    const heatIds = tokenizer.encode('heat').ids;
    expect(Array.from(s.data)).toEqual([heatIds.length, heatIds.reduce((a, b) => a + b, 0)]);
    await sentence.dispose();
  });

  it('reports missing files, a tokenizer that does not fit the model, and a dimension mismatch', async () => {
    const dir = makeTempDir();
    await expect(createOnnxEncoder({ modelDir: dir })).rejects.toThrow(ArtifactNotFoundError);
    await expect(createOnnxEncoder({ modelDir: dir })).rejects.toThrow(/ONNX model file \(model.onnx or onnx\/model.onnx\) not found/);
    await writeLookupModel(dir, tokenizer);
    fs.rmSync(path.join(dir, 'tokenizer.json'));
    await expect(createOnnxEncoder({ modelDir: dir })).rejects.toThrow(/Tokenizer file \(tokenizer.json\) not found/);
    await tokenizer.save(path.join(dir, 'tokenizer.json'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', vocab_size: tokenizer.vocabSize - 5 }));
    const mismatch = createOnnxEncoder({ modelDir: dir });
    await expect(mismatch).rejects.toThrow(ModelMismatchError);
    await expect(createOnnxEncoder({ modelDir: dir })).rejects.toThrow(`the tokenizer has ${tokenizer.vocabSize} ids but the model's embedding table has ${tokenizer.vocabSize - 5} rows`);
    fs.rmSync(path.join(dir, 'config.json'));
    const wrongWidth = createOnnxEncoder({ modelDir: dir, dimensions: 384 });
    await expect(wrongWidth).rejects.toThrow(DimensionMismatchError);
    await expect(createOnnxEncoder({ modelDir: dir, dimensions: 384 })).rejects.toThrow(/has dimension 2, but 384 is required/);
  });
});
