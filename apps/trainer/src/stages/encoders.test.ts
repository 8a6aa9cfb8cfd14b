import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError, silentLogger } from '@score/core';
import { createBertEncoder, ONNX_EXPORT_RECORD, trainTokenizer } from '@score/text-encoders';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import type { StageContext } from '../pipeline/stage';
import { resolveModelSpec } from '@score/model-hub';
import { resolveStageModels } from '../config/resolve-config-models';
import { createStageRegistry } from '../pipeline/stage-registry';
import { checkEncoderSpec, openFixedEmbedder } from './encoders';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'score-trainer-encoders-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function errorOf(run: () => unknown): InvalidOptionError {
  try {
    run();
  } catch (error) {
    return error as InvalidOptionError;
  }
  throw new Error('expected an error');
}

function context(values: Record<string, unknown> = {}): StageContext {
  const missing = (stage: string): never => {
    throw new ArtifactNotFoundError(path.join(temp, stage), `The ${stage} stage`);
  };
  return {
    name: 'assess',
    config: loadConfig({ values }).config,
    configHash: '',
    runDir: temp,
    outputDir: path.join(temp, 'out'),
    stageDir: missing,
    artifact: missing,
    logger: silentLogger,
    onProgress: () => {},
    signal: new AbortController().signal,
    seed: 7,
  };
}

