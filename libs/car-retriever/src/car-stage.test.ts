import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dataset } from '@score/core';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { createBertEncoder, exportBertToOnnx, trainTokenizer } from '@score/text-encoders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBehaviourCorpus } from './behaviour-corpus';
import { runCarStage, type CarStageResult } from './car-stage';
import type { CorpusRetriever } from './corpus-retriever';
import { LanceVectorIndex } from './lance-vector-index';
import { loadCarRetriever } from './load-car-retriever';
import { writeNeighboursFile } from './neighbours-file';
import { itemSetNeighbours } from './test-fixtures/item-set-neighbours';

const DAY = 86_400;

describe('runCarStage and loadCarRetriever', () => {
  let root: string;
  let dataset: Dataset;
  let neighboursFile: string;
  let result: CarStageResult;
  const stageDir = () => path.join(root, 'car');

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'car-stage-'));
    const prepared = await generateSyntheticDataset({ users: 60, items: 120, seed: 5, minInteractionsPerUser: 10, maxInteractionsPerUser: 30 });
    await saveDataset(prepared, path.join(root, 'prepare'));
    dataset = prepared;
    neighboursFile = path.join(root, 'crm-neighbours.json');
    writeNeighboursFile(neighboursFile, itemSetNeighbours(dataset, 5));
    result = await runCarStage({
      datasetDir: path.join(root, 'prepare'),
      neighboursFile,
      outputDir: stageDir(),
      encoder: 'pooled',
      epochs: 2,
      dimensions: 16,
      vocabSize: 400,
      retrieved: 5,
      validationFraction: 0.2,
      snapshots: { everySeconds: 60 * DAY },
    });
  }, 60_000);

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes the encoders, both indexes, the neighbours, car.json and metrics.json', async () => {
    const files = (dir: string) => fs.readdirSync(path.join(stageDir(), dir)).sort();
    expect(fs.readdirSync(stageDir()).sort()).toEqual(['car.json', 'encoder', 'encoder-base', 'index', 'index-base', 'metrics.json', 'neighbours.json']);
    expect(files('encoder')).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']));
    expect(files('encoder-base')).toEqual(files('encoder'));
    for (const dir of ['index', 'index-base']) {
      const index = await LanceVectorIndex.create({ dir: path.join(stageDir(), dir), mode: 'open' });
      expect(index.dimensions).toBe(16);
      expect(await index.count()).toBe(result.corpus.entries);
      await index.close();
    }
    const metrics = JSON.parse(fs.readFileSync(path.join(stageDir(), 'metrics.json'), 'utf8')) as CarStageResult;
    expect(metrics.encoder).toBe('pooled');
    expect(metrics.fineTuned).toBe(true);
    expect(metrics.k).toBe(5);
    expect(metrics.heldOutUsers).toBe(result.heldOutUsers);
    expect(result.heldOutUsers).toBe(Math.round(0.2 * result.corpus.users));
    expect(result.corpus.entries).toBeGreaterThan(result.corpus.users);
    // cf retrieves the CRM neighbours themselves: recall 1 by construction.
    expect(metrics.cf.recall).toBe(1);
    for (const variant of ['base', 'car', 'cf'] as const) {
      expect(metrics[variant].recall).toBeGreaterThanOrEqual(0);
      expect(metrics[variant].recall).toBeLessThanOrEqual(1);
      expect(metrics[variant].futureOverlap).toBeGreaterThan(0);
      expect(metrics[variant].futureOverlapUsers).toBeGreaterThan(0);
    }
    expect(metrics.training!.epochs).toBe(2);
    expect(metrics.training!.baseRecall).toBeCloseTo(metrics.base.recall, 10);
    expect(metrics.training!.bestRecall).toBeCloseTo(metrics.car.recall, 10);
    const manifest = JSON.parse(fs.readFileSync(path.join(stageDir(), 'car.json'), 'utf8'));
    expect(manifest.variants).toEqual({
      car: { encoder: { kind: 'trainable', path: 'encoder' }, index: 'index' },
      base: { encoder: { kind: 'trainable', path: 'encoder-base' }, index: 'index-base' },
    });
  });

  it('each variant retrieves other users with behaviour from before the target row only', async () => {
    const corpus = buildBehaviourCorpus(dataset, { maxItems: 20, snapshots: { everySeconds: 60 * DAY } });
    const rows = [...dataset.split('train').slice(-3), ...dataset.split('valid').slice(0, 3), ...dataset.split('test').slice(0, 3)];
    const seen = new Map<string, string[]>();
    for (const variant of ['car', 'base', 'cf'] as const) {
      const retriever = await loadCarRetriever({ stageDir: stageDir(), variant, datasetDir: path.join(root, 'prepare') });
      try {
        expect(retriever.variant).toBe(variant);
        const ids: string[] = [];
        let total = 0;
        for (const row of rows) {
          const found = await retriever.retrieve({ userId: row.userId, history: dataset.history(row), before: row.timestamp }, 5);
          total += found.length;
          for (const user of found) {
            expect(user.userId).not.toBe(row.userId);
            const entry = corpus.visibleEntry(user.userId, row.timestamp)!;
            expect(user.behaviour).toBe(entry.text);
            const times = dataset.positiveTimes(user.userId);
            const items = dataset.positives(user.userId);
            for (const itemId of entry.itemIds) expect(times[items.indexOf(itemId)]!).toBeLessThan(row.timestamp);
          }
          for (let i = 1; i < found.length; i++) expect(found[i - 1]!.score).toBeGreaterThanOrEqual(found[i]!.score);
          ids.push(...found.map((user) => user.userId));
        }
        expect(total).toBeGreaterThan(rows.length);
        seen.set(variant, ids);
        if (variant !== 'cf') {
          const batch = await (retriever as CorpusRetriever).retrieveBatch(rows.slice(-2).map((row) => ({ userId: row.userId, history: dataset.history(row), before: row.timestamp })), 5);
          expect(batch).toHaveLength(2);
        }
      } finally {
        await retriever.dispose();
      }
    }
    // The fine-tuned encoder retrieves differently from its initial weights.
    expect(seen.get('car')).not.toEqual(seen.get('base'));
  });

  it('reports a missing stage and a bad variant clearly', async () => {
    await expect(loadCarRetriever({ stageDir: path.join(root, 'nope'), datasetDir: path.join(root, 'prepare') })).rejects.toThrow(/The CAR stage manifest \(car.json\) not found at .*Run the "car" stage first\./);
    await expect(loadCarRetriever({ stageDir: stageDir(), variant: 'sare' as 'car', datasetDir: path.join(root, 'prepare') })).rejects.toThrow('Invalid "variant": must be one of car, base, cf, got "sare".');
    await expect(runCarStage({ datasetDir: path.join(root, 'prepare'), neighboursFile, outputDir: path.join(root, 'x'), encoder: 'onnx:' })).rejects.toThrow(/"onnx:" needs a path/);
    await expect(runCarStage({ datasetDir: path.join(root, 'prepare'), neighboursFile: path.join(root, 'none.json'), outputDir: path.join(root, 'x') })).rejects.toThrow(
      /The CRM neighbours file not found at .*none\.json\. Run the "crm" stage first\./,
    );
    await expect(runCarStage({ dataset, neighboursFile, outputDir: path.join(root, 'x'), retrieved: 0 })).rejects.toThrow('Invalid "retrieved": must be a positive integer (K_e, the paper uses 10), got 0.');
    await expect(runCarStage({ dataset, datasetDir: root, neighboursFile, outputDir: path.join(root, 'x') })).rejects.toThrow(/exactly one of "datasetDir"/);
    const reason = new Error('stopped by the test');
    await expect(runCarStage({ dataset, neighboursFile, outputDir: path.join(root, 'x'), signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fs.existsSync(path.join(root, 'x'))).toBe(false);
  });

  it('fine-tunes a BERT folder (bert:PATH) and uses a frozen ONNX model (onnx:PATH) as base = car', async () => {
    const texts = buildBehaviourCorpus(dataset).entries.map((entry) => entry.text);
    const bert = await createBertEncoder({ tokenizer: trainTokenizer({ texts, vocabSize: 300, kind: 'wordpiece' }), hidden: 16, layers: 1, heads: 2, maxLength: 64, seed: 3 });
    const bertDir = path.join(root, 'tiny-bert');
    const onnxDir = path.join(root, 'tiny-onnx');
    try {
      await bert.save(bertDir);
      fs.mkdirSync(onnxDir);
      await exportBertToOnnx(bert, path.join(onnxDir, 'model.onnx'));
      for (const file of ['tokenizer.json', 'config.json']) fs.copyFileSync(path.join(bertDir, file), path.join(onnxDir, file));
    } finally {
      bert.dispose();
    }
    const common = { datasetDir: path.join(root, 'prepare'), neighboursFile, epochs: 1, retrieved: 5 };
    const tuned = await runCarStage({ ...common, outputDir: path.join(root, 'car-bert'), encoder: `bert:${bertDir}`, learningRate: 1e-3 });
    expect(tuned.fineTuned).toBe(true);
    expect(tuned.training!.epochs).toBe(1);
    expect(fs.existsSync(path.join(root, 'car-bert', 'encoder-base'))).toBe(false);
    const frozen = await runCarStage({ ...common, outputDir: path.join(root, 'car-onnx'), encoder: `onnx:${onnxDir}` });
    expect(frozen.fineTuned).toBe(false);
    expect(frozen.training).toBeNull();
    expect(frozen.car).toEqual(frozen.base);
    // The ONNX export computes the BERT folder's function: same base figures.
    expect(frozen.base.recall).toBeCloseTo(tuned.base.recall, 6);
    expect(fs.readdirSync(path.join(root, 'car-onnx')).sort()).toEqual(['car.json', 'index-base', 'metrics.json', 'neighbours.json']);
    const retriever = await loadCarRetriever({ stageDir: path.join(root, 'car-onnx'), variant: 'car', dataset });
    try {
      const row = dataset.split('test')[0]!;
      const found = await retriever.retrieve({ userId: row.userId, history: dataset.history(row), before: row.timestamp }, 3);
      expect(found).toHaveLength(3);
    } finally {
      await retriever.dispose();
    }
  }, 60_000);
});
