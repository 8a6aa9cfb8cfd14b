import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError, DimensionMismatchError, InvalidOptionError, ModelMismatchError, writeFileAtomic, checkInteger } from '@score/core';
import { embeddingLookup, initTensorflow, openSafetensorsCheckpoint, tf, writeSafetensors } from '@score/tfjs-runtime';
import { checkTokenizerFits, EncoderBase, readCheckpointVariables } from './encoder-base';
import { fastMatMul } from './fast-mat-mul';
import { loadTokenizer } from './hf-tokenizer';
import { readJsonObject } from './model-folder';
import { l2Normalize, meanPool } from './pooling';
import type { Tokenizer } from './tokenizer';
import type { TrainableTextEncoder } from './trainable-encoder';

/** Shape of a {@link PooledEncoder}. */
export interface PooledEncoderConfig {
  readonly vocabSize: number;
  /** Width of the token embeddings. */
  readonly embeddingSize: number;
  /** Width of the output embedding (the projection's output). */
  readonly dimensions: number;
  /** Longest input (rows of the positional weights). */
  readonly maxPositions: number;
  /** Whether each position has a learned weight in the mean. */
  readonly positionWeights: boolean;
}

/** Options of {@link createPooledEncoder}. */
export interface PooledEncoderOptions {
  /** The tokenizer; its ids must fit `vocabSize`. */
  readonly tokenizer: Tokenizer;
  /** Rows of the token-embedding table. @defaultValue `tokenizer.vocabSize` */
  readonly vocabSize?: number;
  /** Width of the token embeddings. @defaultValue 128 */
  readonly embeddingSize?: number;
  /** Width of the output embedding. @defaultValue 128 */
  readonly dimensions?: number;
  /** Learn one weight per position that scales its token in the mean (initialised to 1). @defaultValue false */
  readonly positionWeights?: boolean;
  /** Texts are cut to this many tokens, special tokens included. @defaultValue 128 */
  readonly maxLength?: number;
  /** L2-normalise embeddings. @defaultValue true */
  readonly normalize?: boolean;
  /** Texts per forward pass in `embed`. @defaultValue 64 */
  readonly batchSize?: number;
  /** Seed of the weight initialisation. @defaultValue 42 */
  readonly seed?: number;
  /** @defaultValue "pooled:<embeddingSize>x<dimensions>" */
  readonly modelId?: string;
}

/** Options of {@link loadPooledEncoder}. */
export interface LoadPooledEncoderOptions {
  /** @defaultValue the folder's `tokenizer.json` */
  readonly tokenizer?: Tokenizer;
  /** @defaultValue 64 */
  readonly batchSize?: number;
  /** Texts are cut to this many tokens (at most `max_positions`). @defaultValue the folder's `score_encoder.max_length`, else `max_positions` */
  readonly maxLength?: number;
  /** @defaultValue "pooled:<folder name>" */
  readonly modelId?: string;
}

/** The `model_type` of a pooled encoder's `config.json`. */
export const POOLED_MODEL_TYPE = 'score-pooled';

/** Builds a PooledEncoder (its constructor is private); set by the class's static block. */
let constructPooledEncoder: (config: PooledEncoderConfig, weights: Map<string, tf.Variable>, settings: { tokenizer: Tokenizer; normalize: boolean; maxLength: number; batchSize: number; modelId: string }) => PooledEncoder;

/**
 * The fast CPU encoder: token embeddings (optionally weighted per position), masked mean pooling,
 * a linear projection, L2 normalisation. Trains in seconds where the transformer takes minutes.
 */
export class PooledEncoder extends EncoderBase implements TrainableTextEncoder {
  static {
    constructPooledEncoder = (config: PooledEncoderConfig, weights: Map<string, tf.Variable>, settings: { tokenizer: Tokenizer; normalize: boolean; maxLength: number; batchSize: number; modelId: string }) => new PooledEncoder(config, weights, settings);
  }

