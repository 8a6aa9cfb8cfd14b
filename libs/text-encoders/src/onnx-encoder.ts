import fs from 'node:fs';
import path from 'node:path';
import {
  ArtifactNotFoundError,
  BackendUnavailableError,
  createMatrix,
  DimensionMismatchError,
  type EmbedOptions,
  type Float32Matrix,
  InvalidOptionError,
  ModelMismatchError,
  ScoreError,
  type TextEmbeddingModel,
  checkInteger,
} from '@score/core';
import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { ensureBertOnnxExport, hasSafetensorsCheckpoint, ONNX_EXPORT_RECORD } from './bert-onnx-export';
import { checkTokenizerFits, lengthOrder } from './encoder-base';
import { loadTokenizer } from './hf-tokenizer';
import { type FolderSettings, readFolderSettings } from './model-folder';
import { l2NormalizeRows, type PoolingMode, poolArray } from './pooling';
import type { Tokenizer } from './tokenizer';

/** Options of {@link createOnnxEncoder}. Give `modelDir`, or `modelPath` and `tokenizerPath`, or `model` and `tokenizer`. */
export interface OnnxEncoderOptions {
  /**
   * The ONNX model itself (a serialised ModelProto, e.g. from `bertToOnnxBytes`) instead of a
   * file; then give `tokenizer` (or `tokenizerPath`), and pooling, normalisation and length are
   * read from `modelDir` only when it is given.
   * @defaultValue none (the model is read from `modelPath` / `modelDir`)
   */
  readonly model?: Uint8Array;
  /** A Hugging Face / sentence-transformers folder: `model.onnx` (or `onnx/model.onnx`), `tokenizer.json`, configs. */
  readonly modelDir?: string;
  /** The `.onnx` file. @defaultValue `<modelDir>/model.onnx`, else `<modelDir>/onnx/model.onnx` */
  readonly modelPath?: string;
  /** @defaultValue `<modelDir>/tokenizer.json`, else `tokenizer.json` beside the model file */
  readonly tokenizerPath?: string;
  /** A tokenizer already loaded (overrides `tokenizerPath`). @defaultValue loaded from `tokenizerPath` */
  readonly tokenizer?: Tokenizer;
  /** "mean" or "cls" pooling of `last_hidden_state`. @defaultValue `1_Pooling/config.json`, else "mean" */
  readonly pooling?: PoolingMode;
  /** L2-normalise embeddings. @defaultValue whether `modules.json` has a Normalize module (when the folder has one), else true */
  readonly normalize?: boolean;
  /** Texts are cut to this many tokens. @defaultValue `sentence_bert_config.json` max_seq_length, else 256 (capped by max_position_embeddings) */
  readonly maxLength?: number;
  /** Texts per forward pass. @defaultValue 32 */
  readonly batchSize?: number;
  /** onnxruntime intra-op threads. @defaultValue onnxruntime's choice (all cores) */
  readonly intraOpThreads?: number;
  /** onnxruntime inter-op threads. @defaultValue onnxruntime's choice */
  readonly interOpThreads?: number;
  /** The graph output to read: a [batch, sequence, width] output is pooled, a [batch, width] one used as is. @defaultValue "last_hidden_state" when present, else "sentence_embedding", else the first output */
  readonly outputName?: string;
  /** The embedding width the caller expects; a model with another width is a `DimensionMismatchError`. @defaultValue not checked */
  readonly dimensions?: number;
  /** @defaultValue "onnx:<folder or file name>" */
  readonly modelId?: string;
  /**
   * Where the ONNX export of a `modelDir` without an `.onnx` file but with a BERT-family
   * `config.json` + `model.safetensors` is written (see {@link ensureBertOnnxExport}; done once,
   * reused afterwards). Set `false` to refuse such folders instead.
   * @defaultValue `<modelDir>/onnx`
   */
  readonly exportDir?: string | false;
}

