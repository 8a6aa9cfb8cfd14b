import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CONFIG } from '../commands/demo';
import { loadConfig } from './load-config';

const CONFIGS = path.resolve(import.meta.dirname, '../../../../configs');

describe('the example configs in configs/', () => {
  it('are the five documented ones', () => {
    expect(fs.readdirSync(CONFIGS).filter((name) => name.endsWith('.yaml')).sort()).toEqual(['amazon-games.yaml', 'demo-pretrained.yaml', 'demo.yaml', 'ml-1m-generic.yaml', 'ml-1m.yaml']);
  });

  it('demo-pretrained.yaml: the synthetic demo on the registry\'s pretrained models, sized down to fit 30 minutes', () => {
    const { config } = loadConfig({ file: path.join(CONFIGS, 'demo-pretrained.yaml') });
    const demo = loadConfig({ file: path.join(CONFIGS, 'demo.yaml') }).config;
    expect(config.data).toEqual(demo.data);
    expect(config.rec.model).toMatchObject({ base: 'model:smollm2-135m-instruct', topBlocks: 2, prefixBackend: 'onnx' });
    expect(config.car.encoder).toBe('bert:model:all-minilm-l6-v2');
    expect(config.assess.llm).toBe('llamacpp:model:smollm2-135m-instruct');
    expect(config.rec).toMatchObject({ variants: ['basic', 'score'], epochs: 1, trainRows: 300, validRows: 100 });
    expect(config.eval).toMatchObject({ maxRows: 300, retrievedSweep: [10], keptSweep: [2], retrainSweeps: false, zeroShot: { llm: 'rec', variants: ['basic', 'score'] } });
  });

  it('demo.yaml: the synthetic default', () => {
    const { config } = loadConfig({ file: path.join(CONFIGS, 'demo.yaml') });
    expect(config.data.source).toEqual({ kind: 'synthetic', seed: 42, users: 600, items: 800, clusterItemTaste: 1 });
    expect(config.run.dir).toBe('runs/demo');
    expect(config.assess.llm).toBe('metadata');
    expect(config.rec.model).toBe('scratch');
    // `score-train demo` runs the embedded DEMO_CONFIG: the file must resolve to the same config.
    expect(loadConfig({ values: DEMO_CONFIG as unknown as Record<string, unknown> }).hash).toBe(loadConfig({ file: path.join(CONFIGS, 'demo.yaml') }).hash);
  });

  it('ml-1m.yaml: native files, the 10/5/5 protocol and the paper\'s hyperparameters', () => {
    const { config } = loadConfig({ file: path.join(CONFIGS, 'ml-1m.yaml') });
    expect(config.data.source).toEqual({ kind: 'ml-1m', dir: 'data/ml-1m' });
    expect(config.data.protocol).toEqual({ kind: 'ml-1m' });
    expect(config.crm).toMatchObject({ hiddenSize: 64, learningRate: 0.01, weightDecay: 0.0001, batchSize: 1024, neighbours: 5 });
    expect(config.car).toMatchObject({ tau: 0.1, batchSize: 16, retrieved: 10 });
    expect(config.sare).toMatchObject({ tau: 0.02, negativeThreshold: 5, negatives: 3, kept: 2 });
    expect(config.rec.model).toEqual({ base: 'model:smollm2-135m-instruct', lora: { rank: 8, alpha: 32, dropout: 0.1, targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] }, topBlocks: 4 });
    expect(config.assess).toMatchObject({ sample: 10000, llm: 'llamacpp:model:smollm2-135m-instruct' });
  });

  it('the paper configs score whole splits and retrain at every sweep point; the demo samples and says so', () => {
    for (const name of ['ml-1m.yaml', 'ml-1m-generic.yaml', 'amazon-games.yaml']) {
      const { config } = loadConfig({ file: path.join(CONFIGS, name) });
      expect(config.eval.maxRows, name).toBeUndefined();
      expect(config.eval.retrainSweeps, name).toBe(true);
      expect(config.eval).toMatchObject({ bootstrapSamples: 1000, confidence: 0.95 });
    }
    const demo = loadConfig({ file: path.join(CONFIGS, 'demo.yaml') }).config;
    expect(demo.eval).toMatchObject({ maxRows: 1000, retrainSweeps: false });
    expect(demo.run.seeds).toBeUndefined();
  });

  it('ml-1m-generic.yaml: generic CSV files with a split column', () => {
    const { config } = loadConfig({ file: path.join(CONFIGS, 'ml-1m-generic.yaml') });
    expect(config.data.source).toEqual({ kind: 'generic', interactions: 'data/ml-1m-csv/interactions.csv', items: 'data/ml-1m-csv/items.csv', format: 'csv' });
    expect(config.data.protocol).toEqual({ kind: 'given-split', threshold: 3, inclusive: false });
  });

  it('amazon-games.yaml: the Amazon-Games protocol and K_s = 1', () => {
    const { config } = loadConfig({ file: path.join(CONFIGS, 'amazon-games.yaml') });
    expect(config.data.source.kind).toBe('amazon');
    expect(config.data.protocol).toEqual({ kind: 'amazon-games' });
    expect(config.data.domain).toBe('games');
    expect(config.sare.kept).toBe(1);
    expect(config.rec.kept).toBe(1);
  });
});
