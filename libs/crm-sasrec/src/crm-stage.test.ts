import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError, type ProgressEvent } from '@score/core';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { initTensorflow, readSafetensors } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { runCrmStage } from './crm-stage';
import { loadRecommender } from './load-recommender';

describe('runCrmStage', () => {
  it('trains, evaluates against popularity and writes the model, corpus embeddings and neighbours', async () => {
    await initTensorflow();
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-crm-stage-'));
    const dataset = await generateSyntheticDataset({ users: 40, items: 60, maxInteractionsPerUser: 30, seed: 5 });
    await saveDataset(dataset, runDir);
    const events: ProgressEvent[] = [];
    const result = await runCrmStage({ runDir, model: 'sasrec', epochs: 2, seed: 1, neighbours: 3, modelOptions: { hiddenSize: 8, maxHistory: 6, batchSize: 128 }, onProgress: (event) => events.push(event) });
    const outputDir = path.join(runDir, 'crm', 'sasrec');
    expect(result.outputDir).toBe(outputDir);
    expect(fs.readdirSync(outputDir).sort()).toEqual(['config.json', 'metrics.json', 'model.safetensors', 'neighbours.json', 'user-embeddings.safetensors']);
    expect(result.fit.epochs).toBeGreaterThanOrEqual(1);
    expect(result.test.rows).toBe(dataset.split('test').length);
    expect(result.test.auc).toBeGreaterThan(0);
    expect(result.test.uaucUsers + result.test.uaucSkipped).toBe(new Set(dataset.split('test').map((row) => row.userId)).size);
    expect(result.popularity.test.auc).toBeGreaterThan(0);
    expect(JSON.parse(fs.readFileSync(path.join(outputDir, 'metrics.json'), 'utf8')).test.auc).toBeCloseTo(result.test.auc, 10);
    expect(events.some((event) => event.task === 'crm.sasrec.train')).toBe(true);

    const { tensors, metadata } = readSafetensors(path.join(outputDir, 'user-embeddings.safetensors'));
    const userIds = JSON.parse(metadata['user_ids']!) as string[];
    const trainUsers = new Set(dataset.split('train').map((row) => row.userId));
    expect(new Set(userIds)).toEqual(trainUsers);
    expect(tensors.get('embeddings')!.shape).toEqual([userIds.length, 8]);

    const neighbours = JSON.parse(fs.readFileSync(path.join(outputDir, 'neighbours.json'), 'utf8')) as { k: number; neighbours: Record<string, { userId: string; score: number }[]> };
    expect(neighbours.k).toBe(3);
    expect(Object.keys(neighbours.neighbours).sort()).toEqual([...userIds].sort());
    for (const [user, list] of Object.entries(neighbours.neighbours)) {
      expect(list).toHaveLength(3);
      expect(list.map((entry) => entry.userId)).not.toContain(user);
      expect(list[0]!.score).toBeGreaterThanOrEqual(list[2]!.score);
    }
    // The saved model reproduces the saved corpus embeddings.
    const model = loadRecommender(outputDir, { model: 'sasrec' });
    const first = userIds[0]!;
    const history = dataset.split('train').filter((row) => row.userId === first && row.label === 1).map((row) => row.itemId);
    const embedding = await model.userEmbeddings([{ history, userId: first }]);
    expect(Array.from(embedding.data)).toEqual(Array.from(tensors.get('embeddings')!.data.subarray(0, 8)));
    model.dispose();
  });

  it('fails clearly on a run folder without a dataset and on bad options', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'score-crm-empty-'));
    await expect(runCrmStage({ runDir: empty, model: 'mf' })).rejects.toThrow(ArtifactNotFoundError);
    await expect(runCrmStage({ runDir: empty, model: 'gru4rec' as never })).rejects.toThrow(InvalidOptionError);
    await expect(runCrmStage({ runDir: empty, objective: 'pairwise' as never })).rejects.toThrow(/"objective": must be one of ctr, next-item/);
  });
});
