import { InvalidOptionError, ModelMismatchError, float16BitsToFloat32, float32ToFloat16Bits, createRandom } from '@score/core';
import { batchMatMul, embeddingLookup, fillNormal, type RandomSource, seededDropout, tf } from '@score/tfjs-runtime';
import type { LlamaConfig } from './llama-config';
import { frozenLinear, linear } from './linear';
import { expectedWeightShapes, isNormWeight } from './llama-weights';
import { type LoraConfig, type LoraOptions, loraModulePath, resolveLoraConfig } from './lora-config';
import type { PrefixStatesBackend } from './prefix-states-backend';
import { rotaryTables } from './rotary-tables';

/** One LoRA adapter: A is [r, in], B is [out, r] (PEFT layout). */
interface LoraPair {
  readonly a: tf.Variable;
  readonly b: tf.Variable;
}

/** Options of {@link LlamaModel.enablePrefixCache}. */
export interface PrefixCacheOptions {
  /** Number of frozen bottom blocks whose output is cached (adapters go on the blocks above). */
  readonly layers: number;
  /** Most bytes of cached states; the oldest entries go first. @defaultValue 2 GiB */
  readonly maxBytes?: number;
  /**
   * How states are stored: "float16" (2 bytes a value, rounding at the 1e-3 relative level) or
   * "float32" (4 bytes, exact).
   * @defaultValue "float16"
   */
  readonly storage?: 'float16' | 'float32';
  /**
   * Computes missing states in {@link LlamaModel.fillPrefixCache}, ahead of the forward pass
   * (e.g. `createOnnxPrefixBackend`: onnxruntime, multi-threaded); its `layers` must equal
   * `layers`. The cache owns it from then on and disposes it with the cache. Without it, tfjs
   * computes the missing states inside the forward pass (and `fillPrefixCache` does nothing).
   * @defaultValue none (tfjs)
   */
  readonly backend?: PrefixStatesBackend;
}

interface PrefixCache {
  readonly layers: number;
  readonly maxBytes: number;
  readonly storage: 'float16' | 'float32';
  readonly backend: PrefixStatesBackend | undefined;
  bytes: number;
  readonly states: Map<string, Uint16Array | Float32Array>;
  hits: number;
  misses: number;
  filled: number;
}

/** Releases a backend without waiting (its native memory goes; errors are of no use to the caller). */
function releaseBackend(backend: PrefixStatesBackend | undefined): void {
  if (backend) void backend.dispose().catch(() => undefined);
}

const HALF_TO_FLOAT = Float32Array.from({ length: 65536 }, (_, bits) => float16BitsToFloat32(bits));

/** Options of {@link LlamaModel.create}. */
export interface LlamaModelOptions {
  /** The model's shape. */
  readonly config: LlamaConfig;
  /**
   * Weights by Hugging Face name (shapes checked against `config`); missing means random
   * initialisation (normal, std `initStd`; norms at one).
   * @defaultValue random weights
   */
  readonly weights?: ReadonlyMap<string, Float32Array>;
  /** Seed of the random initialisation. @defaultValue 0 */
  readonly seed?: number;
  /** Standard deviation of random weights (Hugging Face's `initializer_range`). @defaultValue 0.02 */
  readonly initStd?: number;
  /** Where the weights came from, for error messages. @defaultValue "weights" */
  readonly source?: string;
  /** The model's name (e.g. a Hugging Face id), checked against adapters' base model. @defaultValue undefined */
  readonly name?: string;
}

/**
 * A Llama-style decoder-only transformer in TensorFlow.js: RMSNorm, rotary positions (Hugging
 * Face's rotate-half form), SwiGLU feed-forward, grouped-query attention, tied or untied output
 * embedding, and optional LoRA adapters on the seven projections. Weights use Hugging Face names
 * and the [out, in] layout (ported from transformers' `modeling_llama.py`).
 */
export class LlamaModel {
  readonly config: LlamaConfig;
  /** The model's name (e.g. "HuggingFaceTB/SmolLM-135M"), when known. */
  readonly name: string | undefined;
  readonly #weights = new Map<string, tf.Variable>();
  readonly #lora = new Map<string, LoraPair>();
  #loraConfig: LoraConfig | undefined;
  readonly #ropeCache = new Map<number, { cos: tf.Tensor2D; sin: tf.Tensor2D; mask: tf.Tensor2D }>();
  #disposed = false;
  #dropoutRandom: RandomSource = createRandom(0);
  #prefixCache: PrefixCache | undefined;
  readonly #frozenKernels = new Map<string, tf.Tensor2D>();

