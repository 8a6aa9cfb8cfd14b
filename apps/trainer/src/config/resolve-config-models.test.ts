import { pullModel } from '@score/model-hub';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../test-helpers';
import { ConfigValidationError } from './config-error';
import { loadConfig } from './load-config';
import { resolveStageModels } from './resolve-config-models';

describe('model:NAME in a run config', () => {
  it('passes validation and becomes the pulled path in the keys the stage opens, nowhere else', async () => {
    const gguf = (await pullModel('smollm2-135m-instruct')).path;
    const encoder = (await pullModel('all-minilm-l6-v2')).path;
    const { config, hash } = loadConfig({
      values: {
        assess: { llm: 'llamacpp:model:smollm2-135m-instruct', embedder: 'bert:model:all-minilm-l6-v2' },
        car: { encoder: 'bert:model:all-minilm-l6-v2' },
        sare: { encoder: 'pooled' },
        rec: { model: { base: 'model:smollm2-135m-instruct' } },
      },
    });
    const assess = await resolveStageModels(config, 'assess');
    expect(assess.assess).toMatchObject({ llm: `llamacpp:${gguf}`, embedder: `bert:${encoder}` });
    expect(assess.car.encoder).toBe('bert:model:all-minilm-l6-v2');
    expect((await resolveStageModels(config, 'car')).car.encoder).toBe(`bert:${encoder}`);
    expect((await resolveStageModels(config, 'rec')).rec.model).toMatchObject({ base: gguf, lora: { rank: 8 } });
    // Nothing to resolve: the same object; and the run's config (and its hash) keep model:NAME.
    expect(await resolveStageModels(config, 'sare')).toBe(config);
    expect(config.assess.llm).toBe('llamacpp:model:smollm2-135m-instruct');
    expect(loadConfig({ values: { assess: { llm: 'llamacpp:model:smollm2-135m-instruct', embedder: 'bert:model:all-minilm-l6-v2' }, car: { encoder: 'bert:model:all-minilm-l6-v2' }, rec: { model: { base: 'model:smollm2-135m-instruct' } } } }).hash).toBe(hash);
  });

  it('refuses an unknown model name when the config is loaded, naming the key and the known models', async () => {
    const error = await runCli(['run', '--run-dir', tempDir(), '--set', 'car.encoder=bert:model:minilm', '--set', 'rec.model.base=model:llama', '--quiet']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    expect(message).toContain('car.encoder');
    expect(message).toContain('names the unknown model "minilm" in "bert:model:minilm"; known models: smollm2-135m-instruct, gemma3-270m, all-minilm-l6-v2');
    expect(message).toContain('rec.model.base');
  });
});
