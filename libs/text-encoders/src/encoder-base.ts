import { createMatrix, DimensionMismatchError, type EmbedOptions, type Float32Matrix, ModelMismatchError, ScoreError, checkInteger } from '@score/core';
import { type openSafetensorsCheckpoint, tf } from '@score/tfjs-runtime';
import type { PoolingMode } from './pooling';
import type { Tokenizer } from './tokenizer';
import type { EncoderInputs } from './trainable-encoder';

/** Settings every trainable encoder shares. */
export interface EncoderBaseSettings {
  readonly tokenizer: Tokenizer;
  readonly vocabSize: number;
  readonly maxLength: number;
  readonly batchSize: number;
  readonly normalize: boolean;
  readonly pooling: PoolingMode;
  readonly modelId: string;
}

/** Checks that a tokenizer's ids all fit an embedding table of `vocabSize` rows. */
export function checkTokenizerFits(tokenizer: Tokenizer, vocabSize: number, where?: string): void {
  if (tokenizer.vocabSize > vocabSize) {
    throw new ModelMismatchError(
      `the tokenizer has ${tokenizer.vocabSize} ids but the model's embedding table has ${vocabSize} rows, so ids ${vocabSize}..${tokenizer.vocabSize - 1} would be out of range; use the tokenizer the model was trained with.`,
      { path: where, expected: vocabSize, actual: tokenizer.vocabSize },
    );
  }
}

/** Indices of the encodings sorted by length (stable), so that batches pad little. */
export function lengthOrder(encodings: readonly { readonly ids: readonly number[] }[]): number[] {
  return encodings.map((_, i) => i).sort((a, b) => encodings[a]!.ids.length - encodings[b]!.ids.length || a - b);
}

/**
 * The forward passes of `embed`: the texts' indices sorted by length (stable), cut into batches of
 * `batchSize`. A threaded encoder runs exactly these batches, so its embeddings are bitwise those
 * of one thread.
 */
export function embedBatches(encodings: readonly { readonly ids: readonly number[] }[], batchSize: number): number[][] {
  const order = lengthOrder(encodings);
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}

/**
 * Reads an encoder's weights from its checkpoint in `dir` into trainable variables: `stored(name)`
 * gives the tensor's name in the file (throwing ModelMismatchError when it has none), `shapes`
 * the shape config.json implies for each name. Closes the checkpoint; on any failure the
 * variables read so far are disposed.
 * @throws DimensionMismatchError naming the tensor and axis whose size differs.
 */
export function readCheckpointVariables(
  dir: string,
  checkpoint: ReturnType<typeof openSafetensorsCheckpoint>,
  shapes: Iterable<readonly [string, number[]]>,
  stored: (name: string) => string,
): Map<string, tf.Variable> {
  const weights = new Map<string, tf.Variable>();
  try {
    for (const [name, expected] of shapes) {
      const found = stored(name);
      const tensor = checkpoint.read(found);
      const axis = expected.findIndex((size, i) => tensor.shape[i] !== size);
      if (axis >= 0 || tensor.shape.length !== expected.length) {
        const at = Math.max(axis, 0);
        throw new DimensionMismatchError(
          `Tensor "${found}" of ${dir} (shape [${tensor.shape.join(', ')}], config.json implies [${expected.join(', ')}]) on axis ${at}`,
          expected[at] ?? expected.length,
          tensor.shape[at] ?? tensor.shape.length,
        );
      }
      const initial = tf.tensor(tensor.data instanceof Float32Array ? tensor.data : Float32Array.from(tensor.data), expected, 'float32');
      weights.set(name, tf.variable(initial, true));
      initial.dispose();
    }
  } catch (error) {
    for (const variable of weights.values()) variable.dispose();
    throw error;
  } finally {
    checkpoint.close();
  }
  return weights;
}

/** What the BERT and pooled encoders share: tokenizing, batching `embed`, disposal. */
export abstract class EncoderBase {
  readonly tokenizer: Tokenizer;
  readonly maxLength: number;
  readonly normalized: boolean;
  readonly pooling: PoolingMode;
  readonly modelId: string;
  protected readonly vocabSize: number;
  protected readonly batchSize: number;
  protected readonly weights: Map<string, tf.Variable>;
  #disposed = false;