  private constructor(config: LlamaConfig, name: string | undefined) {
    this.config = config;
    this.name = name;
  }

  /** Builds a model from weights (checked against the config) or random ones. */
  static create(options: LlamaModelOptions): LlamaModel {
    const model = new LlamaModel(options.config, options.name);
    const shapes = expectedWeightShapes(options.config);
    const source = options.source ?? 'weights';
    const std = options.initStd ?? 0.02;
    if (!(std > 0)) throw new InvalidOptionError('initStd', `must be a positive number, got ${std}.`, std);
    if (options.weights) {
      for (const name of options.weights.keys()) {
        if (!shapes.has(name) && !(name === 'lm_head.weight' && options.config.tieWordEmbeddings)) {
          throw new ModelMismatchError(`tensor "${name}" is not part of a Llama model with ${options.config.numLayers} layers; the config does not match the checkpoint.`, { path: source, actual: name });
        }
      }
    }
    const random = createRandom(options.seed ?? 0);
    try {
      for (const [name, shape] of shapes) {
        const size = shape.reduce((a, b) => a * b, 1);
        let data = options.weights?.get(name);
        if (options.weights && !data) {
          throw new ModelMismatchError(`tensor "${name}" (shape [${shape.join(', ')}]) is missing.`, { path: source, expected: name });
        }
        if (data && data.length !== size) {
          throw new ModelMismatchError(
            `tensor "${name}" has ${data.length} values but the config (hidden_size ${options.config.hiddenSize}, intermediate_size ${options.config.intermediateSize}, vocab_size ${options.config.vocabSize}, ${options.config.numHeads} heads, ${options.config.numKeyValueHeads} key/value heads) needs shape [${shape.join(', ')}] = ${size} values.`,
            { path: source, expected: shape, actual: data.length },
          );
        }
        if (!data) {
          data = isNormWeight(name) ? new Float32Array(size).fill(1) : fillNormal(new Float32Array(size), random, std);
        }
        // tf.variable shares the initial tensor's buffer: dispose the tensor so that dispose() of the variable frees it.
        const initial = tf.tensor(data, [...shape], 'float32');
        model.#weights.set(name, tf.variable(initial, true));
        initial.dispose();
      }
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  }

  /** Number of parameters of the base model (adapters excluded). */
  get parameterCount(): number {
    let count = 0;
    for (const variable of this.#weights.values()) count += variable.size;
    return count;
  }

  /** The LoRA settings when adapters are attached. */
  get lora(): LoraConfig | undefined {
    return this.#loraConfig;
  }

  /** Hugging Face names of the base weights, in the model's order. */
  weightNames(): string[] {
    return [...this.#weights.keys()];
  }

  /** A base weight by Hugging Face name (a live variable: do not dispose). */
  weight(name: string): tf.Variable {
    const variable = this.#weights.get(name);
    if (!variable) throw new InvalidOptionError('name', `"${name}" is not a weight of this model.`, name);
    return variable;
  }

  /** Copies of every base weight by Hugging Face name. */
  async readWeights(): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, variable] of this.#weights) out.set(name, { shape: variable.shape, data: (await variable.data()) as Float32Array });
    return out;
  }

  /** Copies of the adapters by module path: A [r, in], B [out, r]. */
  async readLora(): Promise<Map<string, { a: { shape: number[]; data: Float32Array }; b: { shape: number[]; data: Float32Array } }>> {
    const out = new Map<string, { a: { shape: number[]; data: Float32Array }; b: { shape: number[]; data: Float32Array } }>();
    for (const [module, pair] of this.#lora) {
      out.set(module, {
        a: { shape: pair.a.shape, data: (await pair.a.data()) as Float32Array },
        b: { shape: pair.b.shape, data: (await pair.b.data()) as Float32Array },
      });
    }
    return out;
  }

  /**
   * Attaches LoRA adapters (A random with PEFT's Kaiming-uniform bound 1/sqrt(in), B zero) or,
   * with `weights`, the given ones; from then on only the adapters train.
   */
  attachLora(options: LoraOptions = {}, weights?: ReadonlyMap<string, { a: Float32Array; b: Float32Array }>): LoraConfig {
    if (this.#loraConfig) throw new InvalidOptionError('lora', 'this model already has LoRA adapters; merge or detach them first.');
    const config = resolveLoraConfig(options);
    const uniform = createRandom(options.seed ?? 0);
    const layers = config.layersToTransform ?? Array.from({ length: this.config.numLayers }, (_, layer) => layer);
    const outside = layers.find((layer) => layer >= this.config.numLayers);
    if (outside !== undefined) throw new InvalidOptionError('lora.layersToTransform', `lists block ${outside}, but the model has ${this.config.numLayers} blocks (0..${this.config.numLayers - 1}).`, outside);
    const cache = this.#prefixCache;
    if (cache && layers[0]! < cache.layers) {
      throw new InvalidOptionError('lora.layersToTransform', `adapts block ${layers[0]}, below the ${cache.layers} frozen blocks whose states are cached; adapt blocks >= ${cache.layers} or disable the cache.`, layers[0]);
    }
    for (const layer of layers) {
      for (const target of config.targetModules) {
        const module = loraModulePath(layer, target);
        const [out, input] = this.weight(`${module}.weight`).shape as [number, number];
        const given = weights?.get(module);
        if (weights && !given) throw new ModelMismatchError(`the adapter has no weights for "${module}", which its target_modules list.`, { expected: module });
        if (given && (given.a.length !== config.rank * input || given.b.length !== out * config.rank)) {
          throw new ModelMismatchError(
            `the adapter of "${module}" has A of ${given.a.length} and B of ${given.b.length} values, but this base model needs A [${config.rank}, ${input}] and B [${out}, ${config.rank}]; the adapter was trained for another base model.`,
            { expected: [[config.rank, input], [out, config.rank]], actual: [given.a.length, given.b.length] },
          );
        }
        let a = given?.a;
        if (!a) {
          const bound = 1 / Math.sqrt(input);
          a = new Float32Array(config.rank * input);
          for (let i = 0; i < a.length; i++) a[i] = (uniform() * 2 - 1) * bound;
        }
        const b = given?.b ?? new Float32Array(out * config.rank);
        this.#lora.set(module, { a: tf.variable(tf.tensor2d(a, [config.rank, input]), true), b: tf.variable(tf.tensor2d(b, [out, config.rank]), true) });
      }
    }
    this.#loraConfig = config;
    return config;
  }

  /** Frees the transposed frozen weights that LoRA training keeps between steps (`trainRecLm` calls it when it ends). */
  releaseFrozenKernels(): void {
    for (const kernel of this.#frozenKernels.values()) kernel.dispose();
    this.#frozenKernels.clear();
  }

  /** Removes the adapters (and frees them), leaving the base model. */
  detachLora(): void {
    this.releaseFrozenKernels();
    for (const pair of this.#lora.values()) {
      pair.a.dispose();
      pair.b.dispose();
    }
    this.#lora.clear();
    this.#loraConfig = undefined;
  }

  /** Folds the adapters into the base weights: W <- W + (alpha / r) B A; then detaches them. */
  mergeLora(): void {
    const config = this.#loraConfig;
    if (!config) throw new InvalidOptionError('lora', 'this model has no LoRA adapters to merge.');
    const scale = config.alpha / config.rank;
    for (const [module, pair] of this.#lora) {
      const weight = this.weight(`${module}.weight`);
      const merged = tf.tidy(() => tf.add(weight, tf.mul(tf.matMul(pair.b, pair.a), scale)));
      weight.assign(merged);
      merged.dispose();
    }
    this.detachLora();
  }

  /** Sets the generator of the LoRA dropout masks (the trainer passes its seeded one). */
  setDropoutRandom(random: RandomSource): void {
    this.#dropoutRandom = random;
  }

  /** Variables that training updates: the adapters when attached, else every base weight. */
  trainableVariables(): tf.Variable[] {
    if (this.#loraConfig) return [...this.#lora.values()].flatMap((pair) => [pair.a, pair.b]);
    return [...this.#weights.values()];
  }

  /**
   * Caches the output of the first `layers` blocks per token sequence, so that tuning adapters on
   * the blocks above computes the frozen lower blocks once per prompt instead of once per epoch
   * (see the package README, "Top-k route"). Only valid while those blocks do not change: adapters
   * must sit on blocks >= `layers` (checked here and by `attachLora`), and the cache is bypassed
   * when the model has no adapters (full training). States are stored as float16 by default (2
   * bytes per value: hidden x 2 bytes per token), first in first out once `maxBytes` is reached.
   * With a `backend` (e.g. onnxruntime) {@link LlamaModel.fillPrefixCache} computes the missing
   * states ahead of the forward pass; the scoring and training paths of this package call it.
   */
  enablePrefixCache(options: PrefixCacheOptions): void {
    const layers = options.layers;
    if (!Number.isInteger(layers) || layers < 1 || layers >= this.config.numLayers) {
      throw new InvalidOptionError('layers', `must be an integer in [1, ${this.config.numLayers - 1}] (frozen blocks below the tuned ones), got ${layers}.`, layers);
    }
    const maxBytes = options.maxBytes ?? 2 ** 31;
    if (!(maxBytes > 0)) throw new InvalidOptionError('maxBytes', `must be a positive number, got ${maxBytes}.`, maxBytes);
    const storage = options.storage ?? 'float16';
    if (storage !== 'float16' && storage !== 'float32') throw new InvalidOptionError('storage', `must be "float16" or "float32", got ${JSON.stringify(storage)}.`, storage);
    const backend = options.backend;
    if (backend && backend.layers !== layers) throw new InvalidOptionError('backend', `computes ${backend.layers} blocks, but the cache holds the states after ${layers}; create it with layers: ${layers}.`, backend.layers);
    const lowest = this.#loraConfig ? (this.#loraConfig.layersToTransform ?? [0])[0]! : undefined;
    if (lowest !== undefined && lowest < layers) {
      throw new InvalidOptionError('layers', `is ${layers}, but block ${lowest} has adapters; the cached blocks must be frozen.`, layers);
    }
    if (this.#prefixCache?.backend !== backend) releaseBackend(this.#prefixCache?.backend);
    this.#prefixCache = { layers, maxBytes, storage, backend, bytes: 0, states: new Map(), hits: 0, misses: 0, filled: 0 };
  }

  /** Drops the prefix cache (and its memory; its backend is disposed). */
  disablePrefixCache(): void {
    releaseBackend(this.#prefixCache?.backend);
    this.#prefixCache = undefined;
  }

  /**
   * Size and use of the prefix cache, when enabled: `misses` counts states computed by tfjs inside
   * the forward pass, `filled` those computed ahead by the backend ({@link LlamaModel.fillPrefixCache}).
   */
  get prefixCacheStats():
    | { readonly layers: number; readonly entries: number; readonly bytes: number; readonly hits: number; readonly misses: number; readonly filled: number; readonly backend: string; readonly storage: 'float16' | 'float32' }
    | undefined {
    const cache = this.#prefixCache;
    return cache && { layers: cache.layers, entries: cache.states.size, bytes: cache.bytes, hits: cache.hits, misses: cache.misses, filled: cache.filled, backend: cache.backend?.kind ?? 'tfjs', storage: cache.storage };
  }

  /**
   * Computes, with the cache's backend, the states of every sequence missing from the prefix
   * cache (distinct sequences once; sorted by length and run `batchSize` at a time, right-padded),
   * so that the forward passes that follow find them all. Does nothing without a backend (tfjs
   * then computes them inside the forward pass, as before) or without adapters (the cache is not
   * used). Returns how many states it computed.
   */
  async fillPrefixCache(sequences: readonly (readonly number[])[], options: { readonly batchSize?: number; readonly signal?: AbortSignal } = {}): Promise<number> {
    const cache = this.#prefixCache;
    if (!cache?.backend || !this.#loraConfig) return 0;
    const batchSize = options.batchSize ?? 8;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidOptionError('batchSize', `must be a positive integer, got ${batchSize}.`, batchSize);
    const missing = new Map<string, readonly number[]>();
    for (const sequence of sequences) {
      const key = sequence.join(',');
      if (!cache.states.has(key) && !missing.has(key)) missing.set(key, sequence);
    }
    const rows = [...missing].sort((a, b) => a[1].length - b[1].length);
    const hidden = this.config.hiddenSize;
    for (let start = 0; start < rows.length; start += batchSize) {
      options.signal?.throwIfAborted();
      const batch = rows.slice(start, start + batchSize);
      const time = batch[batch.length - 1]![1].length;
      if (time > this.config.maxPositionEmbeddings) {
        throw new InvalidOptionError('sequences', `hold ${time} positions, more than the model's max_position_embeddings (${this.config.maxPositionEmbeddings}); shorten the prompts.`, time);
      }
      const ids = new Int32Array(batch.length * time);
      batch.forEach(([, sequence], b) => ids.set(sequence, b * time));
      const data = await cache.backend.states(ids, batch.length, time);
      if (this.#prefixCache !== cache) return start;
      batch.forEach(([key, sequence], b) => this.#store(cache, key, data.subarray(b * time * hidden, (b * time + sequence.length) * hidden)));
      cache.filled += batch.length;
      this.#evict(cache);
    }
    return rows.length;
  }

  /** Stores one row's states [length * hidden] under its key, in the cache's storage. */
  #store(cache: PrefixCache, key: string, values: Float32Array): void {
    let stored: Uint16Array | Float32Array;
    if (cache.storage === 'float32') stored = values.slice();
    else {
      stored = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) stored[i] = float32ToFloat16Bits(values[i]!);
    }
    cache.states.set(key, stored);
    cache.bytes += stored.byteLength;
  }

  /** First in, first out down to the limit. */
  #evict(cache: PrefixCache): void {
    for (const [key, stored] of cache.states) {
      if (cache.bytes <= cache.maxBytes) break;
      cache.states.delete(key);
      cache.bytes -= stored.byteLength;
    }
  }

  /**
   * The residual stream [batch * time, hidden] after the token embedding and blocks
   * 0..`layers`-1 of right-padded ids [batch, time], computed by tfjs without any cache (what the
   * prefix cache stores). Call inside `tf.tidy`.
   */
  prefixStates(ids: tf.Tensor2D, layers: number): tf.Tensor2D {
    if (!Number.isInteger(layers) || layers < 1 || layers > this.config.numLayers) {
      throw new InvalidOptionError('layers', `must be an integer in [1, ${this.config.numLayers}], got ${layers}.`, layers);
    }
    const [batch, time] = ids.shape;
    return this.#blocks(this.#embed(ids), batch, time, 0, layers, false);
  }

  /** The residual stream after the cached blocks, [batch * time, hidden], from the cache or computed and stored. */
  #cachedPrefix(cache: PrefixCache, ids: tf.Tensor2D, lengths: readonly number[]): tf.Tensor2D {
    const [batch, time] = ids.shape;
    const hidden = this.config.hiddenSize;
    const values = ids.dataSync();
    const keys = lengths.map((length, b) => Array.prototype.join.call(values.subarray(b * time, b * time + length), ','));
    const missing = [...new Set(keys.filter((key) => !cache.states.has(key)))];
    cache.hits += keys.length - missing.length;
    cache.misses += missing.length;
    if (missing.length > 0) {
      const rows = missing.map((key) => key.split(',').map(Number));
      const longest = Math.max(...rows.map((row) => row.length));
      const padded = new Int32Array(rows.length * longest);
      rows.forEach((row, r) => padded.set(row, r * longest));
      const states = tf.tidy(() => {
        const h = this.#embed(tf.tensor2d(padded, [rows.length, longest], 'int32'));
        return this.#blocks(h, rows.length, longest, 0, cache.layers, false);
      });
      const data = states.dataSync() as Float32Array;
      states.dispose();
      rows.forEach((row, r) => this.#store(cache, missing[r]!, data.subarray(r * longest * hidden, (r * longest + row.length) * hidden)));
    }
    const out = new Float32Array(batch * time * hidden);
    keys.forEach((key, b) => {
      const stored = cache.states.get(key)!;
      const offset = b * time * hidden;
      if (stored instanceof Float32Array) out.set(stored, offset);
      else for (let i = 0; i < stored.length; i++) out[offset + i] = HALF_TO_FLOAT[stored[i]!]!;
    });
    // First in, first out down to the limit (after this batch's rows were read).
    this.#evict(cache);
    return tf.tensor2d(out, [batch * time, hidden]);
  }

  #embed(ids: tf.Tensor2D): tf.Tensor2D {
    return embeddingLookup(this.weight('model.embed_tokens.weight') as tf.Tensor2D, tf.reshape(ids, [-1])) as tf.Tensor2D;
  }

  #rope(length: number): { cos: tf.Tensor2D; sin: tf.Tensor2D; mask: tf.Tensor2D } {
    let cached = this.#ropeCache.get(length);
    if (!cached) {
      const { headDim, ropeTheta } = this.config;
      const { cos, sin, mask } = rotaryTables(length, headDim, ropeTheta);
      cached = tf.tidy(() => ({
        cos: tf.keep(tf.tensor2d(cos, [length, headDim])),
        sin: tf.keep(tf.tensor2d(sin, [length, headDim])),
        mask: tf.keep(tf.tensor2d(mask, [length, length])),
      }));
      this.#ropeCache.set(length, cached);
    }
    return cached;
  }

  #linear(x: tf.Tensor2D, module: string, training: boolean): tf.Tensor2D {
    const weight = this.weight(`${module}.weight`) as tf.Tensor2D;
    // Under LoRA the base weights are frozen: skip their (discarded) gradients.
    let y = this.#loraConfig ? frozenLinear(x, weight, this.#frozenKernel(module, weight, training)) : linear(x, weight);
    const pair = this.#lora.get(module);
    if (pair && this.#loraConfig) {
      const input = training && this.#loraConfig.dropout > 0 ? (seededDropout(x, this.#loraConfig.dropout, this.#dropoutRandom) as tf.Tensor2D) : x;
      const update = linear(linear(input, pair.a as tf.Tensor2D), pair.b as tf.Tensor2D);
      y = tf.add(y, tf.mul(update, this.#loraConfig.alpha / this.#loraConfig.rank)) as tf.Tensor2D;
    }
    return y;
  }

  #rmsNorm(x: tf.Tensor, name: string): tf.Tensor {
    // RMSNorm: x / sqrt(mean(x^2) + eps) * w.
    const variance = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, this.config.rmsNormEps))), this.weight(name));
  }

  #applyRope(x: tf.Tensor4D, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor4D {
    // x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1] (transformers' apply_rotary_pos_emb).
    const half = this.config.headDim / 2;
    const [x1, x2] = tf.split(x, [half, half], 3);
    const rotated = tf.concat([tf.neg(x2!), x1!], 3);
    return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
  }