type Ort = typeof OrtModule;

async function loadOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    throw new BackendUnavailableError('ONNX Runtime', [{ backend: 'onnxruntime-node', reason: `error loading onnxruntime-node. Reason: ${error instanceof Error ? error.message : String(error)}` }]);
  }
}

async function resolveModelPath(options: OnnxEncoderOptions): Promise<string> {
  if (options.modelPath !== undefined) {
    if (!fs.existsSync(options.modelPath)) throw new ArtifactNotFoundError(options.modelPath, 'ONNX model file');
    return options.modelPath;
  }
  if (options.modelDir === undefined) throw new InvalidOptionError('modelDir', 'give modelDir (a model folder) or modelPath (an .onnx file).');
  const candidates = [path.join(options.modelDir, 'model.onnx'), path.join(options.modelDir, 'onnx', 'model.onnx')];
  const exportDir = options.exportDir === false ? undefined : (options.exportDir ?? path.join(options.modelDir, 'onnx'));
  // A model.onnx that ensureBertOnnxExport wrote goes through it again (it re-exports a changed checkpoint), unless exporting is off.
  const found = candidates.find((candidate) => fs.existsSync(candidate) && (exportDir === undefined || !fs.existsSync(path.join(path.dirname(candidate), ONNX_EXPORT_RECORD))));
  if (found) return found;
  if (exportDir !== undefined && hasSafetensorsCheckpoint(options.modelDir)) return ensureBertOnnxExport(options.modelDir, { exportDir });
  throw new ArtifactNotFoundError(candidates[0]!, 'ONNX model file (model.onnx or onnx/model.onnx)');
}

/** A sentence embedder running an ONNX graph with onnxruntime-node. */
export class OnnxEncoder implements TextEmbeddingModel {
  readonly modelId: string;
  readonly normalized: boolean;
  readonly tokenizer: Tokenizer;
  readonly pooling: PoolingMode;
  readonly maxLength: number;
  /** The graph output read. */
  readonly outputName: string;
  #dimensions = 0;
  #session: InferenceSession | undefined;
  readonly #ort: Ort;
  readonly #batchSize: number;
  readonly #vocabLimit: number | undefined;

  private constructor(ort: Ort, session: InferenceSession, settings: { modelId: string; normalize: boolean; tokenizer: Tokenizer; pooling: PoolingMode; maxLength: number; batchSize: number; outputName: string; vocabLimit?: number }) {
    this.#ort = ort;
    this.#session = session;
    this.modelId = settings.modelId;
    this.normalized = settings.normalize;
    this.tokenizer = settings.tokenizer;
    this.pooling = settings.pooling;
    this.maxLength = settings.maxLength;
    this.#batchSize = settings.batchSize;
    this.outputName = settings.outputName;
    this.#vocabLimit = settings.vocabLimit;
  }

