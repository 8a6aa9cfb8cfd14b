import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeValue, InvalidOptionError, ScoreError, type TextEmbeddingModel, checkInteger } from '@score/core';
import { type BertEncoder, loadBertEncoder } from './bert-encoder';
import { ensureBertOnnxExport, ONNX_EXPORT_RECORD } from './bert-onnx-export';
import { bertToOnnxBytes } from './export-bert-to-onnx';
import { loadTrainableEncoder } from './load-trainable-encoder';
import { readJsonObject } from './model-folder';
import { createOnnxEncoder, type OnnxEncoder } from './onnx-encoder';
import { POOLED_MODEL_TYPE } from './pooled-encoder';
import type { Tokenizer } from './tokenizer';
import type { TrainableTextEncoder } from './trainable-encoder';

/**
 * Where a trainable encoder's inference (embedding texts, not training) runs: `tfjs`, its own
 * TensorFlow.js forward pass (wasm backend, one thread); `onnx`, the same BERT graph exported
 * with its current weights and run by onnxruntime-node on every core. Training always runs on tfjs.
 */
export type EncoderInference = 'tfjs' | 'onnx';

/** Every {@link EncoderInference}. */
export const ENCODER_INFERENCES: readonly EncoderInference[] = Object.freeze(['tfjs', 'onnx'] as const);

/**
 * Checks an {@link EncoderInference} value.
 * @throws InvalidOptionError naming `field` for anything but "tfjs" or "onnx".
 */
export function checkEncoderInference(value: unknown, field = 'inference'): EncoderInference {
  if (value !== 'tfjs' && value !== 'onnx') throw new InvalidOptionError(field, `must be "tfjs" or "onnx", got ${describeValue(value)}.`, value);
  return value;
}

/** Options of the onnxruntime inference route ({@link createBertOnnxInference}, {@link loadInferenceEncoder}). */
export interface OnnxInferenceOptions {
  /** onnxruntime intra-op threads. @defaultValue `os.availableParallelism()` (every core) */
  readonly intraOpThreads?: number;
  /** Texts per onnxruntime forward pass (native memory: no wasm heap limit). @defaultValue 32 */
  readonly batchSize?: number;
}

function sessionSettings(options: OnnxInferenceOptions): { intraOpThreads: number; batchSize: number } {
  return {
    intraOpThreads: checkInteger('intraOpThreads', options.intraOpThreads ?? os.availableParallelism(), 1),
    batchSize: checkInteger('batchSize', options.batchSize ?? 32, 1),
  };
}

/**
 * Runs a tfjs {@link BertEncoder}'s current weights on onnxruntime: exports the encoder as an ONNX
 * graph in memory ({@link bertToOnnxBytes}; no file is written) and opens an onnxruntime session
 * with `intraOpThreads` threads that embeds texts as `encoder.embed` does (same tokenizer, length,
 * pooling, normalisation and `modelId`; the same values up to float rounding). Later weight
 * updates of `encoder` are not seen: call it again after training. Dispose the result (the tfjs
 * encoder stays the caller's).
 */
export async function createBertOnnxInference(encoder: BertEncoder, options: OnnxInferenceOptions = {}): Promise<OnnxEncoder> {
  if (!encoder || encoder.architecture !== 'bert' || typeof encoder.namedWeights !== 'function') {
    throw new InvalidOptionError('encoder', `must be a BertEncoder (createBertEncoder, loadBertEncoder), got ${describeValue(encoder)}.`, encoder);
  }
  const settings = sessionSettings(options);
  const model = await bertToOnnxBytes(encoder);
  return createOnnxEncoder({
    model,
    tokenizer: encoder.tokenizer,
    pooling: encoder.pooling,
    normalize: encoder.normalized,
    maxLength: encoder.maxLength,
    batchSize: settings.batchSize,
    intraOpThreads: settings.intraOpThreads,
    modelId: encoder.modelId,
  });
}

/**
 * Lends `use` a `TextEmbeddingModel` with `encoder`'s current weights on the chosen `inference`
 * route, and releases it afterwards: `onnx` with a BERT encoder, a fresh onnxruntime session
 * ({@link createBertOnnxInference}); otherwise (`tfjs`, or a pooled encoder, whose tfjs forward
 * pass is already cheap) the encoder itself, which is not disposed. For evaluating or indexing
 * with an encoder that is (or was just) trained.
 */
