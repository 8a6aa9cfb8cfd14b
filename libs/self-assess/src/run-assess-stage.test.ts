import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError } from '@score/core';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { basicPrompt } from '@score/prompt-kit';
import { createPooledEncoder, trainTokenizer } from '@score/text-encoders';
import { describe, expect, it } from 'vitest';
import { createMetadataAssessor } from './metadata-assessor';
import { type AssessStageResult, type RankingRecord, runAssessStage } from './run-assess-stage';
import { sampleAssessmentPairs } from './sample-assessment-pairs';
import { createCoLikeRetriever } from './test-fixtures/co-like-retriever';
import { makeTempDir } from './test-fixtures/tiny-dataset';

describe('runAssessStage', () => {
  it('writes assessments, rankings O and a report naming the metadata fallback; a rerun reuses every assessment', async () => {
    const dataset = await generateSyntheticDataset({ users: 30, items: 50, seed: 11 });
    const runDir = makeTempDir();
    await saveDataset(dataset, runDir);
    const titles = [...dataset.items.values()].map((item) => `${item.title} ${item.attributes.genres?.join(' ')}`);
    const tokenizer = trainTokenizer({ texts: titles, vocabSize: 300, kind: 'wordpiece' });
    const embedder = await createPooledEncoder({ tokenizer, embeddingSize: 16, dimensions: 16, maxLength: 256, seed: 1 });
    const retriever = createCoLikeRetriever(dataset);
    const assessor = createMetadataAssessor({ dataset });
    const options = { runDir, assessor, retriever, embedder, sample: 8, seed: 2, candidates: 4, rankingBatchPairs: 3 };

    const report = await runAssessStage(options);
    const folder = path.join(runDir, 'assess');
    expect(fs.readdirSync(folder).sort()).toEqual(['assessments.jsonl', 'rankings.jsonl', 'report.json']);
    expect(report).toMatchObject({ stage: 'assess', pairs: 8, generated: 8, reused: 0, promptTokens: 0, retriever: 'test-co-like', candidatesPerPair: 4 });
    expect(report.assessor.source).toBe('metadata');
    expect(report.assessor.metadataFallback).toBe(true);
    expect(report.assessor.description).toMatch(/^Metadata fallback \(no LLM\)/);
    expect(JSON.parse(fs.readFileSync(path.join(folder, 'report.json'), 'utf8')) as AssessStageResult).toEqual(report);

    const rankings = fs.readFileSync(path.join(folder, 'rankings.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RankingRecord);
    const pairs = sampleAssessmentPairs(dataset, { sample: 8, seed: 2 });
    expect(rankings.map((record) => record.id)).toEqual(pairs.map((pair) => pair.id));
    let ordered = 0;
    rankings.forEach((record, i) => {
      const pair = pairs[i];
      expect(record.query).toBe(basicPrompt({ domain: 'movies', history: pair.history, target: pair.target }));
      expect(record.assessmentSource).toBe('metadata');
      expect(record.candidates.length).toBeLessThanOrEqual(4);
      expect(record.candidates.every((candidate) => candidate.userId !== pair.userId)).toBe(true);
      expect([...record.order].sort()).toEqual(record.candidates.map((candidate) => candidate.userId).sort());
      const score = new Map(record.candidates.map((candidate) => [candidate.userId, candidate.assessmentScore]));
      for (let j = 1; j < record.order.length; j++) expect(score.get(record.order[j - 1])!).toBeGreaterThanOrEqual(score.get(record.order[j])!);
      if (record.candidates.length >= 2) ordered += 1;
    });
    expect(report.meanCandidates).toBeCloseTo(rankings.reduce((sum, record) => sum + record.candidates.length, 0) / 8, 10);
    expect(report.pairsWithoutOrder).toBe(8 - ordered);
    expect(report.retrievalVsAssessmentKendallTau).toBeGreaterThanOrEqual(-1);
    expect(report.retrievalVsAssessmentKendallTau).toBeLessThanOrEqual(1);

    const again = await runAssessStage(options);
    expect([again.generated, again.reused]).toEqual([0, 8]);
    expect(fs.readFileSync(path.join(folder, 'rankings.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line))).toEqual(rankings);

    // The embedding cache (on by default) reuses rows across chunks; without it every chunk is
    // embedded afresh, and the scores and orders are the same.
    const calls: string[][] = [];
    const counting = { ...embedder, modelId: embedder.modelId, dimensions: embedder.dimensions, normalized: embedder.normalized, embed: (texts: readonly string[]) => (calls.push([...texts]), embedder.embed(texts)), dispose: () => {} };
    await runAssessStage({ ...options, embedder: counting, embeddingCache: 0 });
    const uncachedTexts = calls.flat().length;
    expect(fs.readFileSync(path.join(folder, 'rankings.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line))).toEqual(rankings);
    calls.length = 0;
    await runAssessStage({ ...options, embedder: counting });
    expect(fs.readFileSync(path.join(folder, 'rankings.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line))).toEqual(rankings);
    const cachedTexts = calls.flat();
    expect(new Set(cachedTexts).size).toBe(cachedTexts.length); // each text embedded once
    expect(cachedTexts.length).toBeLessThan(uncachedTexts);
    embedder.dispose();
  });

  it('asks for the prepare stage when the run folder has no dataset', async () => {
    const dataset = await generateSyntheticDataset({ users: 10, items: 20, seed: 1 });
    const unusedEmbedder = { modelId: 'none', dimensions: 1, normalized: true, embed: async () => ({ rows: 0, cols: 1, data: new Float32Array(0) }), dispose() {} };
    await expect(
      runAssessStage({ runDir: makeTempDir(), assessor: createMetadataAssessor({ dataset }), retriever: createCoLikeRetriever(dataset), embedder: unusedEmbedder }),
    ).rejects.toThrow(ArtifactNotFoundError);
  });
});
