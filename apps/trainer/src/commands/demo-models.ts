import { type Logger, type ProgressCallback, ScoreError } from '@score/core';
import { defaultModelsDir, modelPath, type PulledModel, pullModel } from '@score/model-hub';
import { pullProgressCallback } from '../cli/pull-progress';
import type { ScoreConfig } from '../config/config-schema';
import { configModelNames } from '../config/resolve-config-models';

/** A model a run needs is not in the models cache and could not be pulled. */
export class ModelUnavailableError extends ScoreError {
  /** Registry name of the model whose pull failed. */
  readonly modelName: string;
  /** Every model of the run still missing from the cache when the pull failed (this one first). */
  readonly missing: readonly string[];

  constructor(modelName: string, key: string, missing: readonly string[], cacheDir: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Model "${modelName}" (${key}) is not in the models cache ${cacheDir} and could not be pulled: ${reason} ` +
        `Pull ${missing.length > 1 ? 'the missing models' : 'it'} where the network allows, \`score-train models pull ${missing.join(' ')}\` ` +
        '(or `--source hub`, or `--source local --from DIR` from a folder holding the files; SCORE_MODELS_DIR picks the cache), then run the command again.',
      { code: 'MODEL_UNAVAILABLE', cause },
    );
    this.modelName = modelName;
    this.missing = missing;
  }
}

/** Options of {@link pullConfigModels}. */
export interface PullConfigModelsOptions {
  /** Models cache folder. @defaultValue `SCORE_MODELS_DIR`, else `$XDG_CACHE_HOME/score/models`, else `~/.cache/score/models` */
  readonly cacheDir?: string;
  /** Receives each pull's progress (the `pull NAME` bar of `score-train models pull`). @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** Logs the pulls. @defaultValue none */
  readonly logger?: Logger;
  /** Aborts a pull. @defaultValue none */
  readonly signal?: AbortSignal;
}

/**
 * Pulls every registry model that `config` names (`model:NAME`, see `configModelNames`) into the
 * models cache before any stage runs, so a missing model fails the run at once rather than
 * after the earlier stages. Models already there are not pulled again. Returns the pulled (or
 * found) models, in the order the config names them.
 * @throws ModelUnavailableError naming the model, its config key and the `score-train models pull`
 *   command when a pull fails (no network, no pip, a hash mismatch...); the cause is the pull's error.
 */
export async function pullConfigModels(config: ScoreConfig, options: PullConfigModelsOptions = {}): Promise<PulledModel[]> {
  const cacheDir = options.cacheDir ?? defaultModelsDir();
  const needed = configModelNames(config);
  const pulled: PulledModel[] = [];
  for (const [index, { name, path }] of needed.entries()) {
    const onProgress = options.onProgress ? pullProgressCallback(options.onProgress, options.logger) : undefined;
    try {
      pulled.push(await pullModel(name, { cacheDir, logger: options.logger, signal: options.signal, onProgress }));
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const missing = needed.slice(index).map((model) => model.name).filter((model) => modelPath(model, { cacheDir }) === undefined);
      throw new ModelUnavailableError(name, path, missing.includes(name) ? missing : [name, ...missing], cacheDir, error);
    }
  }
  return pulled;
}
