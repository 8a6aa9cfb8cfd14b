import fs from 'node:fs';
import path from 'node:path';
import { listModels, modelNameOfSpec } from '@score/model-hub';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config';

const CONFIGS = path.resolve(import.meta.dirname, '../../../../configs');
const PAPER_CONFIGS = ['ml-1m.yaml', 'ml-1m-generic.yaml', 'amazon-games.yaml'];

/** The registry model a config key names (`bert:model:NAME`, `llamacpp:model:NAME`, `model:NAME`), or undefined. */
function registryName(spec: unknown): string | undefined {
  return typeof spec === 'string' ? modelNameOfSpec(spec) : undefined;
}

// Issue 17, point 3: where the paper uses a pretrained model, the real-data configs name a model of
// the registry, and say in a comment which paper model it stands in for.
describe('the real-data configs use registry models where the paper uses pretrained ones', () => {
  const known = listModels().map((entry) => entry.name);

  it.each(PAPER_CONFIGS)('%s: every model key resolves to a registry name', (name) => {
    const { config } = loadConfig({ file: path.join(CONFIGS, name) });
    const rec = config.rec.model;
    const names = {
      'car.encoder': registryName(config.car.encoder),
      'assess.llm': registryName(config.assess.llm),
      'assess.embedder': registryName(config.assess.embedder),
      'sare.encoder': registryName(config.sare.encoder),
      'rec.model.base': typeof rec === 'object' ? registryName(rec.base) : undefined,
      'eval.zeroShot.llm': registryName(config.eval.zeroShot?.llm),
    };
    expect(names).toEqual({
      'car.encoder': 'all-minilm-l6-v2',
      'assess.llm': 'smollm2-135m-instruct',
      'assess.embedder': 'all-minilm-l6-v2',
      'sare.encoder': 'all-minilm-l6-v2',
      'rec.model.base': 'smollm2-135m-instruct',
      'eval.zeroShot.llm': 'smollm2-135m-instruct',
    });
    for (const model of Object.values(names)) expect(known).toContain(model);
    // The encoders are fine-tuned (bert:), the assessor runs in llama.cpp, the rec LM is LoRA-tuned on the top blocks.
    expect(config.car.encoder).toBe('bert:model:all-minilm-l6-v2');
    expect(config.assess.llm).toBe('llamacpp:model:smollm2-135m-instruct');
    expect(rec).toMatchObject({ lora: { rank: 8, alpha: 32, dropout: 0.1 }, topBlocks: 4 });
  });

  it.each(PAPER_CONFIGS)('%s: the comments name the paper model each stands in for', (name) => {
    const text = fs.readFileSync(path.join(CONFIGS, name), 'utf8');
    for (const paperModel of ['mpnet-base', 'bge-reranker-large', 'GLM-4-Plus', 'Llama-3.1-8B-Instruct']) expect(text, `${name} names ${paperModel}`).toContain(paperModel);
    // No hand-downloaded model folders are needed any more.
    expect(text).not.toMatch(/^\s*(encoder|embedder|base):\s*(bert:)?models\//m);
  });

  it('an unknown model name in eval.zeroShot.llm fails when the config is loaded', () => {
    expect(() => loadConfig({ values: { eval: { zeroShot: { llm: 'llamacpp:model:no-such-model' } } } })).toThrow(/eval\.zeroShot\.llm.*no-such-model/s);
  });
});
