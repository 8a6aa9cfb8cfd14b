import { ModelMismatchError } from '@score/core';
import { assignCheckpointWeights, loadCheckpoint } from '@score/tfjs-runtime';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type EmbeddingRecommender, type RecommenderConfig } from './embedding-recommender';
import { MatrixFactorizationRecommender } from './matrix-factorization';
import type { MatrixFactorizationOptions, SasrecOptions } from './options';
import { SasrecRecommender } from './sasrec';
import { IdVocabulary } from './vocabulary';

/** The recommender families this package can load. */
export type RecommenderModelName = 'sasrec' | 'mf';

/** What {@link loadRecommender} must find in the checkpoint. */
export interface LoadRecommenderOptions {
  /** The model family the caller wants; another one in the folder is a `ModelMismatchError`. @defaultValue any */
  readonly model?: RecommenderModelName;
  /**
   * Options the caller expects (e.g. `{ hiddenSize: 64 }`): each one given must equal the saved
   * config's value, else `ModelMismatchError`. @defaultValue no check
   */
  readonly options?: SasrecOptions | MatrixFactorizationOptions;
}

function mismatch(path: string, message: string, expected?: unknown, actual?: unknown): ModelMismatchError {
  return new ModelMismatchError(message, { path, expected, actual });
}

/**
 * Loads a recommender saved by `save(dir)`: config.json (model, options, vocabularies) and
 * model.safetensors. A loaded model scores exactly as the saved one.
 * @throws ArtifactNotFoundError when a file is missing; ModelMismatchError when the config is not
 *   a recommender config, names another model or other options than requested, or the weights do
 *   not match the config.
 */
export function loadRecommender(dir: string, options: LoadRecommenderOptions = {}): EmbeddingRecommender {
  const checkpoint = loadCheckpoint(dir);
  const configPath = checkpoint.configPath;
  const config = checkpoint.config as Partial<RecommenderConfig> | null;
  if (!config || typeof config !== 'object' || config.format !== CHECKPOINT_FORMAT) {
    throw mismatch(configPath, `is not a recommender config (expected "format": "${CHECKPOINT_FORMAT}").`, CHECKPOINT_FORMAT, config?.format);
  }
  if (config.version !== CHECKPOINT_VERSION) {
    throw mismatch(configPath, `has config version ${String(config.version)}; this package reads version ${CHECKPOINT_VERSION}.`, CHECKPOINT_VERSION, config.version);
  }
  if (config.model !== 'sasrec' && config.model !== 'mf') {
    throw mismatch(configPath, `names model ${JSON.stringify(config.model)}; this package loads "sasrec" and "mf".`, 'sasrec | mf', config.model);
  }
  if (options.model !== undefined && options.model !== config.model) {
    throw mismatch(configPath, `holds a "${config.model}" model, but a "${options.model}" model was requested.`, options.model, config.model);
  }
  const saved = (config.options ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(options.options ?? {})) {
    if (value !== undefined && saved[key] !== value) {
      throw mismatch(configPath, `was saved with ${key} = ${JSON.stringify(saved[key])}, but ${JSON.stringify(value)} was requested.`, value, saved[key]);
    }
  }
  if (!Array.isArray(config.items) || config.items.length === 0) throw mismatch(configPath, 'has no "items" vocabulary.');
  let model: EmbeddingRecommender;
  try {
    model = config.model === 'sasrec' ? new SasrecRecommender(saved as SasrecOptions) : new MatrixFactorizationRecommender(saved as MatrixFactorizationOptions);
  } catch (error) {
    throw mismatch(configPath, `has invalid options: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (config.model === 'mf' && !Array.isArray(config.users)) throw mismatch(configPath, 'is an MF config without a "users" vocabulary.');
  model.setVocabularies(new IdVocabulary('item', config.items), config.users ? new IdVocabulary('user', config.users) : undefined);
  const variables = model.buildVariables();
  try {
    assignCheckpointWeights(checkpoint.weightsPath, checkpoint.weights, variables);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
