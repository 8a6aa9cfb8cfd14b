import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError, InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from './config-error';
import { hashConfig } from './config-hash';
import { loadConfig } from './load-config';
import { parseOverride } from './parse-overrides';
import { STAGE_DEFINITIONS } from '../pipeline/stage-definitions';

function tempFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-config-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function errorOf(run: () => unknown): ConfigValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as ConfigValidationError;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('loadConfig', () => {
  it('resolves the built-in defaults (the paper\'s values) with no file', () => {
    const { config, hash } = loadConfig();
    expect(config.run).toEqual({ dir: 'runs/score', seed: 42, seedStages: [] });
    expect(config.data.source).toEqual({ kind: 'synthetic', seed: 42, users: 600, items: 800 });
    expect(config.data.protocol).toEqual({ kind: 'auto' });
    expect(config.crm).toMatchObject({ model: 'sasrec', hiddenSize: 64, blocks: 2, heads: 1, maxHistory: 25, dropout: 0.2, learningRate: 1e-2, weightDecay: 1e-4, batchSize: 1024, neighbours: 5 });
    expect(config.car).toMatchObject({ tau: 0.1, batchSize: 16, retrieved: 10 });
    expect(config.assess).toMatchObject({ llm: 'metadata', sample: 10000 });
    expect(config.sare).toMatchObject({ tau: 0.02, negativeThreshold: 5, negatives: 3, kept: 2 });
    expect(config.rec).toMatchObject({ model: 'scratch', kept: 2 });
    expect(config.eval).toMatchObject({ retrievedSweep: [5, 10, 15, 20], keptSweep: [1, 2, 3, 4] });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the key path of an unknown key, lists the valid keys, suggests the closest and names the file', () => {
    const file = tempFile('bad.yaml', 'crm:\n  hiden_size: 32\n');
    const error = errorOf(() => loadConfig({ file }));
    expect(error.field).toBe('crm.hiden_size');
    expect(error.message).toBe(
      `Invalid "crm.hiden_size": unknown key (did you mean "hiddenSize"?); valid keys are model, objective, hiddenSize, blocks, heads, maxHistory, dropout, learningRate, weightDecay, batchSize, epochs, patience, neighbours, baseline (in ${file}).`,
    );
    expect(errorOf(() => loadConfig({ values: { rec: { model: { base: '/m', lora: { rnk: 4 } } } } })).field).toBe('rec.model.lora.rnk');
    expect(errorOf(() => loadConfig({ values: { stages: {} } })).message).toContain('valid keys are run, data, crm, car, assess, sare, rec, eval');
  });

  it('names the field, the valid values and the bad value of type errors, every problem at once', () => {
    const error = errorOf(() => loadConfig({ values: { crm: { model: 'gru4rec', epochs: 'many', dropout: 1.5 }, car: { tau: 0 } } }));
    expect(error.problems.map((problem) => problem.path)).toEqual(['crm.model', 'crm.dropout', 'crm.epochs', 'car.tau']);
    expect(error.problems[0]!.message).toBe('must be one of "sasrec", "mf"; got "gru4rec" (in the config values)');
    expect(error.problems[1]!.message).toBe('must be < 1; got 1.5 (in the config values)');
    expect(error.problems[2]!.message).toBe('expected number, got "many" (in the config values)');
    expect(error.problems[3]!.message).toBe('must be > 0; got 0 (in the config values)');
    expect(error.message).toMatch(/^Invalid "crm\.model": must be one of "sasrec", "mf"; got "gru4rec" \(in the config values\)\. Also: crm\.dropout: /);

    expect(errorOf(() => loadConfig({ overrides: ['crm.blocks=1.5'] })).message).toBe('Invalid "crm.blocks": expected an integer, got 1.5 (from --set crm.blocks=1.5).');
    const kind = errorOf(() => loadConfig({ values: { data: { source: { kind: 'movielens' } } } }));
    expect(kind.field).toBe('data.source.kind');
    expect(kind.message).toContain('"kind" must be one of "synthetic", "ml-1m", "ml-100k", "amazon", "generic"; got "movielens"');
    const required = errorOf(() => loadConfig({ overrides: ['data.source.kind=ml-1m'] }));
    expect(required.message).toBe('Invalid "data.source.dir": is required (expected string) (from --set data.source.kind=ml-1m).');
    expect(errorOf(() => loadConfig({ values: { data: { protocol: 'months' } } })).field).toBe('data.protocol.trainMonths');
    expect(errorOf(() => loadConfig({ values: { car: { encoder: 'mpnet' } } })).message).toContain('must be "scratch", "pooled", "onnx:PATH" or "bert:PATH" (PATH a model folder, or "model:NAME" for a registry model such as model:all-minilm-l6-v2); got "mpnet"');
    expect(errorOf(() => loadConfig({ values: { sare: { encoder: 'bert:model:' } } })).field).toBe('sare.encoder');
    expect(loadConfig({ values: { car: { encoder: 'bert:model:all-minilm-l6-v2' }, assess: { embedder: 'onnx:model:all-minilm-l6-v2' } } }).config.car.encoder).toBe('bert:model:all-minilm-l6-v2');
    expect(errorOf(() => loadConfig({ values: { rec: { model: 42 } } })).message).toContain('must be "scratch", { base, lora } or a backend spec');
    expect(errorOf(() => loadConfig({ values: { rec: { model: 'gpt' } } })).message).toContain('got "gpt"');
    expect(errorOf(() => loadConfig({ values: { eval: { keptSweep: [] } } })).message).toContain('must have at least 1 entries');
  });

  it('reads rec.model.prefixBackend (the top-k route\'s cache pass on tfjs or onnxruntime) and rejects other values', () => {
    const model = (prefixBackend?: string) => loadConfig({ values: { rec: { model: { base: 'model:smollm2-135m-instruct', topBlocks: 2, ...(prefixBackend === undefined ? {} : { prefixBackend }) } } } }).config.rec.model;
    expect(model('onnx')).toMatchObject({ topBlocks: 2, prefixBackend: 'onnx' });
    expect(model()).not.toHaveProperty('prefixBackend'); // absent: tfjs, and the config hash of existing runs is unchanged
    const error = errorOf(() => model('gpu'));
    expect(error.field).toBe('rec.model.prefixBackend');
    expect(error.message).toContain('"tfjs", "onnx"; got "gpu"');
  });

  it('reads car/sare.maxTokens and trainLayers: absent by default (stage inputs and hashes unchanged), checked alone and against the encoder', () => {
    const { config, hash } = loadConfig();
    for (const stage of ['car', 'sare'] as const) {
      expect(config[stage]).not.toHaveProperty('maxTokens');
      expect(config[stage]).not.toHaveProperty('trainLayers');
      expect(Object.keys(STAGE_DEFINITIONS[stage].inputs!(config).config as Record<string, Record<string, unknown>>)).toContain(stage);
      expect(JSON.stringify(STAGE_DEFINITIONS[stage].inputs!(config))).not.toMatch(/maxTokens|trainLayers/);
    }
    const bert = 'bert:model:all-minilm-l6-v2';
    const tuned = loadConfig({ values: { car: { encoder: bert, maxTokens: 128, trainLayers: 2 }, sare: { encoder: 'scratch', maxTokens: 64, trainLayers: 1 } } });
    expect(tuned.config.car).toMatchObject({ maxTokens: 128, trainLayers: 2 });
    expect(tuned.config.sare).toMatchObject({ maxTokens: 64, trainLayers: 1 });
    expect(tuned.hash).not.toBe(hash);
    expect(loadConfig({ values: { car: { maxTokens: 64 } } }).config.car.maxTokens).toBe(64); // pooled takes a length
    expect(errorOf(() => loadConfig({ overrides: ['car.maxTokens=4'] })).field).toBe('car.maxTokens');
    expect(errorOf(() => loadConfig({ overrides: ['sare.trainLayers=0'] })).field).toBe('sare.trainLayers');
    expect(errorOf(() => loadConfig({ overrides: ['sare.maxTokens=12.5'] })).field).toBe('sare.maxTokens');
    const pooled = errorOf(() => loadConfig({ overrides: ['car.trainLayers=1'] }));
    expect(pooled.field).toBe('car.trainLayers');
    expect(pooled.message).toContain('applies to a BERT encoder (scratch, bert:PATH), whose top layers it fine-tunes; car.encoder is "pooled"');
    expect(errorOf(() => loadConfig({ values: { sare: { trainLayers: 2 } } })).field).toBe('sare.trainLayers');
    expect(errorOf(() => loadConfig({ values: { car: { encoder: 'onnx:model:all-minilm-l6-v2', maxTokens: 64 } } })).message).toContain('Invalid "car.maxTokens": applies to a scratch, pooled or bert:PATH encoder');
  });

  it('reads car.maxItems and car/sare.learningRate: absent by default, checked', () => {
    const { config } = loadConfig();
    expect(config.car).not.toHaveProperty('maxItems');
    for (const stage of ['car', 'sare'] as const) expect(config[stage]).not.toHaveProperty('learningRate');
    const set = loadConfig({ overrides: ['car.maxItems=10', 'car.learningRate=1e-4', 'sare.learningRate=5e-5'] }).config;
    expect([set.car.maxItems, set.car.learningRate, set.sare.learningRate]).toEqual([10, 1e-4, 5e-5]);
    expect(errorOf(() => loadConfig({ overrides: ['car.maxItems=0'] })).field).toBe('car.maxItems');
    expect(errorOf(() => loadConfig({ overrides: ['car.learningRate=-1'] })).field).toBe('car.learningRate');
    expect(errorOf(() => loadConfig({ overrides: ['sare.learningRate=0'] })).field).toBe('sare.learningRate');
  });

  it('rejects keys that only conflict together: an empty pretraining corpus', () => {
    const error = errorOf(() => loadConfig({ overrides: ['rec.pretrainBehaviourTexts=false', 'rec.pretrainItemTexts=false'] }));
    expect(error.field).toBe('rec.pretrainBehaviourTexts');
    expect(error.message).toBe('Invalid "rec.pretrainBehaviourTexts": is false and so is rec.pretrainItemTexts, which leaves the pretraining corpus empty; set either to true, or rec.pretrainEpochs to 0.');
    expect(loadConfig({ overrides: ['rec.pretrainBehaviourTexts=false', 'rec.pretrainItemTexts=false', 'rec.pretrainEpochs=0'] }).config.rec.pretrainEpochs).toBe(0);
    expect(loadConfig({ overrides: ['rec.pretrainBehaviourTexts=false'] }).config.rec.pretrainItemTexts).toBe(true);
  });

  it('layers built-in defaults < file < values < --set overrides', () => {
    const file = tempFile('layers.yaml', 'crm:\n  epochs: 7\n  hiddenSize: 32\n  batchSize: 256\ncar:\n  retrieved: 15\n');
    const { config } = loadConfig({ file, values: { crm: { hiddenSize: 48, batchSize: 128 } }, overrides: ['crm.batchSize=64', 'eval.keptSweep=[1, 2]', 'data.domain=books'] });
    expect(config.crm.heads).toBe(1); // default
    expect(config.crm.epochs).toBe(7); // file
    expect(config.car.retrieved).toBe(15); // file
    expect(config.crm.hiddenSize).toBe(48); // values over file
    expect(config.crm.batchSize).toBe(64); // --set over values and file
    expect(config.eval.keptSweep).toEqual([1, 2]);
    expect(config.data.domain).toBe('books');
    // A later --set wins, and null removes a key (back to the file's value, then the default).
    expect(loadConfig({ file, overrides: ['crm.epochs=3', 'crm.epochs=4'] }).config.crm.epochs).toBe(4);
    expect(loadConfig({ file, overrides: ['crm.epochs=null'] }).config.crm.epochs).toBe(50);
    // A file's data source is replaced as a whole by another kind's keys only where they are given.
    const source = loadConfig({ values: { data: { source: { kind: 'ml-1m', dir: 'data/ml-1m' } } }, overrides: ['data.source.dir=/mnt/ml-1m'] });
    expect(source.config.data.source).toEqual({ kind: 'ml-1m', dir: '/mnt/ml-1m' });
    expect(loadConfig({ values: { sare: { kept: 1 } } }).config.rec.kept).toBe(1);
    expect(loadConfig({ values: { sare: { kept: 1 }, rec: { kept: 3 } } }).config.rec.kept).toBe(3);
  });

  it('reads YAML and JSON by extension or content, and reports parse errors with the line', () => {
    const json = tempFile('config.json', '{ "crm": { "epochs": 9 }, "data": { "protocol": "ml-1m" } }');
    expect(loadConfig({ file: json }).config.crm.epochs).toBe(9);
    expect(loadConfig({ file: json }).config.data.protocol).toEqual({ kind: 'ml-1m' });
    expect(loadConfig({ file: tempFile('config', '{"car": {"tau": 0.05}}') }).config.car.tau).toBe(0.05);
    expect(loadConfig({ file: tempFile('config.conf', 'car:\n  tau: 0.2\n') }).config.car.tau).toBe(0.2);
    expect(loadConfig({ file: tempFile('empty.yaml', '# nothing yet\n') }).config.crm.epochs).toBe(50);

    const yaml = tempFile('broken.yaml', 'crm:\n  epochs: 3\n  epochs: 4\n');
    expect(() => loadConfig({ file: yaml })).toThrow(DataFormatError);
    expect(() => loadConfig({ file: yaml })).toThrow(new RegExp(`^${yaml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, line 3: the file is not valid YAML: Map keys must be unique`));
    const badJson = tempFile('broken.json', '{\n  "crm": {\n    "epochs": 3,\n  }\n}\n');
    const error = (() => {
      try {
        loadConfig({ file: badJson });
      } catch (caught) {
        return caught as DataFormatError;
      }
    })()!;
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error.line).toBe(4);
    expect(() => loadConfig({ file: tempFile('list.yaml', '- crm\n- car\n') })).toThrow(/the top level must be a mapping of sections/);
    expect(() => loadConfig({ file: path.join(os.tmpdir(), 'no-such-config.yaml') })).toThrow(ArtifactNotFoundError);
  });

  it('parses --set values with their types and rejects malformed ones', () => {
    expect(parseOverride('crm.epochs=3').value).toBe(3);
    expect(parseOverride('crm.dropout=0.25').value).toBe(0.25);
    expect(parseOverride('crm.learningRate=1e-3').value).toBe(0.001);
    expect(parseOverride('data.protocol.inclusive=true').value).toBe(true);
    expect(parseOverride('eval.retrievedSweep=[5, 15]').value).toEqual([5, 15]);
    expect(parseOverride('assess.llm=openai:http://127.0.0.1:8000/v1#glm').value).toBe('openai:http://127.0.0.1:8000/v1#glm');
    expect(parseOverride('run.dir=runs/a b').value).toBe('runs/a b');
    expect(parseOverride('data.domain=').value).toBe('');
    expect(parseOverride('data.domain=null').value).toBeNull();
    expect(parseOverride('crm.epochs=3').path).toEqual(['crm', 'epochs']);
    expect(() => parseOverride('crm.epochs')).toThrow('Invalid "--set": "crm.epochs" is not of the form key.path=value (e.g. --set crm.epochs=3).');
    expect(() => parseOverride('crm..epochs=3')).toThrow(/is not a dotted key path/);
  });

  it('hashes the resolved config stably: key order and equal defaults do not matter, values do', () => {
    const a = tempFile('a.yaml', 'crm:\n  epochs: 3\n  heads: 1\ncar:\n  tau: 0.1\n');
    const b = tempFile('b.json', '{"car": {"tau": 0.1}, "crm": {"heads": 1, "epochs": 3}}');
    const hashA = loadConfig({ file: a }).hash;
    expect(loadConfig({ file: b }).hash).toBe(hashA);
    expect(loadConfig({ values: { crm: { epochs: 3 } } }).hash).toBe(hashA);
    expect(loadConfig({ values: { crm: { epochs: 3 }, data: { protocol: 'auto' } } }).hash).toBe(hashA);
    expect(loadConfig({ values: { crm: { epochs: 4 } } }).hash).not.toBe(hashA);
    expect(hashA).toBe(hashConfig(loadConfig({ file: a }).config));
    expect(hashConfig({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe(hashConfig({ a: [1, { c: 3, d: 2 }], b: 1 }));
    expect(hashConfig({ a: 1, b: undefined })).toBe(hashConfig({ a: 1 }));
    expect(hashConfig([1, 2])).not.toBe(hashConfig([2, 1]));
  });
});
