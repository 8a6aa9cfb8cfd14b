import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DimensionMismatchError, InvalidOptionError, ModelMismatchError, writeFileAtomic, checkInteger } from '@score/core';
import { embeddingLookup, initTensorflow, openSafetensorsCheckpoint, tf, writeSafetensors } from '@score/tfjs-runtime';
import { type BertConfig, bertConfigFromJson, bertConfigToJson, bertWeightNames, bertWeightShape } from './bert-config';
import { checkTokenizerFits, EncoderBase, readCheckpointVariables } from './encoder-base';
import { fastMatMul, swapLastAxes } from './fast-mat-mul';
import { loadTokenizer } from './hf-tokenizer';
import { readFolderSettings, readJsonObject } from './model-folder';
import { l2Normalize, pool, type PoolingMode } from './pooling';
import type { Tokenizer } from './tokenizer';
import type { TrainableTextEncoder } from './trainable-encoder';

/** Options of {@link createBertEncoder}: a BERT-style transformer trained from scratch. */
export interface BertEncoderOptions {
  /** The tokenizer (e.g. from {@link trainTokenizer}); its ids must fit `vocabSize`. */
  readonly tokenizer: Tokenizer;
  /** Rows of the word-embedding table. @defaultValue `tokenizer.vocabSize` */
  readonly vocabSize?: number;
  /** Width of the token states and of the embedding. @defaultValue 128 */
  readonly hidden?: number;
  /** Encoder layers. @defaultValue 2 */
  readonly layers?: number;
  /** Attention heads; must divide `hidden`. @defaultValue 4 */
  readonly heads?: number;
  /** Width of the feed-forward layer. @defaultValue 4 * hidden */
  readonly intermediate?: number;
  /** Rows of the position table (the longest input the model can take). @defaultValue maxLength */
  readonly maxPositions?: number;
  /** Rows of the token-type table. @defaultValue 2 */
  readonly typeVocabSize?: number;
  /** LayerNorm epsilon. @defaultValue 1e-12 */
  readonly layerNormEps?: number;
  /** "mean" (masked mean of the token states) or "cls" (the first token's state). @defaultValue "mean" */
  readonly pooling?: PoolingMode;
  /** L2-normalise embeddings. @defaultValue true */
  readonly normalize?: boolean;
  /** Texts are cut to this many tokens, special tokens included. @defaultValue 128 */
  readonly maxLength?: number;
  /** Texts per forward pass in `embed`. @defaultValue 32 */
  readonly batchSize?: number;
  /** Seed of the weight initialisation (truncated normal, std 0.02, as HF BERT). @defaultValue 42 */
  readonly seed?: number;
  /** Name reported as `modelId`. @defaultValue "bert:scratch-<hidden>x<layers>" */
  readonly modelId?: string;
}

/** Options of {@link loadBertEncoder}; anything unset comes from the folder's files. */
export interface LoadBertEncoderOptions {
  /** @defaultValue the folder's `tokenizer.json` */
  readonly tokenizer?: Tokenizer;
  /** @defaultValue the folder's setting (score_encoder block, 1_Pooling/config.json), else "mean" */
  readonly pooling?: PoolingMode;
  /** @defaultValue the folder's setting (score_encoder block, modules.json), else true */
  readonly normalize?: boolean;
  /** @defaultValue the folder's setting (sentence_bert_config.json), else min(256, max_position_embeddings) */
  readonly maxLength?: number;
  /**
   * Texts per forward pass in `embed`.
   * @defaultValue the folder's `score_encoder.batch_size` (written by `save`); else 8 for a
   *   downloaded checkpoint (no `score_encoder` block: a pretrained model such as all-MiniLM-L6-v2,
   *   whose forward pass over 32 texts of 256 tokens overflows the wasm backend's heap), 32 for an
   *   older folder written by `save`
   */
  readonly batchSize?: number;
  /** @defaultValue "bert:<folder name>" */
  readonly modelId?: string;
}

/**
 * Default texts per tfjs forward pass of a downloaded BERT checkpoint in {@link loadBertEncoder}:
 * all-MiniLM-L6-v2's pass over 32 behaviour texts of ~200 tokens crashed the wasm backend (4 GB)
 * in CAR's base evaluation, and 100 P^s prompts of the rec stage overflowed its heap.
 */
