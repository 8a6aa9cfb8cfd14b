import fs from 'node:fs';
import path from 'node:path';
import { createScratchRecLm, loadRecLm, saveLlamaCheckpoint } from '@score/rec-lm';
import { readSafetensors } from '@score/tfjs-runtime';
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

    // The GPU route (issue 17, point 4): `score-train export` writes the chat JSONL tuning sets and
    // the adapters in PEFT layout, and an exported adapter loads back with identical logits.
    const out = path.join(root, 'export');
    await runCli(['export', run, '--out', out, '--quiet']);
    const settings = JSON.parse(fs.readFileSync(path.join(out, 'lora.json'), 'utf8'));
    expect(settings).toMatchObject({ base, lora: { r: 4, lora_alpha: 8, lora_dropout: 0.1, target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] }, training: { learning_rate: 1e-4, epochs: 1, batch_size: 8 } });
    expect(settings.variants.map((variant: { name: string }) => variant.name)).toEqual(['basic', 'score']);
    const prompts = fs.readFileSync(path.join(run, 'rec', 'prompts', 'basic', 'train.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const lines = fs.readFileSync(path.join(out, 'basic', 'train.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(30);
    expect(lines[0]).toEqual({ messages: [{ role: 'user', content: prompts[0].prompt }, { role: 'assistant', content: prompts[0].label === 1 ? 'Yes' : 'No' }], label: prompts[0].label });
    const exported = path.join(out, 'score', 'adapter');
    expect(fs.readFileSync(path.join(exported, 'adapter_model.safetensors'))).toEqual(fs.readFileSync(path.join(run, 'rec', 'models', 'score', 'adapter_model.safetensors')));
    expect([...readSafetensors(path.join(exported, 'adapter_model.safetensors')).tensors.keys()]).toContain('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight');
    const prompt = lines[1].messages[0].content;
    const score = async (adapterDir?: string) => {
      const model = await loadRecLm(base, { maxPromptTokens: 1508, ...(adapterDir ? { adapterDir } : {}) });
      try {
        return (await model.scoreYesNo([prompt]))[0]!;
      } finally {
        await model.dispose();
      }
    };
    const fromExport = await score(exported);
    const fromRun = await score(path.join(run, 'rec', 'models', 'score'));
    expect(fromExport.yesLogit).toBe(fromRun.yesLogit);
    expect(fromExport.noLogit).toBe(fromRun.noLogit);
    // The adapter was tuned: the base alone scores differently.
    expect((await score()).yesLogit - (await score()).noLogit).not.toBe(fromExport.yesLogit - fromExport.noLogit);

    // eval.adapters: the eval stage scores the exported adapters (as tools/peft/train_lora.py fills
    // them) instead of the rec stage's; the same adapters give the same figures.
    await runCli(['run', '--run-dir', run, ...sets, '--set', `eval.adapters=${out}`, '--quiet']);
    const again = JSON.parse(fs.readFileSync(path.join(run, 'eval', 'metrics.json'), 'utf8'));
    expect(again.configHash).not.toBe(metrics.configHash);
    for (const id of ['llm-basic', 'score']) {
      const find = (figures: { models: { id: string; auc: number; uauc: number }[] }) => figures.models.find((model) => model.id === id)!;
      expect(find(again).auc).toBe(find(metrics).auc);
      expect(find(again).uauc).toBe(find(metrics).uauc);
    }
    // eval.scoreWorkers: the stage's thread and a worker thread (each with base + adapter) score
    // the same batches, so every figure of every row, intervals included, is the same to the bit.
    // eval.zeroShot.llm rec adds the base without adapters, opened the same way (zero-shot-rec.test.ts checks its scores).
    await runCli(['run', '--run-dir', run, ...sets, '--set', 'eval.scoreWorkers=2', '--set', 'eval.zeroShot={ llm: rec, variants: [basic] }', '--quiet']);
    const threaded = JSON.parse(fs.readFileSync(path.join(run, 'eval', 'metrics.json'), 'utf8'));
    expect(threaded.configHash).not.toBe(metrics.configHash);
    expect(threaded.models.slice(0, -1)).toEqual(metrics.models);
    const zeroShot = threaded.models.at(-1);
    expect(zeroShot).toMatchObject({ id: 'zero-shot-basic', label: 'Zero-shot tiny-llama, P^b (no tuning)', tuning: 'zero-shot', prompt: 'basic' });
    // The adapters were tuned, so the untuned base scores the same P^b prompts differently.
    expect(zeroShot.logLoss).not.toBe(metrics.models.find((model: { id: string }) => model.id === 'llm-basic').logLoss);
    expect(threaded.notes.join(' ')).toContain(`Zero-shot rows: ${base}, rec.model's base without any adapter`);
    expect(metrics.models.find((model: { id: string }) => model.id === 'score').logLoss).toBeGreaterThan(0);
    fs.rmSync(path.join(out, 'score', 'adapter', 'adapter_config.json'));
    await expect(runCli(['run', '--run-dir', run, ...sets, '--set', `eval.adapters=${out}`, '--set', 'eval.bootstrapSamples=999', '--quiet'])).rejects.toThrow(/adapter_config\.json/);
  }, 300_000);
});
