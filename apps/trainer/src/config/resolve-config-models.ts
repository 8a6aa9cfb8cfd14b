import type { Logger, ProgressCallback } from '@score/core';
import { listModels, modelNameOfSpec, resolveModelSpec } from '@score/model-hub';
import { pullProgressCallback } from '../cli/pull-progress';
import type { ConfigProblem } from './config-error';
import type { ScoreConfig } from './config-schema';

/** The config keys that may name a model, by the stage that opens it. */
export const MODEL_KEYS_BY_STAGE: Readonly<Record<string, readonly string[]>> = Object.freeze({
  car: ['car.encoder'],
  assess: ['assess.llm', 'assess.embedder'],
  sare: ['sare.encoder'],
  rec: ['rec.model'],
  eval: ['rec.model'],
});

/** Options of {@link resolveStageModels}. */
export interface ResolveStageModelsOptions {
  /** Receives the pull's progress (a bar). @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** Logs the pulls. @defaultValue none */
  readonly logger?: Logger;
  /** Aborts a pull. @defaultValue none */
  readonly signal?: AbortSignal;
}

/**
 * The config a stage runs with: every `model:NAME` in the keys the stage opens
 * (`assess.llm: llamacpp:model:smollm2-135m-instruct`, `car.encoder: bert:model:all-minilm-l6-v2`,
 * `rec.model.base: model:NAME`, ...) replaced by the local path of the pulled model, pulled into
 * the models cache first when needed. The run's config and its hashes keep `model:NAME` (the
 * registry pins each model's bytes by sha256), so a run does not go stale when the cache moves.
 * Returns `config` itself when nothing names a model.
 */
export async function resolveStageModels(config: ScoreConfig, stage: string, options: ResolveStageModelsOptions = {}): Promise<ScoreConfig> {
  const keys = MODEL_KEYS_BY_STAGE[stage] ?? [];
  const pull = {
    logger: options.logger,
    signal: options.signal,
    onProgress: options.onProgress ? pullProgressCallback(options.onProgress, options.logger) : undefined,
  };
  let resolved: ScoreConfig = config;
  for (const key of keys) {
    const [section, field] = key.split('.') as [keyof ScoreConfig, string];
    const value = (config[section] as Record<string, unknown>)[field];
    let next: unknown = value;
    if (typeof value === 'string') next = await resolveModelSpec(value, pull);
    else if (value && typeof value === 'object' && typeof (value as { base?: unknown }).base === 'string') {
      const base = (value as { base: string }).base;
      const resolvedBase = await resolveModelSpec(base, pull);
      if (resolvedBase !== base) next = { ...value, base: resolvedBase };
    }
    if (next !== value) resolved = { ...resolved, [section]: { ...(resolved[section] as object), [field]: next } };
  }
  return resolved;
}

/** The model specs of a config: each key path (`rec.model.base` for a checkpoint) and its value. */
function modelSpecs(config: ScoreConfig): { path: string; spec: string }[] {
  const specs: { path: string; spec: string }[] = [];
  for (const key of new Set(Object.values(MODEL_KEYS_BY_STAGE).flat())) {
    const [section, field] = key.split('.') as [keyof ScoreConfig, string];
    const value = (config[section] as Record<string, unknown>)[field];
    if (typeof value === 'string') specs.push({ path: key, spec: value });
    else if (value && typeof value === 'object' && typeof (value as { base?: unknown }).base === 'string') specs.push({ path: `${key}.base`, spec: (value as { base: string }).base });
  }
  // The zero-shot LLM (pulled by the eval stage itself).
  if (config.eval.zeroShot) specs.push({ path: 'eval.zeroShot.llm', spec: config.eval.zeroShot.llm });
  return specs;
}

/**
 * The registry models a config names (`model:NAME` in `car.encoder`, `assess.llm`,
 * `assess.embedder`, `sare.encoder`, `rec.model.base`, `eval.zeroShot.llm`), each once, in that
 * order, with the first key that names it. Specs that are paths or not models (`pooled`,
 * `metadata`, `scratch`) give nothing.
 */
export function configModelNames(config: ScoreConfig): { name: string; path: string }[] {
  const names = new Map<string, string>();
  for (const { path, spec } of modelSpecs(config)) {
    const name = modelNameOfSpec(spec);
    if (name !== undefined && !names.has(name)) names.set(name, path);
  }
  return [...names].map(([name, path]) => ({ name, path }));
}

/**
 * Config problems for `model:NAME` specs whose name the registry does not know, found when the
 * config is loaded (before any stage runs or any download starts).
 */
export function unknownModelProblems(config: ScoreConfig): ConfigProblem[] {
  const known = listModels().map((entry) => entry.name);
  return modelSpecs(config).flatMap(({ path, spec }) => {
    const name = modelNameOfSpec(spec);
    if (name === undefined || known.includes(name)) return [];
    return [{ path, message: `names the unknown model "${name}" in "${spec}"; known models: ${known.join(', ')} (\`score-train models list\`)` }];
  });
}