export const PRETRAINED_BERT_BATCH = 8;

/** Large negative bias added to the attention scores of padding positions. */
export const ATTENTION_MASK_BIAS = -1e9;

/** Builds a BertEncoder (its constructor is private); set by the class's static block. */
let constructBertEncoder: (config: BertConfig, weights: Map<string, tf.Variable>, settings: { tokenizer: Tokenizer; pooling: PoolingMode; normalize: boolean; maxLength: number; batchSize: number; modelId: string }) => BertEncoder;

/** HF BertModel (post-LayerNorm encoder) in TensorFlow.js. */
export class BertEncoder extends EncoderBase implements TrainableTextEncoder {
  static {
    constructBertEncoder = (config: BertConfig, weights: Map<string, tf.Variable>, settings: { tokenizer: Tokenizer; pooling: PoolingMode; normalize: boolean; maxLength: number; batchSize: number; modelId: string }) => new BertEncoder(config, weights, settings);
  }

  /** A new encoder with random weights (the same as `createBertEncoder`). */
  static create(options: BertEncoderOptions): Promise<BertEncoder> {
    return createBertEncoder(options);
  }

  /** Loads a Hugging Face BERT folder or one saved by `save` (the same as `loadBertEncoder`). */
  static load(dir: string, options: LoadBertEncoderOptions = {}): Promise<BertEncoder> {
    return loadBertEncoder(dir, options);
  }

  readonly architecture = 'bert' as const;
  readonly config: BertConfig;

  private constructor(config: BertConfig, weights: Map<string, tf.Variable>, settings: { tokenizer: Tokenizer; pooling: PoolingMode; normalize: boolean; maxLength: number; batchSize: number; modelId: string }) {
    super({ ...settings, vocabSize: config.vocabSize }, weights);
    this.config = config;
  }

  get dimensions(): number {
    return this.config.hidden;
  }

  #layerNorm(x: tf.Tensor, prefix: string): tf.Tensor {
    const mean = tf.mean(x, -1, true);
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), -1, true);
    const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, this.config.layerNormEps)));
    return tf.add(tf.mul(normed, this.weight(`${prefix}.weight`)), this.weight(`${prefix}.bias`));
  }

  /** x [batch, length, in] times the HF Linear weight [out, in], plus bias. */
  #dense(x: tf.Tensor3D, prefix: string): tf.Tensor3D {
    const [batch, length, width] = x.shape;
    const weight = this.weight(`${prefix}.weight`);
    const out = fastMatMul(tf.reshape(x, [batch * length, width]), tf.transpose(weight));
    return tf.reshape(tf.add(out, this.weight(`${prefix}.bias`)), [batch, length, weight.shape[0]!]);
  }

  /** Token states of the last layer, [batch, length, hidden]: HF BertModel's `last_hidden_state` (no dropout). */
  hiddenStates(ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor3D {
    const [batch, length] = ids.shape;
    if (mask.shape[0] !== batch || mask.shape[1] !== length) {
      throw new DimensionMismatchError(`The attention mask (shape [${mask.shape.join(', ')}], ids [${batch}, ${length}])`, length, mask.shape[1]);
    }
    if (length > this.config.maxPositions) {
      throw new DimensionMismatchError(`An input of ${length} tokens (max_position_embeddings)`, this.config.maxPositions, length);
    }
    const { hidden, heads } = this.config;
    const headSize = hidden / heads;
    return tf.tidy(() => {
      const words = embeddingLookup(this.weight('embeddings.word_embeddings.weight') as tf.Tensor2D, ids);
      const positions = tf.slice(this.weight('embeddings.position_embeddings.weight'), [0, 0], [length, hidden]);
      const types = tf.slice(this.weight('embeddings.token_type_embeddings.weight'), [0, 0], [1, hidden]);
      let x = this.#layerNorm(tf.add(tf.add(words, positions), types), 'embeddings.LayerNorm') as tf.Tensor3D;
      // Padding positions get a large negative score before the softmax (HF's extended attention mask).
      const maskBias = tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, 'float32')), ATTENTION_MASK_BIAS), [batch, 1, 1, length]);
      const split = (t: tf.Tensor3D) => tf.transpose(tf.reshape(t, [batch, length, heads, headSize]), [0, 2, 1, 3]);
      for (let l = 0; l < this.config.layers; l++) {
        const p = `encoder.layer.${l}`;
        const q = split(this.#dense(x, `${p}.attention.self.query`));
        const k = split(this.#dense(x, `${p}.attention.self.key`));
        const v = split(this.#dense(x, `${p}.attention.self.value`));
        const scores = tf.add(tf.mul(fastMatMul(q, swapLastAxes(k)), 1 / Math.sqrt(headSize)), maskBias);
        const context = tf.reshape(tf.transpose(fastMatMul(tf.softmax(scores), v), [0, 2, 1, 3]), [batch, length, hidden]) as tf.Tensor3D;
        const attention = this.#layerNorm(tf.add(this.#dense(context, `${p}.attention.output.dense`), x), `${p}.attention.output.LayerNorm`) as tf.Tensor3D;
        const inner = this.#dense(attention, `${p}.intermediate.dense`);
        // GELU, exact form: 0.5 x (1 + erf(x / sqrt 2)) (Hendrycks & Gimpel 2016; HF "gelu").
        const activated = tf.mul(tf.mul(inner, 0.5), tf.add(1, tf.erf(tf.mul(inner, Math.SQRT1_2)))) as tf.Tensor3D;
        x = this.#layerNorm(tf.add(this.#dense(activated, `${p}.output.dense`), attention), `${p}.output.LayerNorm`) as tf.Tensor3D;
      }
      return x;
    });
  }

  embedTensor(ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const pooled = pool(this.hiddenStates(ids, mask), mask, this.pooling);
      return this.normalized ? l2Normalize(pooled) : pooled;
    });
  }

  async save(dir: string): Promise<void> {
    const tensors = [];
    for (const [name, variable] of this.namedWeights()) {
      tensors.push({ name, shape: variable.shape, data: (await variable.data()) as Float32Array });
    }
    await fs.promises.mkdir(dir, { recursive: true });
    writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
    const config = {
      ...bertConfigToJson(this.config, this.tokenizer.specialTokens.pad),
      score_encoder: { pooling: this.pooling, normalize: this.normalized, max_length: this.maxLength, batch_size: this.batchSize },
    };
    await writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    await this.tokenizer.save(path.join(dir, 'tokenizer.json'));
  }
}

