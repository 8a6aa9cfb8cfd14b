import { pullModel, UnknownModelError } from '@score/model-hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunComponents } from './run-components';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

let run: TestRun;

beforeAll(async () => {
  run = await createTestRun();
});

afterAll(() => run?.remove());

describe('--llm llamacpp:model:NAME', () => {
  it('opens the registry model, pulled into the models cache on first use', async () => {
    const gguf = (await pullModel('smollm2-135m-instruct')).path;
    const components = await loadRunComponents({
      runDir: run.runDir,
      llm: 'llamacpp:model:smollm2-135m-instruct',
      llmOverrides: { llamacpp: { threads: 1, contextSize: 512 } },
    });
    try {
      expect(components.languageModel.provider).toBe('llamacpp');
      expect(components.languageModel.modelId).toBe('SmolLM2-135M-Instruct.Q4_1.gguf');
      expect((components.languageModel as unknown as { cacheKeyParameters: { model: { path: string } } }).cacheKeyParameters.model.path).toBe(gguf);
      const [score] = await components.languageModel.scoreYesNo(['Is Paris the capital of France? Answer Yes or No.']);
      expect(score.probability).toBeGreaterThan(0);
      expect(score.probability).toBeLessThan(1);
    } finally {
      await components.retriever.dispose?.();
      await components.reranker.dispose?.();
      await components.languageModel.dispose();
    }
  }, 300_000);

  it('names the known models for an unknown one', async () => {
    const error = await loadRunComponents({ runDir: run.runDir, llm: 'llamacpp:model:llama-70b' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnknownModelError);
    expect((error as Error).message).toContain('Known models: smollm2-135m-instruct, gemma3-270m, all-minilm-l6-v2');
  });
});
