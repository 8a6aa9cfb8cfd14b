import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { createCarEncoder, formatEncoderSpec, parseEncoderSpec } from './car-encoder';

describe('parseEncoderSpec', () => {
  it('parses the four forms', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'car-spec-'));
    try {
      expect(parseEncoderSpec('pooled')).toEqual({ kind: 'pooled' });
      expect(parseEncoderSpec('scratch')).toEqual({ kind: 'scratch' });
      expect(parseEncoderSpec(`onnx:${dir}`)).toEqual({ kind: 'onnx', path: dir });
      expect(parseEncoderSpec(`bert:${dir}`)).toEqual({ kind: 'bert', path: dir });
      expect(formatEncoderSpec({ kind: 'bert', path: dir })).toBe(`bert:${dir}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown specs, empty paths and missing paths with clear errors', () => {
    expect(() => parseEncoderSpec('mpnet')).toThrow(InvalidOptionError);
    expect(() => parseEncoderSpec('mpnet')).toThrow('Invalid "encoder": must be "scratch", "pooled", "onnx:PATH" (a folder or .onnx file) or "bert:PATH" (a BERT folder), got "mpnet".');
    expect(() => parseEncoderSpec('onnx:')).toThrow('Invalid "encoder": "onnx:" needs a path after the colon, e.g. "onnx:models/all-MiniLM-L6-v2".');
    expect(() => parseEncoderSpec('bert:  ')).toThrow(/"bert:" needs a path/);
    const missing = path.join(os.tmpdir(), 'car-spec-does-not-exist', 'model.onnx');
    expect(() => parseEncoderSpec(`onnx:${missing}`)).toThrow(ArtifactNotFoundError);
    expect(() => parseEncoderSpec(`onnx:${missing}`)).toThrow(`The ONNX encoder (a model folder or .onnx file) of "onnx:${missing}" not found at ${missing}.`);
    expect(() => parseEncoderSpec(`bert:${missing}`)).toThrow(/The BERT encoder folder of ".*" not found at/);
  });

  it('creates a fresh small BERT for "scratch"', async () => {
    const created = await createCarEncoder({ spec: { kind: 'scratch' }, texts: ['"Quiet Galaxy (1990)"', '"Dark Galaxy (1991)"'], dimensions: 8, vocabSize: 200, maxLength: 16 });
    try {
      expect(created.trainable && created.encoder.architecture).toBe('bert');
      expect((await created.encoder.embed(['"Dark Galaxy (1991)"', '"Quiet"'])).rows).toBe(2);
    } finally {
      await created.encoder.dispose();
    }
  });

  it('creates a fresh pooled encoder whose tokenizer is trained on the corpus', async () => {
    const created = await createCarEncoder({ spec: { kind: 'pooled' }, texts: ['"Quiet Galaxy (1990)"', '"Dark Galaxy (1991)"'], dimensions: 8, vocabSize: 200 });
    try {
      expect(created.trainable).toBe(true);
      expect(created.encoder.dimensions).toBe(8);
      const vectors = await created.encoder.embed(['"Quiet Galaxy (1990)"']);
      expect(vectors.rows).toBe(1);
      let norm = 0;
      for (const value of vectors.data) norm += value * value;
      expect(norm).toBeCloseTo(1, 4);
    } finally {
      await created.encoder.dispose();
    }
  });
});