function checkPooling(value: unknown): PoolingMode {
  if (value !== 'mean' && value !== 'cls') throw new InvalidOptionError('pooling', `must be "mean" or "cls", got ${JSON.stringify(value)}.`, value);
  return value;
}

function checkMaxLength(maxLength: number, maxPositions: number): number {
  checkInteger('maxLength', maxLength, 1);
  if (maxLength > maxPositions) {
    throw new InvalidOptionError('maxLength', `${maxLength} is longer than the model's ${maxPositions} positions (max_position_embeddings); use at most ${maxPositions}.`, maxLength);
  }
  return maxLength;
}

/**
 * Creates a BERT-style transformer with fresh weights (truncated normal, std 0.02; LayerNorm 1/0),
 * small by default so that it trains on two CPU cores: hidden 128, 2 layers, 4 heads.
 */
export async function createBertEncoder(options: BertEncoderOptions): Promise<BertEncoder> {
  if (!options || typeof options.tokenizer?.encodeBatch !== 'function') throw new InvalidOptionError('tokenizer', 'is required: pass a Tokenizer (loadTokenizer or trainTokenizer).');
  await initTensorflow();
  const hidden = checkInteger('hidden', options.hidden ?? 128, 1);
  const heads = checkInteger('heads', options.heads ?? 4, 1);
  if (hidden % heads !== 0) throw new InvalidOptionError('heads', `${heads} does not divide hidden ${hidden}; pick a divisor of ${hidden}.`, heads);
  const maxLength = checkInteger('maxLength', options.maxLength ?? 128, 1);
  const config: BertConfig = {
    vocabSize: checkInteger('vocabSize', options.vocabSize ?? options.tokenizer.vocabSize, 1),
    hidden,
    layers: checkInteger('layers', options.layers ?? 2, 1),
    heads,
    intermediate: checkInteger('intermediate', options.intermediate ?? 4 * hidden, 1),
    maxPositions: checkInteger('maxPositions', options.maxPositions ?? maxLength, 1),
    typeVocabSize: checkInteger('typeVocabSize', options.typeVocabSize ?? 2, 1),
    layerNormEps: options.layerNormEps ?? 1e-12,
  };
  if (!(config.layerNormEps > 0)) throw new InvalidOptionError('layerNormEps', `must be positive, got ${config.layerNormEps}.`, config.layerNormEps);
  checkTokenizerFits(options.tokenizer, config.vocabSize);
  const seed = options.seed ?? 42;
  checkInteger('seed', seed);
  const weights = new Map<string, tf.Variable>();
  bertWeightNames(config.layers).forEach((name, index) => {
    const shape = bertWeightShape(name, config);
    const initial = tf.tidy(() =>
      name.endsWith('LayerNorm.weight') ? tf.ones(shape) : name.endsWith('.bias') ? tf.zeros(shape) : tf.truncatedNormal(shape, 0, 0.02, 'float32', seed * 1009 + index),
    );
    weights.set(name, tf.variable(initial, true));
    initial.dispose();
  });
  return constructBertEncoder(config, weights, {
    tokenizer: options.tokenizer,
    pooling: checkPooling(options.pooling ?? 'mean'),
    normalize: options.normalize ?? true,
    maxLength: checkMaxLength(maxLength, config.maxPositions),
    batchSize: checkInteger('batchSize', options.batchSize ?? 32, 1),
    modelId: options.modelId ?? `bert:scratch-${hidden}x${config.layers}`,
  });
}

