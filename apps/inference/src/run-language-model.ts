import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, BackendUnavailableError, DataFormatError, InvalidOptionError, type LanguageModel } from '@score/core';
import { loadHuggingFaceRecLm } from '@score/rec-lm';

/** The prompt settings the run's recommender LM was tuned with (read from the run's manifest). */
export interface RunPromptSettings {
  /** K_s of the rec stage (`rec.kept`, else `sare.kept`). */
  readonly ks?: number;
  /** K_e of the run (`car.retrieved`). */
  readonly retrieved?: number;
  /** Most recent history items written into a prompt (`rec.maxHistoryItems`). */
  readonly historyItems?: number;
  /** Most recent items of each similar user's behaviour (`rec.maxBehaviourItems`). */
  readonly behaviourItems?: number;
  /** Token budget of the in-process LM's prompts (`rec.maxPromptTokens`). */
  readonly maxPromptTokens?: number;
}

interface ManifestConfig {
  readonly car?: { readonly retrieved?: number };
  readonly sare?: { readonly kept?: number };
  readonly rec?: { readonly kept?: number; readonly maxHistoryItems?: number; readonly maxBehaviourItems?: number; readonly maxPromptTokens?: number; readonly model?: unknown };
}

function readManifestConfig(runDir: string): ManifestConfig | undefined {
  const file = path.join(runDir, 'manifest.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { config?: ManifestConfig }).config;
  } catch (cause) {
    throw new DataFormatError('is not valid JSON.', { path: file, cause });
  }
}

/** The prompt settings of a trainer run (empty for a run folder without a manifest, e.g. a bare dataset). */
export function readRunPromptSettings(runDir: string): RunPromptSettings {
  const config = readManifestConfig(runDir);
  const positive = (value: unknown): number | undefined => (Number.isInteger(value) && (value as number) > 0 ? (value as number) : undefined);
  const ks = positive(config?.rec?.kept) ?? positive(config?.sare?.kept);
  const retrieved = positive(config?.car?.retrieved);
  const historyItems = positive(config?.rec?.maxHistoryItems);
  const behaviourItems = positive(config?.rec?.maxBehaviourItems);
  const maxPromptTokens = positive(config?.rec?.maxPromptTokens);
  return {
    ...(ks ? { ks } : {}),
    ...(retrieved ? { retrieved } : {}),
    ...(historyItems ? { historyItems } : {}),
    ...(behaviourItems ? { behaviourItems } : {}),
    ...(maxPromptTokens ? { maxPromptTokens } : {}),
  };
}

/** Options of {@link loadRunLanguageModel}. */
export interface LoadRunLanguageModelOptions {
  /** Which prompt variant's tuned LM (a folder of `RUN/rec/models/`). @defaultValue "score" (full SCoRe) */
  readonly variant?: string;
}

/**
 * The run's own recommender LM (the `inprocess` backend): the full-SCoRe variant tuned by the rec
 * stage, `RUN/rec/models/score` (a Hugging Face Llama folder), or, when the run LoRA-tuned a
 * checkpoint, that checkpoint with the variant's PEFT adapter.
 * @throws ArtifactNotFoundError when the rec stage has not run; BackendUnavailableError when the run
 *   scored with an external backend (then pass that backend as `--llm`).
 */
export async function loadRunLanguageModel(runDir: string, options: LoadRunLanguageModelOptions = {}): Promise<LanguageModel> {
  const variant = options.variant ?? 'score';
  if (typeof variant !== 'string' || !/^[a-z-]+$/.test(variant)) throw new InvalidOptionError('variant', `must be a prompt variant name such as "score", got ${JSON.stringify(variant)}.`, variant);
  const recJson = path.join(runDir, 'rec', 'rec.json');
  if (!fs.existsSync(recJson)) throw new ArtifactNotFoundError(recJson, "The run's recommender LM", 'rec');
  let summary: { backend?: unknown; model?: unknown };
  try {
    summary = JSON.parse(fs.readFileSync(recJson, 'utf8')) as typeof summary;
  } catch (cause) {
    throw new DataFormatError('is not valid JSON.', { path: recJson, cause });
  }
  if (typeof summary.backend === 'string') {
    throw new BackendUnavailableError('in-process recommender LM', [
      { backend: 'inprocess', reason: `the run's rec stage tuned no model: it scored with the backend "${summary.backend}"; serve with --llm "${summary.backend}".` },
    ]);
  }
  const config = readManifestConfig(runDir);
  const maxPromptTokens = Number.isInteger(config?.rec?.maxPromptTokens) ? (config!.rec!.maxPromptTokens as number) + 8 : undefined;
  const dir = path.join(runDir, 'rec', 'models', variant);
  if (!fs.existsSync(dir)) throw new ArtifactNotFoundError(dir, `The tuned "${variant}" recommender LM`, 'rec');
  const model = summary.model;
  const base = model !== null && typeof model === 'object' && typeof (model as { base?: unknown }).base === 'string' ? (model as { base: string }).base : undefined;
  return base
    ? loadHuggingFaceRecLm(base, { adapterDir: dir, ...(maxPromptTokens ? { maxPromptTokens } : {}) })
    : loadHuggingFaceRecLm(dir, { ...(maxPromptTokens ? { maxPromptTokens } : {}) });
}
