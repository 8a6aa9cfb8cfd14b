import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, BackendUnavailableError } from '@score/core';
import { loadDataset } from '@score/data';
import { createScratchRecLm, saveLlamaCheckpoint } from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunScoringService } from './run-scoring-service';
import { loadRunLanguageModel, readRunPromptSettings } from './run-language-model';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

let run: TestRun;

/** Writes what the trainer's rec stage leaves: rec.json, a tuned LM in rec/models/score, and the manifest's rec settings. */
async function writeRecStage(runDir: string): Promise<void> {
  const dataset = await loadDataset(runDir);
  const titles = [...dataset.items.values()].map((item) => item.title);
  const tokenizer = trainTokenizer({ texts: titles.map((title) => `The user has highly rated "${title}". Yes No`), vocabSize: 400, kind: 'bpe', requiredTokens: ['Yes', 'No'], addedTokens: titles });
  const lm = createScratchRecLm({ tokenizer, seed: 4, config: { hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKeyValueHeads: 1, headDim: 16 } });
  const dir = path.join(runDir, 'rec', 'models', 'score');
  await saveLlamaCheckpoint(lm.model, dir);
  await tokenizer.save(path.join(dir, 'tokenizer.json'));
  lm.dispose();
  fs.writeFileSync(path.join(runDir, 'rec', 'rec.json'), JSON.stringify({ model: 'scratch', variants: [{ variant: 'score' }] }));
  fs.writeFileSync(path.join(runDir, 'manifest.json'), JSON.stringify({ config: { car: { retrieved: 12 }, sare: { kept: 1 }, rec: { maxHistoryItems: 5, maxBehaviourItems: 3, maxPromptTokens: 400 } } }));
}

beforeAll(async () => {
  await initTensorflow();
  run = await createTestRun();
});

afterAll(() => run.remove());

describe('loadRunLanguageModel (the "inprocess" backend)', () => {
  it('fails clearly before the rec stage ran, and when the run scored with an external backend', async () => {
    await expect(loadRunLanguageModel(run.runDir)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(loadRunLanguageModel(run.runDir)).rejects.toThrow(/rec\.json/);
    fs.mkdirSync(path.join(run.runDir, 'rec'), { recursive: true });
    fs.writeFileSync(path.join(run.runDir, 'rec', 'rec.json'), JSON.stringify({ backend: 'openai:http://127.0.0.1:9/v1#m', variants: [] }));
    const error = await loadRunLanguageModel(run.runDir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toContain('--llm "openai:http://127.0.0.1:9/v1#m"');
  });

  it('loads RUN/rec/models/score, and the served prompts follow the run\'s K_s, history and behaviour limits', async () => {
    await writeRecStage(run.runDir);
    expect(readRunPromptSettings(run.runDir)).toEqual({ ks: 1, retrieved: 12, historyItems: 5, behaviourItems: 3, maxPromptTokens: 400 });
    const lm = await loadRunLanguageModel(run.runDir);
    const service = await createRunScoringService({ runDir: run.runDir, llm: 'inprocess' });
    try {
      const dataset = await loadDataset(run.runDir);
      const userId = dataset.users.find((user) => dataset.positives(user).length > 6)!;
      const itemId = [...dataset.items.keys()][0]!;
      const result = await service.score({ userId, itemId });
      expect(result.similarUsers).toHaveLength(1);
      const history = result.prompt.split('following movies: ')[1]!.split('. ')[0]!;
      expect(history.match(/"[^"]*"/g)).toHaveLength(5);
      const lists = result.prompt.match(/\[[^\]]*\]/g)!;
      expect(lists).toHaveLength(1);
      expect(lists[0]!.match(/"[^"]*"/g)!.length).toBeLessThanOrEqual(3);
      const [direct] = await lm.scoreYesNo([result.prompt]);
      expect(result.probability).toBeCloseTo(direct!.probability, 6);
      expect(result.logits.yes).toBeCloseTo(direct!.yesLogit, 5);
    } finally {
      await service.dispose();
      await lm.dispose();
    }
    await expect(loadRunLanguageModel(run.runDir, { variant: 'basic' })).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });
});