export async function withInferenceEncoder<T>(
  encoder: TrainableTextEncoder,
  inference: EncoderInference,
  use: (model: TextEmbeddingModel) => Promise<T>,
  options: OnnxInferenceOptions = {},
): Promise<T> {
  if (checkEncoderInference(inference) === 'tfjs' || encoder.architecture !== 'bert') return use(encoder);
  const onnx = await createBertOnnxInference(encoder as BertEncoder, options);
  try {
    return await use(onnx);
  } finally {
    await onnx.dispose();
  }
}

/** Options of {@link loadInferenceEncoder}. */
export interface LoadInferenceEncoderOptions extends OnnxInferenceOptions {
  /** `tfjs` or `onnx` (see {@link EncoderInference}). @defaultValue "tfjs" */
  readonly inference?: EncoderInference;
  /**
   * Texts per forward pass: of the tfjs encoder with `tfjs` (see {@link loadTrainableEncoder}),
   * of the onnxruntime session with `onnx`.
   * @defaultValue the tfjs encoder's default with `tfjs`; 32 with `onnx`
   */
  readonly batchSize?: number;
  /** @defaultValue the folder's `tokenizer.json` */
  readonly tokenizer?: Tokenizer;
  /** Texts are cut to this many tokens. @defaultValue the folder's setting (`score_encoder.max_length` of a saved encoder, else as `loadBertEncoder`) */
  readonly maxLength?: number;
}

/** `<dir>/onnx`, unless a model.onnx that is not ours lives there (a shipped export): then `<dir>/score-onnx`. */
function exportDirOf(dir: string): string {
  const own = path.join(dir, 'onnx');
  return fs.existsSync(path.join(own, 'model.onnx')) && !fs.existsSync(path.join(own, ONNX_EXPORT_RECORD)) ? path.join(dir, 'score-onnx') : own;
}

/**
 * Opens a saved trainable encoder folder (a Hugging Face BERT checkpoint, or one written by
 * `save`) for inference only. With `inference: "onnx"` and a BERT folder, the weights are exported
 * once to `<dir>/onnx/model.onnx` (written atomically, with a record of the checkpoint's size and
 * time; reused until `model.safetensors` changes, see {@link ensureBertOnnxExport}) and run by an
 * onnxruntime session on `intraOpThreads` threads; a folder that cannot be written is exported in
 * memory instead. The model id is the tfjs encoder's (`bert:<folder name>`). A pooled encoder and
 * `inference: "tfjs"` give `loadTrainableEncoder(dir)`.
 */
export async function loadInferenceEncoder(dir: string, options: LoadInferenceEncoderOptions = {}): Promise<TextEmbeddingModel> {
  const inference = checkEncoderInference(options.inference ?? 'tfjs', 'inference');
  const config = readJsonObject(path.join(dir, 'config.json'), 'Model config (config.json)');
  if (inference === 'tfjs' || config['model_type'] === POOLED_MODEL_TYPE) {
    return loadTrainableEncoder(dir, {
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.tokenizer ? { tokenizer: options.tokenizer } : {}),
      ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
    });
  }
  const settings = sessionSettings(options);
  const modelId = `bert:${path.basename(path.resolve(dir))}`;
  let modelPath: string;
  try {
    modelPath = await ensureBertOnnxExport(dir, { exportDir: exportDirOf(dir) });
  } catch (error) {
    if (!(error instanceof ScoreError) || error.code !== 'EXPORT_FAILED') throw error;
    // A read-only folder: export in memory instead.
    const encoder = await loadBertEncoder(dir, { ...(options.tokenizer ? { tokenizer: options.tokenizer } : {}), ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }) });
    try {
      return await createBertOnnxInference(encoder, settings);
    } finally {
      encoder.dispose();
    }
  }
  return createOnnxEncoder({
    modelDir: dir,
    modelPath,
    ...(options.tokenizer ? { tokenizer: options.tokenizer } : {}),
    ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
    batchSize: settings.batchSize,
    intraOpThreads: settings.intraOpThreads,
    modelId,
  });
}
