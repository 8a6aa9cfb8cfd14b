import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticDataset, saveDataset } from '@score/data';
import { writeTinyLlamaGguf } from '@score/llm-clients/testing';

/** A temporary run folder with a small synthetic dataset, and a tiny random llama GGUF beside it. */
export interface TestRun {
  readonly runDir: string;
  readonly modelPath: string;
  /** The `--llm` spec of the tiny model. */
  readonly llm: string;
  /** llama.cpp settings for tests: one thread, a context for long prompts. */
  readonly llmOverrides: { readonly llamacpp: { readonly threads: number; readonly contextSize: number } };
  remove(): void;
}

/** Writes a run folder (dataset of 40 users and 80 items, seed 5) and a tiny GGUF model into a fresh temp dir. */
export async function createTestRun(): Promise<TestRun> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-inference-'));
  const runDir = path.join(root, 'run');
  const dataset = await generateSyntheticDataset({ users: 40, items: 80, seed: 5, minInteractionsPerUser: 10, maxInteractionsPerUser: 30 });
  await saveDataset(dataset, runDir);
  const modelPath = path.join(root, 'tiny-llama.gguf');
  await writeTinyLlamaGguf(modelPath, { seed: 3, contextLength: 4096 });
  return {
    runDir,
    modelPath,
    llm: `llamacpp:${modelPath}`,
    llmOverrides: { llamacpp: { threads: 1, contextSize: 4096 } },
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
