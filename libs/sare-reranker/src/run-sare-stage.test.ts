import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { readRankingsFile } from './rankings-file';
import { runSareStage, type SareStageResult } from './run-sare-stage';
import { loadSareReranker } from './sare-reranker';
import { makeTempDir, writeSyntheticRankings } from './test-fixtures/synthetic-rankings';

describe('runSareStage on synthetic rankings', () => {
  it('learns orders that agree with O clearly better than CAR order does, and saves a loadable reranker', async () => {
    const runDir = makeTempDir();
    const pairs = await writeSyntheticRankings(runDir, { users: 300, seed: 7, candidates: 10 });
    expect(pairs).toBeGreaterThan(200);
    const report = await runSareStage({ runDir, encoderOptions: { dimensions: 32, vocabSize: 1000 }, epochs: 8, patience: 3, learningRate: 0.003, holdoutFraction: 0.3, seed: 42 });

    // Paper settings: tau 0.02, negatives from O[5:], 3 of them, K_s = 2.
    expect(report.settings).toEqual({ temperature: 0.02, negativeThreshold: 5, negatives: 3, inBatchNegatives: false, topK: 2 });
    expect(report.pairs.train + report.pairs.skippedTrain + report.pairs.validation + report.pairs.test).toBe(pairs);
    const { retrieval, sareUntrained, sare } = report.test;
    expect(sare.examples).toBe(report.pairs.test);
    expect(sare.ndcg).toBeGreaterThan(retrieval.ndcg + 0.1);
    expect(sare.kendallTau).toBeGreaterThan(retrieval.kendallTau + 0.2);
    expect(sare.ndcg).toBeGreaterThan(sareUntrained.ndcg + 0.1);
    expect(report.training.bestEpoch).toBeGreaterThan(0);
    expect(report.training.history[0].loss).toBeGreaterThan(report.training.history[report.training.history.length - 1].loss);

    const folder = path.join(runDir, 'sare');
    // The encoder's own files (text-encoders' layout) plus SARE's.
    expect(fs.readdirSync(folder)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json', 'sare.json', 'report.json']));
    expect(fs.readdirSync(runDir).sort()).toEqual(['assess', 'sare']);
    const { reranker, ...written } = report;
    expect(JSON.parse(fs.readFileSync(path.join(folder, 'report.json'), 'utf8')) as SareStageResult).toEqual(written);
    const loaded = await loadSareReranker(folder);
    const example = (await readRankingsFile(path.join(runDir, 'assess', 'rankings.jsonl')))[0];
    const candidates = example.candidates;
    const mine = await reranker.rerank(example.query, candidates, 2);
    const theirs = await loaded.rerank(example.query, candidates, 2);
    expect(theirs.map((entry) => entry.id)).toEqual(mine.map((entry) => entry.id));
    expect(theirs[0].score).toBeCloseTo(mine[0].score, 5);
    expect(loaded.modelId).toBe(reranker.modelId);
    reranker.dispose();
    loaded.dispose();
  });

  it('asks for the assess stage when there are no rankings', async () => {
    await expect(runSareStage({ runDir: makeTempDir() })).rejects.toThrow(ArtifactNotFoundError);
    await expect(runSareStage({ runDir: makeTempDir() })).rejects.toThrow(/Run the "assess" stage first/);
  });
});
