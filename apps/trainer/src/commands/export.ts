import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError, writeFileAtomic } from '@score/core';
import { getModelEntry, modelNameOfSpec } from '@score/model-hub';
import { exportTuningSet } from '@score/rec-lm';
import type { Command } from 'commander';
import type { CommandContext, ContextFactory } from '../cli/command-context';
import { readManifest, MANIFEST_FILE } from '../pipeline/manifest';
import { promptFilePath, readPromptFile } from '../rec/prompt-files';
import type { ResolvedPromptSetSpec } from '@score/prompt-kit';
import { LORA_LEARNING_RATE } from '../stages/rec';

/** Name of the settings file `score-train export` writes beside the tuning sets (read by tools/peft/train_lora.py). */
export const EXPORT_SETTINGS_FILE = 'lora.json';

/** Flags of `score-train export`. */
export interface ExportFlags {
  /** Folder the tuning sets, adapters and lora.json are written to (created). */
  readonly out: string;
  /** A system message put before every prompt. @defaultValue none */
  readonly system?: string;
}

/** One exported variant (a folder of the export). */
export interface ExportedVariant {
  /** Folder name: the rec stage's model folder, e.g. "basic", "score" or "score-k15-s2". */
  readonly name: string;
  /** The prompt variant, e.g. "score". */
  readonly variant: string;
  /** Lines of `<name>/train.jsonl`. */
  readonly trainLines: number;
  /** Lines of `<name>/valid.jsonl`. */
  readonly validLines: number;
  /** `<name>/adapter` when the rec stage tuned LoRA adapters (PEFT layout), else absent. */
  readonly adapter?: string;
}

/** The settings file of an export ({@link EXPORT_SETTINGS_FILE}): what tools/peft/train_lora.py reads. */
export interface ExportSettings {
  readonly formatVersion: 1;
  /** The rec stage's base: `model:NAME`, a checkpoint folder or a .gguf file; "scratch" for the from-scratch LM. */
  readonly base: string;
  /** The Hugging Face repository of a registry base (its `upstream`), for PEFT on a GPU; absent otherwise. */
  readonly huggingFaceBase?: string;
  /** PEFT's LoraConfig fields. */
  readonly lora: { readonly r: number; readonly lora_alpha: number; readonly lora_dropout: number; readonly target_modules: readonly string[]; readonly layers_to_transform?: readonly number[] };
  /** The rec stage's training settings. */
  readonly training: { readonly learning_rate: number; readonly epochs: number; readonly batch_size: number; readonly patience: number };
  /** The answer words (each one token of the base's tokenizer). */
  readonly answers: { readonly yes: 'Yes'; readonly no: 'No' };
  /** The exported variants. */
  readonly variants: readonly ExportedVariant[];
}

interface RecSummary {
  readonly backend?: string;
  readonly variants: readonly { readonly variant: string; readonly promptSet: ResolvedPromptSetSpec; readonly dir: string }[];
}

/** Copies a file through a temp name and a rename. */
function copyAtomic(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const temp = `${to}.tmp-${process.pid}`;
  fs.copyFileSync(from, temp);
  fs.renameSync(temp, to);
}

/** The upstream Hugging Face repository id of a `model:NAME` base ("HuggingFaceTB/SmolLM2-135M-Instruct"), if any. */
function huggingFaceRepo(base: string): string | undefined {
  const name = modelNameOfSpec(base);
  if (name === undefined) return undefined;
  const upstream = getModelEntry(name).upstream;
  const match = upstream === undefined ? null : /^https:\/\/huggingface\.co\/([^/]+\/[^/]+)/.exec(upstream);
  return match?.[1];
}

/**
 * Runs `score-train export RUN --out DIR` (the GPU route, docs/method.md): for every LM the rec
 * stage tuned, writes its tuning set as chat JSON lines (`DIR/<name>/train.jsonl`, `valid.jsonl`:
 * `{"messages": [{"role": "user", ...}, {"role": "assistant", "content": "Yes"}], "label": 1}`, the
 * conversational form TRL's SFTTrainer and LLaMA-Factory's OpenAI/sharegpt format read), its LoRA
 * adapter in PEFT layout when the rec stage tuned one (`DIR/<name>/adapter/adapter_config.json`
 * and `adapter_model.safetensors`), and `DIR/lora.json` with the base, PEFT's LoraConfig fields
 * and the training settings for tools/peft/train_lora.py.
 * @throws ArtifactNotFoundError when the run has no manifest or no finished rec stage;
 *   InvalidOptionError when its rec stage only scored with a backend (nothing was tuned).
 */
