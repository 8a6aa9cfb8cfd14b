import path from 'node:path';
import { loadBertEncoder } from './bert-encoder';
import { readJsonObject } from './model-folder';
import { loadPooledEncoder, POOLED_MODEL_TYPE } from './pooled-encoder';
import type { Tokenizer } from './tokenizer';
import type { TrainableTextEncoder } from './trainable-encoder';

/** Options of {@link loadTrainableEncoder}. */
export interface LoadTrainableEncoderOptions {
  /** @defaultValue the folder's `tokenizer.json` */
  readonly tokenizer?: Tokenizer;
  /** @defaultValue BERT: the folder's saved batch size, else 8 for a downloaded checkpoint (see `loadBertEncoder`); pooled: 64 */
  readonly batchSize?: number;
  /**
   * Texts are cut to this many tokens (at most the model's positions); a folder the encoder is
   * later saved to records it.
   * @defaultValue the folder's setting (see `loadBertEncoder`, `loadPooledEncoder`)
   */
  readonly maxLength?: number;
}

/** Loads a saved trainable encoder of either architecture, chosen by `config.json`'s `model_type`. */
export async function loadTrainableEncoder(dir: string, options: LoadTrainableEncoderOptions = {}): Promise<TrainableTextEncoder> {
  const config = readJsonObject(path.join(dir, 'config.json'), 'Model config (config.json)');
  return config['model_type'] === POOLED_MODEL_TYPE ? loadPooledEncoder(dir, options) : loadBertEncoder(dir, options);
}
