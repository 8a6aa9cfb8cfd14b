import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dataset } from '@score/core';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { createBertEncoder, exportBertToOnnx, loadBertEncoder, trainTokenizer } from '@score/text-encoders';
import { writeSafetensors } from '@score/tfjs-runtime';
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
  let userIds: string[];
  let userVectors: Float32Array;
  const stageDir = () => path.join(root, 'car');

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'car-stage-'));
    const prepared = await generateSyntheticDataset({ users: 60, items: 120, seed: 5, minInteractionsPerUser: 10, maxInteractionsPerUser: 30 });
    await saveDataset(prepared, path.join(root, 'prepare'));
    dataset = prepared;
    neighboursFile = path.join(root, 'crm-neighbours.json');
    writeNeighboursFile(neighboursFile, itemSetNeighbours(dataset, 5));
    // CRM user embeddings as the crm stage writes them: user u's vector counts its liked items by id parity.
    userIds = [...dataset.users];
    userVectors = Float32Array.from(userIds.flatMap((user) => {
      const liked = dataset.positives(user);
      return [liked.filter((id) => id.length % 2 === 0).length + 0.5, liked.filter((id) => id.length % 2 === 1).length + 0.5, liked.length % 3];
    }));
    writeSafetensors(path.join(root, 'user-embeddings.safetensors'), [{ name: 'embeddings', shape: [userIds.length, 3], data: userVectors }], { model: 'sasrec', user_ids: JSON.stringify(userIds) });
    result = await runCarStage({
      userEmbeddingsFile: path.join(root, 'user-embeddings.safetensors'),
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
    expect(fs.readdirSync(stageDir()).sort()).toEqual(['car.json', 'encoder', 'encoder-base', 'index', 'index-base', 'metrics.json', 'neighbours.json', 'user-embeddings.safetensors']);
    expect(files('encoder')).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']));
    expect(files('encoder-base')).toEqual(files('encoder'));
    const corpus = buildBehaviourCorpus(dataset, { maxItems: 20, snapshots: { everySeconds: 60 * DAY } });
    const written = JSON.parse(fs.readFileSync(path.join(stageDir(), 'car.json'), 'utf8'));
    expect(written.corpus.boundaries).toEqual([...corpus.boundaries]);
    expect(written.corpus.tables).toHaveLength(corpus.boundaries.length);
    expect(written.userEmbeddings).toBe('user-embeddings.safetensors');
    for (const dir of ['index', 'index-base']) {
      // One table per snapshot, holding every user with behaviour before its boundary.
      for (const [j, table] of (written.corpus.tables as string[]).entries()) {
        const index = await LanceVectorIndex.create({ dir: path.join(stageDir(), dir), table, mode: 'open' });
        expect(index.dimensions).toBe(16);
        expect(await index.count()).toBe(corpus.snapshotEntries(j).length);
        await index.close();
      }
    }
    expect(corpus.snapshotEntries(corpus.boundaries.length - 1)).toHaveLength(result.corpus.users);
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
    for (const [variant, cf] of [['car'], ['base'], ['cf', 'embedding'], ['cf', 'neighbours']] as const) {
      const retriever = await loadCarRetriever(stageDir(), { variant, datasetDir: path.join(root, 'prepare'), ...(cf ? { cf } : {}) });
      try {
        expect(retriever.variant).toBe(variant);
        const ids: string[] = [];
        let total = 0;
        for (const row of rows) {
          const found = await retriever.retrieve({ userId: row.userId, history: dataset.history(row), before: row.timestamp }, 5);
          total += found.length;
          for (const user of found) {
            expect(user.userId).not.toBe(row.userId);
            const snapshot = corpus.snapshotIndex(row.timestamp);
            expect(corpus.boundaries[snapshot]).toBeLessThan(row.timestamp);
            const entry = corpus.snapshotEntry(user.userId, snapshot)!;
            expect(user.behaviour).toBe(entry.text);
            const times = dataset.positiveTimes(user.userId);
            const items = dataset.positives(user.userId);
            for (const itemId of entry.itemIds) expect(times[items.indexOf(itemId)]!).toBeLessThan(row.timestamp);
          }
          for (let i = 1; i < found.length; i++) expect(found[i - 1]!.score).toBeGreaterThanOrEqual(found[i]!.score);
          ids.push(...found.map((user) => user.userId));
        }
        expect(total).toBeGreaterThan(rows.length);
        seen.set(cf ? `${variant}-${cf}` : variant, ids);
        if (variant !== 'cf') {
          const batch = await (retriever as CorpusRetriever).retrieveBatch(rows.slice(-2).map((row) => ({ userId: row.userId, history: dataset.history(row), before: row.timestamp })), 5);
          expect(batch).toHaveLength(2);
        }
      } finally {
        await retriever.dispose();
      }
    }
    // The fine-tuned encoder retrieves differently from its initial weights; cf by embedding reaches beyond the K_c neighbours.
    expect(seen.get('car')).not.toEqual(seen.get('base'));
    expect(seen.get('cf-embedding')).not.toEqual(seen.get('cf-neighbours'));
    // cf by embedding: the K_e users of the row's snapshot with the largest cosine of the CRM embeddings.
    const cosine = (a: string, b: string) => {
      const [i, j] = [userIds.indexOf(a), userIds.indexOf(b)];
      const v = (r: number) => Array.from(userVectors.subarray(r * 3, r * 3 + 3));
      const dot = v(i).reduce((sum, x, c) => sum + x * v(j)[c], 0);
      return dot / Math.hypot(...v(i)) / Math.hypot(...v(j));
    };
    const byEmbedding = seen.get('cf-embedding')!;
    const row = rows[rows.length - 1];
    const snapshot = corpus.snapshotIndex(row.timestamp);
    const expected = dataset.users.filter((u) => u !== row.userId && corpus.snapshotEntry(u, snapshot)).sort((a, b) => cosine(row.userId, b) - cosine(row.userId, a)).slice(0, 5);
    expect(byEmbedding.slice(-5).map((u) => cosine(row.userId, u))).toEqual(expected.map((u) => expect.closeTo(cosine(row.userId, u), 5)));
  });

  it('encoderBatchSize reaches the saved encoder: one text per pass retrieves the same users with the same scores', async () => {
    const rows = dataset.split('test').slice(0, 4);
    const retrieve = async (options: { encoderBatchSize?: number; encoderThreads?: number }) => {
      const retriever = await loadCarRetriever(stageDir(), { variant: 'car', dataset, ...options });
      try {
        return await (retriever as CorpusRetriever).retrieveBatch(rows.map((row) => ({ userId: row.userId, history: dataset.history(row), before: row.timestamp })), 5);
      } finally {
        await retriever.dispose();
      }
    };
    const byDefault = await retrieve({});
    const onePerPass = await retrieve({ encoderBatchSize: 1 });
    expect(byDefault.flat().length).toBeGreaterThan(rows.length);
    expect(onePerPass.map((users) => users.map((user) => user.userId))).toEqual(byDefault.map((users) => users.map((user) => user.userId)));
    onePerPass.flat().forEach((user, i) => expect(user.score).toBeCloseTo(byDefault.flat()[i]!.score, 5));
    // encoderThreads: the passes of one text each spread over a worker thread: the same users with the same scores, to the bit.
    const threaded = await retrieve({ encoderBatchSize: 1, encoderThreads: 2 });
    expect(threaded).toEqual(onePerPass);
    await expect(loadCarRetriever(stageDir(), { variant: 'car', dataset, encoderBatchSize: 0 })).rejects.toThrow(/"batchSize": must be .*integer/);
    await expect(loadCarRetriever(stageDir(), { variant: 'car', dataset, encoderThreads: 0 })).rejects.toThrow(/"encoderThreads"/);
  });

  it('reports a missing stage and a bad variant clearly', async () => {
    await expect(loadCarRetriever(path.join(root, 'nope'), { datasetDir: path.join(root, 'prepare') })).rejects.toThrow(/The CAR stage manifest \(car.json\) not found at .*Run the "car" stage first\./);
    await expect(loadCarRetriever(stageDir(), { variant: 'sare' as 'car', datasetDir: path.join(root, 'prepare') })).rejects.toThrow('Invalid "variant": must be one of car, base, cf, got "sare".');
    await expect(loadCarRetriever(stageDir(), { variant: 'cf', cf: 'crm' as 'embedding', dataset })).rejects.toThrow(/"cf": must be one of embedding, neighbours/);
    await expect(runCarStage({ dataset, neighboursFile, userEmbeddingsFile: path.join(root, 'none.safetensors'), outputDir: path.join(root, 'x') })).rejects.toThrow(/none\.safetensors/);
    await expect(runCarStage({ datasetDir: path.join(root, 'prepare'), neighboursFile, outputDir: path.join(root, 'x'), encoder: 'onnx:' })).rejects.toThrow(/"onnx:" needs a path/);
    await expect(runCarStage({ datasetDir: path.join(root, 'prepare'), neighboursFile: path.join(root, 'none.json'), outputDir: path.join(root, 'x') })).rejects.toThrow(
      /The CRM neighbours file not found at .*none\.json\. Run the "crm" stage first\./,
    );
    await expect(runCarStage({ dataset, neighboursFile, outputDir: path.join(root, 'x'), retrieved: 0 })).rejects.toThrow('Invalid "retrieved": must be a positive integer (K_e, the paper uses 10), got 0.');
    await expect(runCarStage({ dataset, datasetDir: root, neighboursFile, outputDir: path.join(root, 'x') })).rejects.toThrow(/exactly one of "datasetDir"/);
    await expect(
      runCarStage({ dataset, neighboursFile, userEmbeddingsFile: path.join(root, 'user-embeddings.safetensors'), outputDir: path.join(root, 'chunks'), encoder: 'pooled', epochs: 1, dimensions: 8, vocabSize: 300, retrieved: 5, gradientChunkTexts: -1 }),
    ).rejects.toThrow(/"gradientChunkTexts"/);
    expect(fs.readdirSync(root).filter((name) => name.includes('chunks'))).toEqual([]);
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
    const retriever = await loadCarRetriever(path.join(root, 'car-onnx'), { variant: 'car', dataset });
    try {
      const row = dataset.split('test')[0]!;
      const found = await retriever.retrieve({ userId: row.userId, history: dataset.history(row), before: row.timestamp }, 3);
      expect(found).toHaveLength(3);
    } finally {
      await retriever.dispose();
    }
  }, 60_000);

  it('inference "onnx" gives the tfjs figures, indexes and retrievals of a BERT (onnxruntime, exported beside the weights)', async () => {
    const texts = buildBehaviourCorpus(dataset).entries.map((entry) => entry.text);
    const bert = await createBertEncoder({ tokenizer: trainTokenizer({ texts, vocabSize: 300, kind: 'wordpiece' }), hidden: 16, layers: 2, heads: 2, maxLength: 64, seed: 4 });
    const bertDir = path.join(root, 'tiny-bert-inference');
    await bert.save(bertDir);
    bert.dispose();
    const common = { datasetDir: path.join(root, 'prepare'), neighboursFile, epochs: 1, retrieved: 5, encoder: `bert:${bertDir}`, learningRate: 1e-3, snapshots: { everySeconds: 60 * DAY } };
    const byTfjs = await runCarStage({ ...common, outputDir: path.join(root, 'car-tfjs') });
    const byOnnx = await runCarStage({ ...common, outputDir: path.join(root, 'car-ort'), inference: 'onnx' });
    expect([byTfjs.inference, byOnnx.inference]).toEqual(['tfjs', 'onnx']);
    for (const variant of ['base', 'car'] as const) {
      expect(byOnnx[variant].recall).toBeCloseTo(byTfjs[variant].recall, 6);
      expect(byOnnx[variant].futureOverlap).toBeCloseTo(byTfjs[variant].futureOverlap, 6);
    }
    // The held-out recall after the epoch embedded on onnxruntime too, with the same result.
    expect(byOnnx.training!.history.map((epoch) => epoch.recall)).toEqual(byTfjs.training!.history.map((epoch) => expect.closeTo(epoch.recall, 6)));
    await expect(runCarStage({ ...common, outputDir: path.join(root, 'car-bad'), inference: 'gpu' as 'onnx' })).rejects.toThrow(/"inference": must be "tfjs" or "onnx"/);
    // Retrieval through onnxruntime: the same users and scores; the export lies beside the encoder's weights.
    const rows = dataset.split('test').slice(0, 4);
    const targets = rows.map((row) => ({ userId: row.userId, history: dataset.history(row), before: row.timestamp }));
    for (const variant of ['car', 'base'] as const) {
      const open = (inference: 'tfjs' | 'onnx') => loadCarRetriever(path.join(root, 'car-ort'), { variant, dataset, inference });
      const [tfjs, onnx] = [await open('tfjs'), await open('onnx')];
      try {
        const [expected, found] = [await (tfjs as CorpusRetriever).retrieveBatch(targets, 5), await (onnx as CorpusRetriever).retrieveBatch(targets, 5)];
        expect(expected.flat().length).toBeGreaterThan(rows.length);
        expect(found.map((users) => users.map((user) => user.userId))).toEqual(expected.map((users) => users.map((user) => user.userId)));
        found.flat().forEach((user, i) => expect(user.score).toBeCloseTo(expected.flat()[i]!.score, 4));
        if (variant === 'car') {
          // encoderThreads applies to tfjs only: with onnx the queries stay on onnxruntime (its bits, not tfjs's).
          expect(found.flat().some((user, i) => !Object.is(user.score, expected.flat()[i]!.score))).toBe(true);
          const threaded = await loadCarRetriever(path.join(root, 'car-ort'), { variant, dataset, inference: 'onnx', encoderThreads: 2 });
          try {
            expect(await (threaded as CorpusRetriever).retrieveBatch(targets, 5)).toEqual(found);
          } finally {
            await threaded.dispose();
          }
        }
      } finally {
        await tfjs.dispose();
        await onnx.dispose();
      }
    }
    expect(fs.existsSync(path.join(root, 'car-ort', 'encoder', 'onnx', 'model.onnx'))).toBe(true);
    expect(fs.existsSync(path.join(bertDir, 'onnx', 'model.onnx'))).toBe(true);
  }, 90_000);
  it('maxTokens and trainLayers: base and car run at maxTokens (car.json and the saved encoder record it), only the top layers train', async () => {
    const texts = buildBehaviourCorpus(dataset).entries.map((entry) => entry.text);
    const bert = await createBertEncoder({ tokenizer: trainTokenizer({ texts, vocabSize: 300, kind: 'wordpiece' }), hidden: 16, layers: 2, heads: 2, maxLength: 64, seed: 5 });
    const bertDir = path.join(root, 'tiny-bert-knobs');
    await bert.save(bertDir);
    bert.dispose();
    const common = { datasetDir: path.join(root, 'prepare'), neighboursFile, epochs: 1, retrieved: 5, encoder: `bert:${bertDir}`, learningRate: 1e-2, snapshots: { everySeconds: 60 * DAY } };
    await runCarStage({ ...common, outputDir: path.join(root, 'car-knobs'), maxTokens: 16, trainLayers: 1 });
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'car-knobs', 'car.json'), 'utf8')) as { variants: { base: { encoder: { maxLength?: number } }; car: { encoder: { maxLength?: number } } } };
    expect(manifest.variants.base.encoder.maxLength).toBe(16);
    expect(manifest.variants.car.encoder.maxLength).toBeUndefined();
    const saved = JSON.parse(fs.readFileSync(path.join(root, 'car-knobs', 'encoder', 'config.json'), 'utf8')) as { score_encoder: { max_length: number } };
    expect(saved.score_encoder.max_length).toBe(16);
    // Without the knobs the manifest is as before (no maxLength).
    const plain = JSON.parse(fs.readFileSync(path.join(stageDir(), 'car.json'), 'utf8')) as { variants: { base: { encoder: Record<string, unknown> } } };
    expect(Object.keys(plain.variants.base.encoder).sort()).toEqual(['kind', 'path']);
    // The tuned weights differ from the folder's in layer 1 only.
    const [before, after] = [await loadBertEncoder(bertDir), await loadBertEncoder(path.join(root, 'car-knobs', 'encoder'))];
    try {
      const differs = [...before.namedWeights()].filter(([name, variable]) => {
        const other = after.namedWeights().get(name)!.dataSync();
        return variable.dataSync().some((value, i) => !Object.is(value, other[i]));
      }).map(([name]) => name);
      expect(differs.length).toBeGreaterThan(0);
      expect(differs.every((name) => name.startsWith('encoder.layer.1.'))).toBe(true);
    } finally {
      before.dispose();
      after.dispose();
    }
    const bad = { ...common, outputDir: path.join(root, 'car-knobs-bad') };
    await expect(runCarStage({ ...bad, maxTokens: 4 })).rejects.toThrow(/Invalid "maxTokens": must be an integer of at least 8, got 4/);
    await expect(runCarStage({ ...bad, encoder: `onnx:${bertDir}`, maxTokens: 16 })).rejects.toThrow(/Invalid "maxTokens": applies to a scratch, pooled or bert:PATH encoder/);
    await expect(runCarStage({ ...bad, encoder: 'pooled', trainLayers: 1 })).rejects.toThrow(/Invalid "trainLayers": applies to a BERT encoder/);
    await expect(runCarStage({ ...bad, trainLayers: 3 })).rejects.toThrow('Invalid "trainLayers": 3 is more than the encoder\'s 2 layers; use 1 to 2.');
    expect(fs.existsSync(path.join(root, 'car-knobs-bad', 'index-base'))).toBe(false);
  }, 60_000);
});