export async function runExportCommand(runDir: string, flags: ExportFlags, context: CommandContext): Promise<ExportSettings> {
  const manifest = await readManifest(runDir);
  if (!manifest) throw new ArtifactNotFoundError(path.join(runDir, MANIFEST_FILE), 'The run manifest', 'run');
  const recDir = path.join(runDir, 'rec');
  const summaryFile = path.join(recDir, 'rec.json');
  if (!fs.existsSync(summaryFile)) throw new ArtifactNotFoundError(summaryFile, 'The rec stage summary', 'rec');
  const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as RecSummary;
  if (summary.backend !== undefined) {
    throw new InvalidOptionError('run', `the rec stage of ${runDir} only scored with the backend ${summary.backend}; it tuned nothing to export (rec.model must be "scratch" or { base, lora }).`, runDir);
  }
  const { rec } = manifest.config;
  const checkpoint = typeof rec.model === 'string' ? undefined : rec.model;
  const variants: ExportedVariant[] = [];
  let layers: readonly number[] | undefined;
  for (const entry of summary.variants) {
    const name = path.basename(entry.dir);
    const lines: Record<'train' | 'valid', number> = { train: 0, valid: 0 };
    for (const split of ['train', 'valid'] as const) {
      const records = await readPromptFile(promptFilePath(recDir, entry.promptSet, split));
      lines[split] = exportTuningSet(path.join(flags.out, name, `${split}.jsonl`), records.map((record) => ({ prompt: record.prompt, label: record.label })), { format: 'messages', ...(flags.system === undefined ? {} : { system: flags.system }) });
    }
    let adapter: string | undefined;
    const adapterConfig = path.join(recDir, entry.dir, 'adapter_config.json');
    if (checkpoint && fs.existsSync(adapterConfig)) {
      adapter = `${name}/adapter`;
      for (const file of ['adapter_config.json', 'adapter_model.safetensors']) copyAtomic(path.join(recDir, entry.dir, file), path.join(flags.out, adapter, file));
      layers ??= (JSON.parse(fs.readFileSync(adapterConfig, 'utf8')) as { layers_to_transform?: number[] }).layers_to_transform;
    }
    variants.push({ name, variant: entry.variant, trainLines: lines.train, validLines: lines.valid, ...(adapter ? { adapter } : {}) });
    context.logger.info(`export: ${name}: ${lines.train} train and ${lines.valid} valid lines${adapter ? `, adapter in ${path.join(flags.out, adapter)}` : ''}`);
  }
  // The rec stage's LoRA settings, or (from-scratch LM) the paper's: r 8, alpha 32, dropout 0.1 on all seven projections.
  const lora = checkpoint?.lora ?? { rank: 8, alpha: 32, dropout: 0.1, targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] };
  const base = checkpoint?.base ?? 'scratch';
  const huggingFaceBase = huggingFaceRepo(base);
  const settings: ExportSettings = {
    formatVersion: 1,
    base,
    ...(huggingFaceBase ? { huggingFaceBase } : {}),
    lora: { r: lora.rank, lora_alpha: lora.alpha, lora_dropout: lora.dropout, target_modules: lora.targets.map((target) => `${target}_proj`), ...(layers ? { layers_to_transform: layers } : {}) },
    training: { learning_rate: rec.learningRate ?? LORA_LEARNING_RATE, epochs: rec.epochs, batch_size: rec.batchSize, patience: rec.patience },
    answers: { yes: 'Yes', no: 'No' },
    variants,
  };
  await writeFileAtomic(path.join(flags.out, EXPORT_SETTINGS_FILE), `${JSON.stringify(settings, null, 2)}\n`);
  if (context.json) context.output.write(`${JSON.stringify(settings, null, 2)}\n`);
  else context.output.write(`Exported ${variants.length} tuning set(s)${variants.some((variant) => variant.adapter) ? ' and their PEFT adapters' : ''} to ${flags.out} (settings: ${path.join(flags.out, EXPORT_SETTINGS_FILE)}).\n`);
  return settings;
}

/** Adds `export` to the program. */
export function registerExportCommand(program: Command, contextFor: ContextFactory): void {
  program
    .command('export')
    .description('Write each variant\'s tuning set as chat JSON lines (TRL / LLaMA-Factory "messages" form) and its LoRA adapter in PEFT layout, with lora.json for tools/peft/train_lora.py (the GPU route).')
    .argument('<run>', 'run folder with a finished rec stage')
    .requiredOption('--out <dir>', 'folder to write the export to')
    .option('--system <text>', 'a system message put before every prompt')
    .option('--json', 'print lora.json')
    .option('--quiet', 'no logs below warn')
    .action(async (run: string, flags: ExportFlags & { json?: boolean; quiet?: boolean }) => {
      const context = contextFor(flags);
      try {
        await runExportCommand(run, flags, context);
      } finally {
        context.close();
      }
    });
}
