import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, ModelMismatchError } from '@score/core';
import { initTensorflow } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRecommender } from './load-recommender';
import { createSasrec } from './sasrec';
import { makeSequentialDataset } from './test-fixtures/in-memory-dataset';

describe('loadRecommender', () => {
  let dir: string;
  beforeAll(async () => {
    await initTensorflow();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-load-'));
    const model = createSasrec({ hiddenSize: 8, blocks: 1, maxHistory: 4, epochs: 1 });
    await model.fit(makeSequentialDataset({ users: 12, items: 15, rowsPerUser: 8 }));
    await model.save(dir);
    model.dispose();
  });

  function copyWithConfig(edit: (config: Record<string, unknown>) => void): string {
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'score-load-edit-'));
    fs.copyFileSync(path.join(dir, 'model.safetensors'), path.join(target, 'model.safetensors'));
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    edit(config);
    fs.writeFileSync(path.join(target, 'config.json'), JSON.stringify(config));
    return target;
  }

  it('rejects a checkpoint of another model or with other options than requested', () => {
    expect(() => loadRecommender(dir, { model: 'mf' })).toThrow(ModelMismatchError);
    expect(() => loadRecommender(dir, { model: 'mf' })).toThrow(/holds a "sasrec" model, but a "mf" model was requested/);
    expect(() => loadRecommender(dir, { options: { hiddenSize: 64 } })).toThrow(/was saved with hiddenSize = 8, but 64 was requested/);
    loadRecommender(dir, { model: 'sasrec', options: { hiddenSize: 8 } }).dispose();
  });

  it('rejects weights that do not match the config, foreign configs and missing files', () => {
    const wider = copyWithConfig((config) => ((config['options'] as Record<string, unknown>)['hiddenSize'] = 16));
    expect(() => loadRecommender(wider)).toThrow(/tensor "item_embedding" has shape \[16,8\], but the model's config needs \[16,16\]/);
    const deeper = copyWithConfig((config) => ((config['options'] as Record<string, unknown>)['blocks'] = 2));
    expect(() => loadRecommender(deeper)).toThrow(/the checkpoint has no tensor "blocks.1.attention_norm.gamma"/);
    const foreign = copyWithConfig((config) => (config['format'] = 'keras'));
    expect(() => loadRecommender(foreign)).toThrow(/is not a recommender config/);
    const unknown = copyWithConfig((config) => (config['model'] = 'lightgcn'));
    expect(() => loadRecommender(unknown)).toThrow(/names model "lightgcn"; this package loads "sasrec" and "mf"/);
    const badOptions = copyWithConfig((config) => ((config['options'] as Record<string, unknown>)['dropout'] = 2));
    expect(() => loadRecommender(badOptions)).toThrow(ModelMismatchError);
    expect(() => loadRecommender(path.join(dir, 'nothing-here'))).toThrow(ArtifactNotFoundError);
  });
});