  /** Opens the model and tokenizer; see {@link createOnnxEncoder}. */
  static async create(options: OnnxEncoderOptions): Promise<OnnxEncoder> {
    const inMemory = options.model !== undefined;
    if (inMemory && !(options.model instanceof Uint8Array)) throw new InvalidOptionError('model', 'must be the bytes of an ONNX model (a Uint8Array).', options.model);
    if (inMemory && options.tokenizer === undefined && options.tokenizerPath === undefined && options.modelDir === undefined) {
      throw new InvalidOptionError('tokenizer', 'is required with "model" (the ONNX bytes): give tokenizer, tokenizerPath or modelDir.');
    }
    const modelPath = inMemory ? (options.modelId ?? 'onnx:in-memory') : await resolveModelPath(options);
    const dir = inMemory ? options.modelDir : (options.modelDir ?? path.dirname(modelPath));
    const folder: FolderSettings = dir === undefined ? {} : readFolderSettings(dir);
    const tokenizerPath = options.tokenizerPath ?? path.join(dir ?? '.', 'tokenizer.json');
    const tokenizer = options.tokenizer ?? (await loadTokenizer(tokenizerPath));
    if (folder.vocabSize !== undefined) checkTokenizerFits(tokenizer, folder.vocabSize, tokenizerPath);
    const pooling = options.pooling ?? folder.pooling ?? 'mean';
    if (pooling !== 'mean' && pooling !== 'cls') throw new InvalidOptionError('pooling', `must be "mean" or "cls", got ${JSON.stringify(pooling)}.`, pooling);
    let maxLength = checkInteger('maxLength', options.maxLength ?? folder.maxLength ?? 256, 1);
    if (folder.maxPositions !== undefined) {
      if (options.maxLength !== undefined && options.maxLength > folder.maxPositions) {
        throw new InvalidOptionError('maxLength', `${options.maxLength} is longer than the model's ${folder.maxPositions} positions (config.json max_position_embeddings).`, options.maxLength);
      }
      maxLength = Math.min(maxLength, folder.maxPositions);
    }
    const batchSize = checkInteger('batchSize', options.batchSize ?? 32, 1);
    const sessionOptions: InferenceSession.SessionOptions = { graphOptimizationLevel: 'all' };
    if (options.intraOpThreads !== undefined) Object.assign(sessionOptions, { intraOpNumThreads: checkInteger('intraOpThreads', options.intraOpThreads, 1) });
    if (options.interOpThreads !== undefined) Object.assign(sessionOptions, { interOpNumThreads: checkInteger('interOpThreads', options.interOpThreads, 1) });
    const ort = await loadOrt();
    let session: InferenceSession;
    try {
      session = inMemory ? await ort.InferenceSession.create(options.model!, sessionOptions) : await ort.InferenceSession.create(modelPath, sessionOptions);
    } catch (error) {
      throw new ModelMismatchError(`onnxruntime could not load the model: ${error instanceof Error ? error.message : String(error)}`, { path: modelPath });
    }
    for (const name of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(name)) {
        await session.release();
        throw new ModelMismatchError(`the graph has no "${name}" input (inputs: ${session.inputNames.join(', ')}); a sentence-embedding export takes input_ids and attention_mask.`, { path: modelPath, expected: name });
      }
    }
    const outputName =
      options.outputName ?? (session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames.includes('sentence_embedding') ? 'sentence_embedding' : session.outputNames[0]!);
    if (!session.outputNames.includes(outputName)) {
      await session.release();
      throw new InvalidOptionError('outputName', `"${outputName}" is not an output of ${modelPath}; it has ${session.outputNames.join(', ')}.`, outputName);
    }
    const encoder = new OnnxEncoder(ort, session, {
      modelId: options.modelId ?? `onnx:${inMemory ? (options.modelDir === undefined ? 'in-memory' : path.basename(options.modelDir)) : path.basename(options.modelDir ?? modelPath)}`,
      normalize: options.normalize ?? folder.normalize ?? true,
      tokenizer,
      pooling,
      maxLength,
      batchSize,
      outputName,
      vocabLimit: folder.vocabSize,
    });
    // One probe text gives the width.
    const probe = await encoder.embed(['a']);
    encoder.#dimensions = probe.cols;
    if (options.dimensions !== undefined && options.dimensions !== probe.cols) {
      await encoder.dispose();
      throw new DimensionMismatchError(`The embeddings of ${modelPath}`, options.dimensions, probe.cols);
    }
    return encoder;
  }

  /** Width of each embedding. */
  get dimensions(): number {
    return this.#dimensions;
  }

  /** Embeds in batches of similar length (less padding), writing rows back in input order. */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Matrix> {
    const session = this.#session;
    if (!session) throw new ScoreError(`The encoder ${this.modelId} was disposed; create it again.`, { code: 'DISPOSED' });
    const batchSize = checkInteger('batchSize', options.batchSize ?? this.#batchSize, 1);
    const encodings = texts.map((text) => this.tokenizer.encode(text, { maxLength: this.maxLength }));
    const order = lengthOrder(encodings);
    const rows = new Array<Float32Array>(texts.length);
    let width = this.#dimensions;
    for (let start = 0; start < order.length; start += batchSize) {
      options.signal?.throwIfAborted();
      const members = order.slice(start, start + batchSize);
      const count = members.length;
      const length = Math.max(1, ...members.map((r) => encodings[r]!.ids.length));
      const ids = new BigInt64Array(count * length).fill(BigInt(this.tokenizer.specialTokens.pad));
      const mask = new BigInt64Array(count * length);
      members.forEach((r, i) =>
        encodings[r]!.ids.forEach((id, c) => {
          if (this.#vocabLimit !== undefined && id >= this.#vocabLimit) {
            throw new ModelMismatchError(`token id ${id} is outside the model's vocabulary of ${this.#vocabLimit} ids (config.json vocab_size); the tokenizer does not match the model.`, {
              expected: this.#vocabLimit,
              actual: id,
            });
          }
          ids[i * length + c] = BigInt(id);
          mask[i * length + c] = 1n;
        }),
      );
      const feeds: Record<string, OrtTensor> = {
        input_ids: new this.#ort.Tensor('int64', ids, [count, length]),
        attention_mask: new this.#ort.Tensor('int64', mask, [count, length]),
      };
      if (session.inputNames.includes('token_type_ids')) feeds['token_type_ids'] = new this.#ort.Tensor('int64', new BigInt64Array(count * length), [count, length]);
      let output: OrtTensor;
      try {
        const results = await session.run(feeds, [this.outputName]);
        output = results[this.outputName]!;
      } catch (error) {
        throw new ModelMismatchError(`onnxruntime failed on a batch of ${count} texts of ${length} tokens: ${error instanceof Error ? error.message : String(error)}`, { path: this.modelId });
      }
      const dims = output.dims;
      const data = output.data as Float32Array;
      let pooled: Float32Array;
      if (dims.length === 3) {
        if (dims[0] !== count || dims[1] !== length) throw new DimensionMismatchError(`Output "${this.outputName}" (dims [${dims.join(', ')}]) along the sequence`, length, dims[1]!);
        width = dims[2]!;
        pooled = poolArray(data, count, length, width, mask, this.pooling);
      } else if (dims.length === 2) {
        width = dims[1]!;
        pooled = Float32Array.from(data);
      } else {
        throw new ModelMismatchError(`output "${this.outputName}" has ${dims.length} dimensions; a [batch, sequence, width] or [batch, width] output is needed.`, { path: this.modelId });
      }
      output.dispose();
      if (this.#dimensions !== 0 && width !== this.#dimensions) throw new DimensionMismatchError(`Output "${this.outputName}"`, this.#dimensions, width);
      if (this.normalized) l2NormalizeRows(pooled, width);
      members.forEach((r, i) => (rows[r] = pooled.subarray(i * width, (i + 1) * width)));
    }
    const out = new Float32Array(texts.length * width);
    rows.forEach((row, r) => out.set(row, r * width));
    return createMatrix(texts.length, width, out);
  }

  /** Releases the onnxruntime session. */
  async dispose(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    await session?.release();
  }
}

/**
 * Opens a sentence-embedding model exported to ONNX from Hugging Face (`model.onnx` +
 * `tokenizer.json` + configs) as a `TextEmbeddingModel`: the fixed embedder TxtEmb of
 * self-assessment and the untuned general retriever (SCoRe-base). Reads `config.json`,
 * `sentence_bert_config.json` and `1_Pooling/config.json` when present for pooling and length.
 */
export function createOnnxEncoder(options: OnnxEncoderOptions): Promise<OnnxEncoder> {
  if (!options || typeof options !== 'object') throw new InvalidOptionError('options', 'must be an object with modelDir or modelPath.');
  return OnnxEncoder.create(options);
}