describe('encoder specs of the trainer', () => {
  it('encoders.inference: tfjs by default; onnx reruns the stages whose encoders embed, and opens bert:FOLDER on onnxruntime', async () => {
    const base = loadConfig({}).config;
    expect(base.encoders.inference).toBe('tfjs');
    const onnx = loadConfig({ values: { encoders: { inference: 'onnx' } } }).config;
    const stages = createStageRegistry().stages();
    expect(stages.filter((stage) => JSON.stringify(stage.inputs(base)) !== JSON.stringify(stage.inputs(onnx))).map((stage) => stage.name)).toEqual(['car', 'assess', 'sare', 'rec', 'eval']);
    expect(stages.filter((stage) => JSON.stringify(stage.inputs(base)) !== JSON.stringify(stage.inputs(loadConfig({ values: { encoders: { inference: 'tfjs' } } }).config)))).toEqual([]);
    expect(errorOf(() => loadConfig({ values: { encoders: { inference: 'gpu' } } })).field).toBe('encoders.inference');
    // The configs on pretrained MiniLM run it on onnxruntime; the from-scratch demo keeps tfjs.
    const configs = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'configs');
    for (const name of ['demo-pretrained', 'ml-1m', 'ml-1m-generic', 'amazon-games', 'demo']) {
      expect([name, loadConfig({ file: path.join(configs, `${name}.yaml`) }).config.encoders.inference]).toEqual([name, name === 'demo' ? 'tfjs' : 'onnx']);
    }

    const texts = ['The user watched Heat, Casino.', 'The user watched Toy Story, Jumanji.', 'Slow-paced dramas with strong leads.'];
    const tokenizer = trainTokenizer({ texts, vocabSize: 120, kind: 'wordpiece' });
    const bert = await createBertEncoder({ tokenizer, hidden: 32, layers: 1, heads: 2, maxLength: 32, seed: 4 });
    const folder = path.join(temp, 'tiny-bert-inference');
    await bert.save(folder);
    const expected = await bert.embed(texts);
    bert.dispose();
    const byTfjs = await openFixedEmbedder(`bert:${folder}`, context(), texts);
    const byOnnx = await openFixedEmbedder(`bert:${folder}`, context({ encoders: { inference: 'onnx' } }), texts);
    try {
      expect(byTfjs).toHaveProperty('architecture', 'bert');
      expect(byOnnx).not.toHaveProperty('architecture');
      expect([byTfjs.modelId, byOnnx.modelId]).toEqual(['bert:tiny-bert-inference', 'bert:tiny-bert-inference']);
      expect(fs.existsSync(path.join(folder, 'onnx', 'model.onnx'))).toBe(true);
      const [a, b] = [await byTfjs.embed(texts), await byOnnx.embed(texts)];
      for (let i = 0; i < a.data.length; i++) {
        expect(a.data[i]).toBe(expected.data[i]);
        expect(Math.abs(b.data[i]! - expected.data[i]!)).toBeLessThan(1e-4);
      }
    } finally {
      await byTfjs.dispose();
      await byOnnx.dispose();
    }
  });

  it('passes folder specs through, and names the field and the valid forms for a bad one', async () => {
    expect(checkEncoderSpec('pooled', 'car.encoder')).toBe('pooled');
    expect(checkEncoderSpec('bert: /models/minilm', 'car.encoder')).toBe('bert:/models/minilm');
    expect(checkEncoderSpec('car', 'assess.embedder')).toBe('car');
    const bad = errorOf(() => checkEncoderSpec('car', 'sare.encoder'));
    expect(bad).toBeInstanceOf(InvalidOptionError);
    expect(bad.field).toBe('sare.encoder');
    expect(bad.message).toContain('"onnx:model:NAME", "bert:PATH" or "bert:model:NAME"');
    expect(() => checkEncoderSpec('onnx: ', 'car.encoder')).toThrow(/"onnx:" needs a folder or "model:NAME"/);
    // model:NAME is resolved once, by the pipeline (resolveStageModels); a stage refuses an unresolved one.
    expect(errorOf(() => checkEncoderSpec('bert:model:all-minilm-l6-v2', 'car.encoder')).message).toMatch(/registry model that was not resolved/);
    const config = loadConfig({}).config;
    await expect(resolveStageModels({ ...config, car: { ...config.car, encoder: 'bert:model:' } }, 'car')).rejects.toThrow(/names no model after "model:"/);
    // The registry names the models it knows.
    await expect(resolveStageModels({ ...config, assess: { ...config.assess, embedder: 'onnx:model:no-such-encoder' } }, 'assess')).rejects.toThrow(/all-minilm-l6-v2/);
    expect(errorOf(() => loadConfig({ values: { assess: { embedder: 'bert:' } } })).field).toBe('assess.embedder');
  });

  it('opens onnx:FOLDER of a safetensors-only BERT as the frozen TxtEmb, exporting the ONNX graph once', async () => {
    const texts = ['The user watched Heat, Casino.', 'The user watched Toy Story, Jumanji.', 'Slow-paced dramas with strong leads.'];
    const tokenizer = trainTokenizer({ texts, vocabSize: 120, kind: 'wordpiece' });
    const bert = await createBertEncoder({ tokenizer, hidden: 32, layers: 1, heads: 2, maxLength: 32, seed: 3 });
    const folder = path.join(temp, 'tiny-bert');
    await bert.save(folder);
    const expected = await bert.embed(texts);
    bert.dispose();
    const embedder = await openFixedEmbedder(`onnx:${folder}`, context(), texts);
    try {
      expect(embedder.modelId).toBe('onnx:tiny-bert');
      expect(fs.existsSync(path.join(folder, 'onnx', ONNX_EXPORT_RECORD))).toBe(true);
      const got = await embedder.embed(texts);
      expect(got.cols).toBe(32);
      for (let i = 0; i < got.data.length; i++) expect(got.data[i]).toBeCloseTo(expected.data[i]!, 4);
    } finally {
      await embedder.dispose();
    }
  });

  it('opens the registry model all-MiniLM-L6-v2 as onnx:model:NAME (frozen, exported once) and bert:model:NAME (trainable), with the reference embedding', async () => {
    // The first 8 components of all-MiniLM-L6-v2's embedding of this text, from the numpy reference
    // (libs/text-encoders/reference/bert_reference.py; fixture minilm-reference.json, text 1).
    const reference = [0.0332416, 0.00440606, -0.00627694, 0.0483787, -0.138702, -0.0336174, 0.101128, -0.054385];
    const texts = ['A man is eating food.', 'A man is eating a piece of bread.', 'The stock market fell sharply today.'];
    for (const spec of ['onnx:model:all-minilm-l6-v2', 'bert:model:all-minilm-l6-v2']) {
      // As the pipeline hands it to the stage: model:NAME resolved to the pulled folder.
      const embedder = await openFixedEmbedder(await resolveModelSpec(spec), context(), texts);
      try {
        expect(embedder.modelId.startsWith(spec.slice(0, 5))).toBe(true);
        const vectors = await embedder.embed(texts);
        expect(vectors.cols).toBe(384);
        reference.forEach((value, c) => expect(Math.abs(vectors.data[c]! - value), `${spec} component ${c}`).toBeLessThan(2e-4));
        const cos = (a: number, b: number) => vectors.data.subarray(a * 384, a * 384 + 384).reduce((sum, x, i) => sum + x * vectors.data[b * 384 + i]!, 0);
        expect(cos(0, 1)).toBeGreaterThan(cos(0, 2) + 0.2);
      } finally {
        await embedder.dispose();
      }
    }
  }, 300_000);
});
