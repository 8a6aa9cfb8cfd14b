import fs from 'node:fs';
import path from 'node:path';
import type { Row } from '@score/core';
import { loadDataset } from '@score/data';
import { buildPromptSet, measurePromptTokens } from '@score/prompt-kit';
import { InProcessLanguageModel } from '@score/rec-lm';
import { initTensorflow } from '@score/tfjs-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunComponents } from './run-components';
import { createRunScoringService } from './run-scoring-service';
import { writeRecStage } from './test-fixtures/rec-stage';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

// Issue 19.6: training, evaluation and serving write prompts through one builder (prompt-kit's
// createScorePromptWriter), so for a test row served at its own time the service's prompt and
// score equal the eval stage's (buildPromptSet with the eval stage's options, scored by the run's LM).

/** The rec settings the trainer records in manifest.json: a budget small enough to trim prompts. */
const REC = { kept: 2, maxHistoryItems: 6, maxBehaviourItems: 8, maxPromptTokens: 210 };

let run: TestRun;

beforeAll(async () => {
  await initTensorflow();
  run = await createTestRun();
  await writeRecStage(run.runDir);
  fs.writeFileSync(path.join(run.runDir, 'manifest.json'), JSON.stringify({ formatVersion: 1, config: { car: { retrieved: 10 }, rec: REC }, stages: {} }));
}, 60_000);

afterAll(() => run?.remove());

describe('one prompt builder for evaluation and serving', () => {
  it("serves each test row (at the row's time) with the eval stage's prompt and score", async () => {
    const dataset = await loadDataset(run.runDir);
    // Rows whose history (positives before the row in file order) is every positive before the row's time.
    const rows = dataset
      .split('test')
      .filter((row: Row) => dataset.positiveTimes(row.userId).filter((time) => time < row.timestamp).length === row.historyLength && row.historyLength > REC.maxHistoryItems)
      .slice(0, 4);
    expect(rows).toHaveLength(4);

    // The eval stage's prompts: buildPromptSet as scorePromptSet calls it, over the served run's components.
    const components = await loadRunComponents({ runDir: run.runDir, llm: 'inprocess' });
    const lm = components.languageModel;
    expect(lm).toBeInstanceOf(InProcessLanguageModel);
    const tokenizer = (lm as InProcessLanguageModel).tokenizer;
    const evalOptions = {
      dataset,
      rows,
      variant: 'score',
      retrievers: { car: components.retriever },
      reranker: components.reranker,
      retrieved: 10,
      retrievedMax: 10,
      pointwiseReranker: true,
      kept: REC.kept,
      maxHistoryItems: REC.maxHistoryItems,
      maxBehaviourItems: REC.maxBehaviourItems,
    } as const;
    const records = await buildPromptSet({ ...evalOptions, tokenBudget: { tokenizer, maxTokens: REC.maxPromptTokens } });
    const untrimmed = await buildPromptSet(evalOptions);
    const evalScores = await lm.scoreYesNo(records.map((record) => record.prompt));
    await Promise.all([components.retriever.dispose(), components.reranker.dispose(), lm.dispose()]);
    // The budget bites: every untrimmed prompt is longer than it, every trimmed one fits.
    const budget = { tokenizer, maxTokens: REC.maxPromptTokens };
    expect(measurePromptTokens(untrimmed.map((record) => record.prompt), budget).overBudget).toBe(rows.length);
    expect(measurePromptTokens(records.map((record) => record.prompt), budget).overBudget).toBe(0);
    expect(records.every((record) => record.similarUsers.length === REC.kept)).toBe(true);

    for (const [index, row] of rows.entries()) {
      const service = await createRunScoringService({ runDir: run.runDir, llm: 'inprocess', asOf: row.timestamp });
      try {
        const served = await service.score({ userId: row.userId, itemId: row.itemId });
        expect(served.prompt).toBe(records[index].prompt);
        expect(served.similarUsers.map((user) => user.userId)).toEqual(records[index].similarUsers.map((user) => user.userId));
        expect(served.probability).toBeCloseTo(evalScores[index].probability, 6);
        expect(served.logits.yes).toBeCloseTo(evalScores[index].yesLogit, 5);
        expect(served.logits.no).toBeCloseTo(evalScores[index].noLogit, 5);
      } finally {
        await service.dispose();
      }
    }
  }, 120_000);
});
