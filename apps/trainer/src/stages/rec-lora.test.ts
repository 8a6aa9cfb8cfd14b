import fs from 'node:fs';
import path from 'node:path';
import { createScratchRecLm, saveLlamaCheckpoint } from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { TINY_PIPELINE_SETS, runCli, setFlags, tempDir } from '../test-helpers';

describe('the rec stage with rec.model { base, lora }', () => {
  it('tunes PEFT adapters per variant on a Hugging Face checkpoint, and eval scores base + adapter', async () => {
    await initTensorflow();
    const root = tempDir();
    // A small Hugging Face Llama folder standing in for a downloaded checkpoint.
    const base = path.join(root, 'tiny-llama');
    const tokenizer = trainTokenizer({ texts: ['The user has highly rated the following movies: "A (1999)". Based on this information, predict whether the user would enjoy the movie titled "B (2001)". Respond with either \'Yes\' or \'No\'.'], vocabSize: 320, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
    const lm = createScratchRecLm({ tokenizer, seed: 2, config: { hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKeyValueHeads: 1, headDim: 16, maxPositionEmbeddings: 2048 } });
    await saveLlamaCheckpoint(lm.model, base);
    await tokenizer.save(path.join(base, 'tokenizer.json'));
    lm.dispose();

    const run = path.join(root, 'run');
    const sets = setFlags([
      'data.source.kind=synthetic',
      ...TINY_PIPELINE_SETS,
      `rec.model={ base: ${JSON.stringify(base)}, lora: { rank: 4, alpha: 8 } }`,
      'rec.trainRows=30',
      'rec.validRows=20',
      'rec.maxPromptTokens=1500',
      'eval.maxRows=30',
    ]);
    await runCli(['run', '--run-dir', run, ...sets, '--quiet']);
    for (const variant of ['basic', 'score']) {
      const dir = path.join(run, 'rec', 'models', variant);
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'adapter_config.json'), 'utf8'));
      expect(config).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8 });
      expect(fs.existsSync(path.join(dir, 'adapter_model.safetensors'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(false);
    }
    const summary = JSON.parse(fs.readFileSync(path.join(run, 'rec', 'rec.json'), 'utf8'));
    expect(summary.model.base).toBe(base);
    expect(summary.pretraining).toBeUndefined();
    const metrics = JSON.parse(fs.readFileSync(path.join(run, 'eval', 'metrics.json'), 'utf8'));
    expect(metrics.models.map((model: { id: string }) => model.id)).toEqual(['popularity', 'sasrec', 'llm-basic', 'score']);
    expect(metrics.notes.join(' ')).toContain('with LoRA adapters (rank 4)');
  }, 300_000);
});