  /** A new encoder with random weights (the same as `createPooledEncoder`). */
  static create(options: PooledEncoderOptions): Promise<PooledEncoder> {
    return createPooledEncoder(options);
  }

  /** Loads an encoder saved by `save` (the same as `loadPooledEncoder`). */
  static load(dir: string, options: LoadPooledEncoderOptions = {}): Promise<PooledEncoder> {
    return loadPooledEncoder(dir, options);
  }

  readonly architecture = 'pooled' as const;
  readonly config: PooledEncoderConfig;

  private constructor(config: PooledEncoderConfig, weights: Map<string, tf.Variable>, settings: { tokenizer: Tokenizer; normalize: boolean; maxLength: number; batchSize: number; modelId: string }) {
    super({ ...settings, vocabSize: config.vocabSize, pooling: 'mean' }, weights);
    this.config = config;
  }

  get dimensions(): number {
    return this.config.dimensions;
  }

  embedTensor(ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
    const length = ids.shape[1];
    if (length > this.config.maxPositions) {
      throw new DimensionMismatchError(`An input of ${length} tokens (maxPositions)`, this.config.maxPositions, length);
    }
    return tf.tidy(() => {
      let tokens = embeddingLookup(this.weight('embeddings.word_embeddings.weight') as tf.Tensor2D, ids) as tf.Tensor3D;
      if (this.config.positionWeights) {
        const weights = tf.slice(this.weight('pooling.position_weights'), [0], [length]);
        tokens = tf.mul(tokens, tf.reshape(weights, [1, length, 1]));
      }
      const pooled = meanPool(tokens, mask);
      const projected = tf.add(fastMatMul(pooled, tf.transpose(this.weight('projection.weight'))), this.weight('projection.bias')) as tf.Tensor2D;
      return this.normalized ? l2Normalize(projected) : projected;
    });
  }

  async save(dir: string): Promise<void> {
    const tensors = [];
    for (const [name, variable] of this.namedWeights()) tensors.push({ name, shape: variable.shape, data: (await variable.data()) as Float32Array });
    await fs.promises.mkdir(dir, { recursive: true });
    writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
    const config = {
      model_type: POOLED_MODEL_TYPE,
      vocab_size: this.config.vocabSize,
      embedding_size: this.config.embeddingSize,
      dimensions: this.config.dimensions,
      max_positions: this.config.maxPositions,
      position_weights: this.config.positionWeights,
      score_encoder: { pooling: 'mean', normalize: this.normalized, max_length: this.maxLength },
    };
    await writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    await this.tokenizer.save(path.join(dir, 'tokenizer.json'));
  }
}

function shapes(config: PooledEncoderConfig): Map<string, number[]> {
  const out = new Map<string, number[]>([['embeddings.word_embeddings.weight', [config.vocabSize, config.embeddingSize]]]);
  if (config.positionWeights) out.set('pooling.position_weights', [config.maxPositions]);
  out.set('projection.weight', [config.dimensions, config.embeddingSize]);
  out.set('projection.bias', [config.dimensions]);
  return out;
}

