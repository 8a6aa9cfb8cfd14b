import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { exportTuningSet, loadRecLm } from '@score/rec-lm';
import { trainTokenizer } from '@score/text-encoders';
import { initTensorflow } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-helpers';
import type { ExportSettings } from './export';

// The GPU route's Python side (tools/peft/), run on the CPU: transformers writes a tiny random Llama,
// train_lora.py tunes LoRA adapters on an exported tuning set for a few steps with PEFT, and the
// adapter loads into the tfjs model with PyTorch's logits. Needs a Python with torch, peft,
// safetensors and transformers: SCORE_PEFT_PYTHON, else tmp/venv/bin/python when it exists
// (tools/peft/README.md, "Testing"); skipped without one.
const ROOT = path.resolve(import.meta.dirname, '../../../..');
const PYTHON = process.env['SCORE_PEFT_PYTHON'] ?? [path.join(ROOT, 'tmp/venv/bin/python')].find((file) => fs.existsSync(file));

function python(args: string[]): string {
  const result = spawnSync(PYTHON!, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', HF_HUB_OFFLINE: '1' } });
  if (result.status !== 0) throw new Error(`python ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

const TITLES = ['Alien (1979)', 'Heat (1995)', 'Fargo (1996)', 'Brazil (1985)', 'Ran (1985)', 'Up (2009)'];
const prompt = (i: number) =>
  `The user has highly rated the following movies: "${TITLES[i % 6]}", "${TITLES[(i + 2) % 6]}". Based on this information, predict whether the user would enjoy the movie titled "${TITLES[(i + 1) % 6]}". Respond with either 'Yes' or 'No'.`;

describe.skipIf(PYTHON === undefined)('tools/peft/train_lora.py (the GPU route, on the CPU)', () => {
  it('tunes PEFT adapters on an exported tuning set, and the adapter loads into tfjs with PyTorch\'s logits', async () => {
    await initTensorflow();
    const root = tempDir();
    const tokenizer = trainTokenizer({ texts: Array.from({ length: 6 }, (_, i) => prompt(i)), vocabSize: 300, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
    const tokenizerFile = path.join(root, 'tokenizer.json');
    await tokenizer.save(tokenizerFile);
    const base = path.join(root, 'tiny-llama');
    const bos = tokenizer.specialTokens.bos ?? tokenizer.specialTokens.cls!;
    python([path.join(ROOT, 'tools/peft/make_tiny_llama.py'), '--tokenizer', tokenizerFile, '--bos-id', String(bos), '--out', base]);

    // An export as `score-train export` writes it: lora.json and the variant's chat JSONL.
    const exportDir = path.join(root, 'export');
    const examples = Array.from({ length: 12 }, (_, i) => ({ prompt: prompt(i), label: (i % 3 === 0 ? 1 : 0) as 0 | 1 }));
    exportTuningSet(path.join(exportDir, 'score', 'train.jsonl'), examples, { format: 'messages' });
    const settings: ExportSettings = {
      formatVersion: 1,
      base,
      lora: { r: 4, lora_alpha: 8, lora_dropout: 0.1, target_modules: ['q_proj', 'v_proj', 'down_proj'], layers_to_transform: [1] },
      training: { learning_rate: 0.05, epochs: 1, batch_size: 4, patience: 1 },
      answers: { yes: 'Yes', no: 'No' },
      variants: [{ name: 'score', variant: 'score', trainLines: 12, validLines: 0 }],
    };
    fs.writeFileSync(path.join(exportDir, 'lora.json'), JSON.stringify(settings));
    const probes = [prompt(20), prompt(21), prompt(23)];
    fs.writeFileSync(path.join(root, 'probe.json'), JSON.stringify(probes));
    const adapter = path.join(root, 'adapter');
    const stdout = python([path.join(ROOT, 'tools/peft/train_lora.py'), '--export', exportDir, '--variant', 'score', '--out', adapter, '--max-steps', '3', '--device', 'cpu', '--probe', path.join(root, 'probe.json'), '--probe-out', path.join(root, 'logits.json')]);
    expect(stdout).toContain('step 3/3');

    // PEFT's layout and names, with the settings of lora.json.
    const config = JSON.parse(fs.readFileSync(path.join(adapter, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, lora_dropout: 0.1, layers_to_transform: [1] });
    expect([...config.target_modules].sort()).toEqual(['down_proj', 'q_proj', 'v_proj']);
    const torchLogits = JSON.parse(fs.readFileSync(path.join(root, 'logits.json'), 'utf8')) as { ids: number[]; yesLogit: number; noLogit: number }[];

    const tuned = await loadRecLm(base, { adapterDir: adapter, maxPromptTokens: 512 });
    const plain = await loadRecLm(base, { maxPromptTokens: 512 });
    try {
      const scores = await tuned.scoreYesNo(probes);
      const untuned = await plain.scoreYesNo(probes);
      probes.forEach((text, i) => {
        expect(tuned.encodePrompt(text)).toEqual(torchLogits[i]!.ids);
        expect(Math.abs(scores[i]!.yesLogit - torchLogits[i]!.yesLogit)).toBeLessThan(1e-4);
        expect(Math.abs(scores[i]!.noLogit - torchLogits[i]!.noLogit)).toBeLessThan(1e-4);
        // Three steps at learning rate 0.05 moved the adapted model away from the base.
        expect(Math.abs(untuned[i]!.yesLogit - torchLogits[i]!.yesLogit)).toBeGreaterThan(1e-3);
      });
    } finally {
      await tuned.dispose();
      await plain.dispose();
    }
  }, 300_000);
});