/** Checkpoint names a BERT weight may have: plain, under "bert.", and old gamma/beta LayerNorm names. */
function candidateNames(name: string): string[] {
  const legacy = name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
  return [...new Set([name, `bert.${name}`, legacy, `bert.${legacy}`])];
}

/**
 * Loads a BERT-family encoder from a Hugging Face folder (`config.json`, `model.safetensors` or a
 * sharded `model.safetensors.index.json`, `tokenizer.json`), or one saved by {@link BertEncoder.save}.
 * Weight names are HF BertModel's, with or without the `bert.` prefix (BERT, MiniLM, bge, e5);
 * MPNet/RoBERTa names are not read. Throws `ArtifactNotFoundError` for a missing file,
 * `ModelMismatchError` for a tokenizer that does not fit or a missing weight, and
 * `DimensionMismatchError` for a weight whose shape disagrees with `config.json`.
 */
export async function loadBertEncoder(dir: string, options: LoadBertEncoderOptions = {}): Promise<BertEncoder> {
  if (!fs.existsSync(dir)) throw new ArtifactNotFoundError(dir, 'Model folder');
  const configPath = path.join(dir, 'config.json');
  const config = bertConfigFromJson(readJsonObject(configPath, 'Model config (config.json)'), configPath);
  const tokenizer = options.tokenizer ?? (await loadTokenizer(path.join(dir, 'tokenizer.json')));
  checkTokenizerFits(tokenizer, config.vocabSize, path.join(dir, 'tokenizer.json'));
  const folder = readFolderSettings(dir);
  await initTensorflow();
  const checkpoint = openSafetensorsCheckpoint(dir);
  const weights = readCheckpointVariables(
    dir,
    checkpoint,
    bertWeightNames(config.layers).map((name) => [name, bertWeightShape(name, config)] as const),
    (name) => {
      const found = candidateNames(name).find((candidate) => checkpoint.has(candidate));
      if (found === undefined) {
        throw new ModelMismatchError(`the checkpoint has no tensor "${name}" (also tried the "bert." prefix and gamma/beta names) although config.json says ${config.layers} layers; is this a BERT-family model?`, {
          path: dir,
          expected: name,
        });
      }
      return found;
    },
  );
  return constructBertEncoder(config, weights, {
    tokenizer,
    pooling: checkPooling(options.pooling ?? folder.pooling ?? 'mean'),
    normalize: options.normalize ?? folder.normalize ?? true,
    maxLength: checkMaxLength(options.maxLength ?? folder.maxLength ?? Math.min(256, config.maxPositions), config.maxPositions),
    batchSize: checkInteger('batchSize', options.batchSize ?? folder.batchSize ?? (folder.savedByScore ? 32 : PRETRAINED_BERT_BATCH), 1),
    modelId: options.modelId ?? `bert:${path.basename(path.resolve(dir))}`,
  });
}