/** Creates a pooled encoder with fresh weights (embeddings N(0, 0.1), projection N(0, 1/sqrt(embeddingSize))). */
export async function createPooledEncoder(options: PooledEncoderOptions): Promise<PooledEncoder> {
  if (!options || typeof options.tokenizer?.encodeBatch !== 'function') throw new InvalidOptionError('tokenizer', 'is required: pass a Tokenizer (loadTokenizer or trainTokenizer).');
  await initTensorflow();
  const maxLength = checkInteger('maxLength', options.maxLength ?? 128, 1);
  const config: PooledEncoderConfig = {
    vocabSize: checkInteger('vocabSize', options.vocabSize ?? options.tokenizer.vocabSize, 1),
    embeddingSize: checkInteger('embeddingSize', options.embeddingSize ?? 128, 1),
    dimensions: checkInteger('dimensions', options.dimensions ?? 128, 1),
    maxPositions: maxLength,
    positionWeights: options.positionWeights ?? false,
  };
  checkTokenizerFits(options.tokenizer, config.vocabSize);
  const seed = options.seed ?? 42;
  checkInteger('seed', seed);
  const weights = new Map<string, tf.Variable>();
  [...shapes(config)].forEach(([name, shape], index) => {
    const initial = tf.tidy(() => {
      if (name === 'pooling.position_weights') return tf.ones(shape);
      if (name === 'projection.bias') return tf.zeros(shape);
      const std = name === 'projection.weight' ? 1 / Math.sqrt(config.embeddingSize) : 0.1;
      return tf.truncatedNormal(shape, 0, std, 'float32', seed * 1009 + index);
    });
    weights.set(name, tf.variable(initial, true));
    initial.dispose();
  });
  return constructPooledEncoder(config, weights, {
    tokenizer: options.tokenizer,
    normalize: options.normalize ?? true,
    maxLength,
    batchSize: checkInteger('batchSize', options.batchSize ?? 64, 1),
    modelId: options.modelId ?? `pooled:${config.embeddingSize}x${config.dimensions}`,
  });
}

/** Loads a pooled encoder saved by {@link PooledEncoder.save} (`config.json`, `model.safetensors`, `tokenizer.json`). */
export async function loadPooledEncoder(dir: string, options: LoadPooledEncoderOptions = {}): Promise<PooledEncoder> {
  if (!fs.existsSync(dir)) throw new ArtifactNotFoundError(dir, 'Model folder');
  const configPath = path.join(dir, 'config.json');
  const json = readJsonObject(configPath, 'Model config (config.json)');
  if (json['model_type'] !== POOLED_MODEL_TYPE) {
    throw new ModelMismatchError(`model_type is ${JSON.stringify(json['model_type'])}, not "${POOLED_MODEL_TYPE}"; load BERT folders with loadBertEncoder.`, {
      path: configPath,
      expected: POOLED_MODEL_TYPE,
      actual: json['model_type'],
    });
  }
  const int = (key: string): number => {
    const value = json[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new DataFormatError(`"${key}" must be a positive integer, got ${JSON.stringify(value)}.`, { path: configPath, field: key });
    return value;
  };
  const config: PooledEncoderConfig = {
    vocabSize: int('vocab_size'),
    embeddingSize: int('embedding_size'),
    dimensions: int('dimensions'),
    maxPositions: int('max_positions'),
    positionWeights: json['position_weights'] === true,
  };
  const own = (json['score_encoder'] ?? {}) as { normalize?: unknown; max_length?: unknown };
  const tokenizer = options.tokenizer ?? (await loadTokenizer(path.join(dir, 'tokenizer.json')));
  checkTokenizerFits(tokenizer, config.vocabSize, path.join(dir, 'tokenizer.json'));
  await initTensorflow();
  const checkpoint = openSafetensorsCheckpoint(dir);
  const weights = readCheckpointVariables(dir, checkpoint, shapes(config), (name) => {
    if (!checkpoint.has(name)) throw new ModelMismatchError(`the checkpoint has no tensor "${name}", which config.json implies.`, { path: dir, expected: name });
    return name;
  });
  return constructPooledEncoder(config, weights, {
    tokenizer,
    normalize: typeof own.normalize === 'boolean' ? own.normalize : true,
    maxLength: options.maxLength !== undefined ? checkLoadedMaxLength(options.maxLength, config.maxPositions) : typeof own.max_length === 'number' ? Math.min(own.max_length, config.maxPositions) : config.maxPositions,
    batchSize: checkInteger('batchSize', options.batchSize ?? 64, 1),
    modelId: options.modelId ?? `pooled:${path.basename(path.resolve(dir))}`,
  });
}

function checkLoadedMaxLength(maxLength: number, maxPositions: number): number {
  checkInteger('maxLength', maxLength, 1);
  if (maxLength > maxPositions) throw new InvalidOptionError('maxLength', `${maxLength} is longer than the model's ${maxPositions} positions (max_positions); use at most ${maxPositions}.`, maxLength);
  return maxLength;
}