  /**
   * Final-norm hidden states [batch, time, hidden] of right-padded token ids [batch, time].
   * Causal attention means padding after a sequence never changes its states. `lengths` (real
   * tokens per row) lets the prefix cache ({@link LlamaModel.enablePrefixCache}) key rows by
   * their tokens; without it rows are keyed in full. Call inside `tf.tidy`.
   */
  hiddenStates(ids: tf.Tensor2D, training = false, lengths?: readonly number[]): tf.Tensor3D {
    const [batch, time] = ids.shape;
    if (time > this.config.maxPositionEmbeddings) {
      throw new InvalidOptionError('ids', `has ${time} positions, more than the model's max_position_embeddings (${this.config.maxPositionEmbeddings}); shorten the prompts.`, time);
    }
    const cache = this.#loraConfig ? this.#prefixCache : undefined;
    const start = cache ? cache.layers : 0;
    const h = cache ? this.#cachedPrefix(cache, ids, lengths ?? new Array<number>(batch).fill(time)) : this.#embed(ids);
    const out = this.#blocks(h, batch, time, start, this.config.numLayers, training);
    return tf.reshape(this.#rmsNorm(out, 'model.norm.weight'), [batch, time, this.config.hiddenSize]);
  }

  /**
   * Final-norm hidden states [batch, hidden] at each row's last real position (scoring only): the
   * blocks below the top one run on every position, the top block only on the last one (its keys
   * and values still over every position), since nothing else reaches the next-token logits. The
   * same dot products, in the same order, as {@link LlamaModel.hiddenStates} followed by a gather
   * (a test checks the logits agree).
   */
  #lastHiddenStates(ids: tf.Tensor2D, lengths: readonly number[], training = false): tf.Tensor2D {
    const [batch, time] = ids.shape;
    if (time > this.config.maxPositionEmbeddings) {
      throw new InvalidOptionError('ids', `has ${time} positions, more than the model's max_position_embeddings (${this.config.maxPositionEmbeddings}); shorten the prompts.`, time);
    }
    const { numHeads, numKeyValueHeads, headDim, numLayers, hiddenSize } = this.config;
    const cache = this.#loraConfig ? this.#prefixCache : undefined;
    const start = cache ? cache.layers : 0;
    const top = numLayers - 1;
    let h = cache ? this.#cachedPrefix(cache, ids, lengths) : this.#embed(ids);
    if (start < top) h = this.#blocks(h, batch, time, start, top, training);
    const { cos, sin, mask } = this.#rope(time);
    const last = tf.tensor1d(lengths.map((length) => length - 1), 'int32');
    const rows = tf.tensor1d(lengths.map((length, b) => b * time + length - 1), 'int32');
    const groups = numHeads / numKeyValueHeads;
    const p = `model.layers.${top}`;
    const x = this.#rmsNorm(h, `${p}.input_layernorm.weight`) as tf.Tensor2D;
    const xLast = embeddingLookup(x, rows) as tf.Tensor2D;
    const at = (table: tf.Tensor2D) => tf.reshape(tf.gather(table, last), [batch, 1, 1, headDim]) as tf.Tensor4D;
    // Query heads j*g .. j*g+g-1 share key/value head j: [batch, kv, g, headDim] against [batch, kv, time, headDim].
    const q = this.#applyRope(tf.reshape(this.#linear(xLast, `${p}.self_attn.q_proj`, training), [batch, numKeyValueHeads, groups, headDim]), at(cos), at(sin));
    const heads = (t: tf.Tensor2D): tf.Tensor4D => tf.transpose(tf.reshape(t, [batch, time, numKeyValueHeads, headDim]), [0, 2, 1, 3]);
    const k = this.#applyRope(heads(this.#linear(x, `${p}.self_attn.k_proj`, training)), cos, sin);
    const v = heads(this.#linear(x, `${p}.self_attn.v_proj`, training));
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim)), tf.reshape(tf.gather(mask, last), [batch, 1, 1, time]));
    const merged = tf.reshape(tf.matMul(tf.softmax(scores, -1), v), [batch, numHeads * headDim]) as tf.Tensor2D;
    let hLast = tf.add(embeddingLookup(h, rows), this.#linear(merged, `${p}.self_attn.o_proj`, training)) as tf.Tensor2D;
    const y = this.#rmsNorm(hLast, `${p}.post_attention_layernorm.weight`) as tf.Tensor2D;
    const gate = this.#linear(y, `${p}.mlp.gate_proj`, training);
    const activated = tf.mul(tf.mul(gate, tf.sigmoid(gate)), this.#linear(y, `${p}.mlp.up_proj`, training)) as tf.Tensor2D;
    hLast = tf.add(hLast, this.#linear(activated, `${p}.mlp.down_proj`, training));
    return tf.reshape(this.#rmsNorm(hLast, 'model.norm.weight'), [batch, hiddenSize]) as tf.Tensor2D;
  }

  /** Runs blocks [from, to) on the residual stream h [batch * time, hidden]. */
  #blocks(input: tf.Tensor2D, batch: number, time: number, from: number, to: number, training: boolean): tf.Tensor2D {
    const { numHeads, numKeyValueHeads, headDim } = this.config;
    const { cos, sin, mask } = this.#rope(time);
    const groups = numHeads / numKeyValueHeads;
    let h = input;
    const heads = (x: tf.Tensor2D, count: number): tf.Tensor4D => tf.transpose(tf.reshape(x, [batch, time, count, headDim]), [0, 2, 1, 3]);
    for (let layer = from; layer < to; layer++) {
      const p = `model.layers.${layer}`;
      const x = this.#rmsNorm(h, `${p}.input_layernorm.weight`) as tf.Tensor2D;
      const q = this.#applyRope(heads(this.#linear(x, `${p}.self_attn.q_proj`, training), numHeads), cos, sin);
      let k = this.#applyRope(heads(this.#linear(x, `${p}.self_attn.k_proj`, training), numKeyValueHeads), cos, sin);
      let v = heads(this.#linear(x, `${p}.self_attn.v_proj`, training), numKeyValueHeads);
      let attended: tf.Tensor4D;
      if (!training) {
        // Scoring. Grouped-query attention without copying keys and values: query heads j*g ..
        // j*g+g-1 (contiguous) share key/value head j, so [batch * kv, g * time, headDim] queries
        // meet the kv heads directly (g = 1 without grouping). Every score and output is the same
        // dot product as with repeat_kv; only scoring takes this route (training keeps repeat_kv's
        // gradient summation order). batchMatMul runs the per-head products on XNNPACK on wasm,
        // with tf.matMul's values to the last bit.
        const grouped = tf.reshape(q, [batch * numKeyValueHeads, groups * time, headDim]) as tf.Tensor3D;
        const keys = tf.reshape(k, [batch * numKeyValueHeads, time, headDim]) as tf.Tensor3D;
        const scores = tf.add(tf.reshape(tf.mul(batchMatMul(grouped, keys, true), 1 / Math.sqrt(headDim)), [batch, numKeyValueHeads, groups, time, time]), mask);
        const weights = tf.reshape(tf.softmax(scores, -1), [batch * numKeyValueHeads, groups * time, time]) as tf.Tensor3D;
        attended = tf.reshape(batchMatMul(weights, tf.reshape(v, [batch * numKeyValueHeads, time, headDim]) as tf.Tensor3D), [batch, numHeads, time, headDim]);
      } else {
        if (groups > 1) {
          // Grouped-query attention: key/value head j serves query heads j*g .. j*g+g-1 (repeat_kv).
          const repeat = (t: tf.Tensor4D): tf.Tensor4D =>
            tf.reshape(tf.tile(tf.reshape(t, [batch, numKeyValueHeads, 1, time * headDim]), [1, 1, groups, 1]), [batch, numHeads, time, headDim]);
          k = repeat(k);
          v = repeat(v);
        }
        const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim)), mask);
        attended = tf.matMul(tf.softmax(scores, -1), v);
      }
      const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch * time, numHeads * headDim]) as tf.Tensor2D;
      h = tf.add(h, this.#linear(merged, `${p}.self_attn.o_proj`, training));
      const y = this.#rmsNorm(h, `${p}.post_attention_layernorm.weight`) as tf.Tensor2D;
      // SwiGLU: down(silu(gate(y)) * up(y)).
      const gate = this.#linear(y, `${p}.mlp.gate_proj`, training);
      const activated = tf.mul(tf.mul(gate, tf.sigmoid(gate)), this.#linear(y, `${p}.mlp.up_proj`, training)) as tf.Tensor2D;
      h = tf.add(h, this.#linear(activated, `${p}.mlp.down_proj`, training));
    }
    return h;
  }

  /**
   * Output logits of final hidden states [rows, hidden]: [rows, vocab], or [rows, k] for only the
   * `tokens` given (e.g. the Yes/No pair); `training` lets a frozen head keep its transpose across steps. Call inside `tf.tidy`.
   */
  logitsOf(hidden: tf.Tensor2D, tokens?: readonly number[], training = false): tf.Tensor2D {
    const head = (this.config.tieWordEmbeddings ? this.weight('model.embed_tokens.weight') : this.weight('lm_head.weight')) as tf.Tensor2D;
    const rows = tokens ? (embeddingLookup(head, tf.tensor1d(tokens as number[], 'int32')) as tf.Tensor2D) : head;
    return this.#loraConfig ? frozenLinear(hidden, rows, tokens ? undefined : this.#frozenKernel('lm_head', rows, training)) : linear(hidden, rows);
  }

  /**
   * W^T of a frozen base weight, kept across training steps (training only, so that the blocks
   * below a prefix cache or scoring passes add no memory); dropped with the adapters or by
   * {@link LlamaModel.releaseFrozenKernels}.
   */
  #frozenKernel(key: string, weight: tf.Tensor2D, training: boolean): tf.Tensor2D | undefined {
    let kernel = this.#frozenKernels.get(key);
    // Only the head, and the blocks above a prefix cache (the top-k route): W^T of every block
    // would add the base model's size again, and tfjs-wasm fails beyond a 2 GB heap.
    if (!kernel && training && (key === 'lm_head' || this.#prefixCache)) {
      kernel = tf.keep(tf.tidy(() => tf.transpose(weight)));
      this.#frozenKernels.set(key, kernel);
    }
    return kernel;
  }

  /**
   * Logits [batch, vocab] of the next token after each sequence's last token (right-padded batch,
   * `lengths[b]` real tokens in row b); [batch, k] with `tokens`. Call inside `tf.tidy`.
   */
  lastLogits(ids: tf.Tensor2D, lengths: readonly number[], training = false, tokens?: readonly number[]): tf.Tensor2D {
    const [batch, time] = ids.shape;
    // Without adapters (so without LoRA dropout) training takes the same route: the rows it skips
    // get no gradient anyway (a test checks that the updated weights are the same).
    if (!training || !this.#loraConfig) return this.logitsOf(this.#lastHiddenStates(ids, lengths, training), tokens, training);
    const hidden = tf.reshape(this.hiddenStates(ids, training, lengths), [batch * time, this.config.hiddenSize]);
    const rows = tf.tensor1d(lengths.map((length, b) => b * time + length - 1), 'int32');
    // embeddingLookup: a gather whose gradient runs on every backend (wasm lacks UnsortedSegmentSum).
    return this.logitsOf(embeddingLookup(hidden as tf.Tensor2D, rows) as tf.Tensor2D, tokens, training);
  }

  /** Next-token logits after each token sequence (batched; no special tokens are added). */
  async nextTokenLogits(sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
    if (sequences.length === 0) return [];
    const time = Math.max(...sequences.map((s) => s.length));
    const ids = new Int32Array(sequences.length * time);
    sequences.forEach((sequence, b) => {
      if (sequence.length === 0) throw new InvalidOptionError(`sequences[${b}]`, 'must hold at least one token.');
      sequence.forEach((id, t) => {
        if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize) {
          throw new InvalidOptionError(`sequences[${b}][${t}]`, `token id ${id} is outside the vocabulary (0..${this.config.vocabSize - 1}).`, id);
        }
        ids[b * time + t] = id;
      });
    });
    await this.fillPrefixCache(sequences);
    const logits = tf.tidy(() => this.lastLogits(tf.tensor2d(ids, [sequences.length, time], 'int32'), sequences.map((s) => s.length)));
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    const vocab = this.config.vocabSize;
    return sequences.map((_, b) => data.slice(b * vocab, (b + 1) * vocab));
  }

  /** Frees every tensor of the model. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.disablePrefixCache();
    this.detachLora();
    for (const variable of this.#weights.values()) variable.dispose();
    this.#weights.clear();
    for (const cached of this.#ropeCache.values()) {
      cached.cos.dispose();
      cached.sin.dispose();
      cached.mask.dispose();
    }
    this.#ropeCache.clear();
  }
}