  protected constructor(settings: EncoderBaseSettings, weights: Map<string, tf.Variable>) {
    this.tokenizer = settings.tokenizer;
    this.maxLength = settings.maxLength;
    this.normalized = settings.normalize;
    this.pooling = settings.pooling;
    this.modelId = settings.modelId;
    this.vocabSize = settings.vocabSize;
    this.batchSize = settings.batchSize;
    this.weights = weights;
  }

  abstract readonly dimensions: number;
  abstract embedTensor(ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D;

  get trainableVariables(): tf.Variable[] {
    return [...this.weights.values()];
  }

  namedWeights(): ReadonlyMap<string, tf.Variable> {
    return this.weights;
  }

  protected weight(name: string): tf.Variable {
    if (this.#disposed) throw new ScoreError(`The encoder ${this.modelId} was disposed; create or load it again.`, { code: 'DISPOSED' });
    return this.weights.get(name)!;
  }

  tokenize(texts: readonly string[]): EncoderInputs {
    return this.#toTensors(texts.map((text) => this.tokenizer.encode(text, { maxLength: this.maxLength })));
  }

  /** Pads encodings to the longest and checks every id against the embedding table. */
  #toTensors(encodings: readonly { readonly ids: readonly number[] }[]): EncoderInputs {
    const length = Math.max(1, ...encodings.map((e) => e.ids.length));
    const ids = new Int32Array(encodings.length * length).fill(this.tokenizer.specialTokens.pad);
    const mask = new Int32Array(encodings.length * length);
    encodings.forEach((encoding, r) => {
      encoding.ids.forEach((id, c) => {
        if (id < 0 || id >= this.vocabSize) {
          throw new ModelMismatchError(`token id ${id} of text ${r} is outside the model's vocabulary of ${this.vocabSize} ids; the tokenizer does not match the model.`, {
            expected: this.vocabSize,
            actual: id,
          });
        }
        ids[r * length + c] = id;
        mask[r * length + c] = 1;
      });
    });
    return { ids: tf.tensor2d(ids, [encodings.length, length], 'int32'), mask: tf.tensor2d(mask, [encodings.length, length], 'int32') };
  }

  /** Texts per forward pass of `embed` when its options give none. */
  get embedBatchSize(): number {
    return this.batchSize;
  }

  /** Each text's token ids as `embed` feeds them to the model (cut to `maxLength`). */
  encodeTexts(texts: readonly string[]): { readonly ids: readonly number[] }[] {
    return texts.map((text) => this.tokenizer.encode(text, { maxLength: this.maxLength }));
  }

  /**
   * One forward pass over `encodings` (padded to the longest of them): their embeddings, row by
   * row in the given order. `embed` runs its length-sorted batches through this, so the same
   * batch gives the same bits wherever it runs (a threaded encoder's worker included).
   */
  async embedEncodings(encodings: readonly { readonly ids: readonly number[] }[]): Promise<Float32Array> {
    const result = tf.tidy(() => {
      const { ids, mask } = this.#toTensors(encodings);
      return this.embedTensor(ids, mask);
    });
    try {
      return (await result.data()) as Float32Array;
    } finally {
      result.dispose();
    }
  }

  /** Embeds in batches of similar length (less padding), writing rows back in input order. */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Matrix> {
    const batchSize = checkInteger('batchSize', options.batchSize ?? this.batchSize, 1);
    const width = this.dimensions;
    const out = new Float32Array(texts.length * width);
    const encodings = this.encodeTexts(texts);
    for (const rows of embedBatches(encodings, batchSize)) {
      options.signal?.throwIfAborted();
      const data = await this.embedEncodings(rows.map((r) => encodings[r]!));
      rows.forEach((r, i) => out.set(data.subarray(i * width, (i + 1) * width), r * width));
    }
    return createMatrix(texts.length, width, out);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const variable of this.weights.values()) variable.dispose();
  }
}
