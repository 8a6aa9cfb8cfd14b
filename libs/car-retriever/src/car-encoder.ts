import fs from 'node:fs';
import { ArtifactNotFoundError, InvalidOptionError, type TextEmbeddingModel } from '@score/core';
import { createBertEncoder, createOnnxEncoder, createPooledEncoder, loadBertEncoder, trainTokenizer, type TrainableTextEncoder } from '@score/text-encoders';

/**
 * Which encoder CAR starts from:
 * - `scratch`: a small BERT (`createBertEncoder`) with fresh weights and a WordPiece tokenizer trained on the corpus;
 * - `pooled`: the fast pooled encoder (`createPooledEncoder`) with fresh weights and a tokenizer trained on the corpus (the CPU default);
 * - `onnx`: a frozen ONNX sentence encoder (a folder or a `.onnx` file); it cannot be fine-tuned, so it is only the `base` retriever;
 * - `bert`: a BERT / sentence-transformers folder (`loadBertEncoder`), fine-tuned from its pretrained weights.
 */
export type CarEncoderSpec =
  | { readonly kind: 'scratch' }
  | { readonly kind: 'pooled' }
  | { readonly kind: 'onnx'; readonly path: string }
  | { readonly kind: 'bert'; readonly path: string };

const VALID = '"scratch", "pooled", "onnx:PATH" (a folder or .onnx file) or "bert:PATH" (a BERT folder)';

/**
 * Parses an encoder spec (`scratch`, `pooled`, `onnx:PATH`, `bert:PATH`) and, for the path forms,
 * checks that the path exists.
 * @throws InvalidOptionError (field `encoder`) for an unknown spec or an empty path;
 *   ArtifactNotFoundError when the path does not exist.
 */
export function parseEncoderSpec(spec: string, field = 'encoder'): CarEncoderSpec {
  if (typeof spec !== 'string') throw new InvalidOptionError(field, `must be ${VALID}, got ${JSON.stringify(spec)}.`, spec);
  if (spec === 'scratch' || spec === 'pooled') return { kind: spec };
  const match = /^(onnx|bert):(.*)$/s.exec(spec);
  if (!match) throw new InvalidOptionError(field, `must be ${VALID}, got ${JSON.stringify(spec)}.`, spec);
  const kind = match[1] as 'onnx' | 'bert';
  const path = match[2]!.trim();
  if (path === '') throw new InvalidOptionError(field, `"${kind}:" needs a path after the colon, e.g. "${kind}:models/all-MiniLM-L6-v2".`, spec);
  if (!fs.existsSync(path)) {
    throw new ArtifactNotFoundError(path, kind === 'onnx' ? `The ONNX encoder (a model folder or .onnx file) of "${spec}"` : `The BERT encoder folder of "${spec}"`);
  }
  return { kind, path };
}

/** The spec written back as a string. */
export function formatEncoderSpec(spec: CarEncoderSpec): string {
  return spec.kind === 'scratch' || spec.kind === 'pooled' ? spec.kind : `${spec.kind}:${spec.path}`;
}

/** Options of {@link createCarEncoder}. */
export interface CreateCarEncoderOptions {
  /** What to start from. */
  readonly spec: CarEncoderSpec;
  /** The corpus texts: the tokenizer of `scratch` and `pooled` is trained on them. */
  readonly texts: readonly string[];
  /**
   * Vocabulary of the trained tokenizer (`scratch`, `pooled`).
   * @defaultValue 4000
   */
  readonly vocabSize?: number;
  /**
   * Embedding width of a fresh encoder (`scratch`: hidden size; `pooled`: token and output width).
   * @defaultValue 128
   */
  readonly dimensions?: number;
  /**
   * Longest input in tokens (attention memory grows with its square) of a fresh encoder, or of a
   * loaded `bert` one (at most its positions). Texts are cut at the end (their first tokens kept).
   * @defaultValue 256 (`pooled`), 128 (`scratch`); `bert`: the folder's own (see `loadBertEncoder`)
   */
  readonly maxLength?: number;
  /**
   * Seed of a fresh encoder's weights.
   * @defaultValue 42
   */
  readonly seed?: number;
}

/** What {@link createCarEncoder} returns: a trainable encoder, or a frozen one (`onnx`). */
export type CarEncoder =
  | { readonly trainable: true; readonly encoder: TrainableTextEncoder }
  | { readonly trainable: false; readonly encoder: TextEmbeddingModel };

/** Creates (or loads) the encoder a spec names; the caller disposes it. */
export async function createCarEncoder(options: CreateCarEncoderOptions): Promise<CarEncoder> {
  const { spec } = options;
  if (spec.kind === 'onnx') {
    const isFile = fs.statSync(spec.path).isFile();
    return { trainable: false, encoder: await createOnnxEncoder(isFile ? { modelPath: spec.path } : { modelDir: spec.path }) };
  }
  // loadBertEncoder embeds a downloaded checkpoint in batches of 8 (PRETRAINED_BERT_BATCH): all-MiniLM-L6-v2's forward pass over
  // 32 behaviour texts of ~200 tokens crashed the wasm backend (4 GB) in the stage's base evaluation (bench/car-pretrained-bench.ts).
  if (spec.kind === 'bert') return { trainable: true, encoder: await loadBertEncoder(spec.path, options.maxLength === undefined ? {} : { maxLength: options.maxLength }) };
  if (!Array.isArray(options.texts) || options.texts.length === 0) throw new InvalidOptionError('texts', 'must hold the corpus texts the tokenizer is trained on.');
  const dimensions = options.dimensions ?? 128;
  const maxLength = options.maxLength ?? (spec.kind === 'pooled' ? 256 : 128);
  const seed = options.seed ?? 42;
  const tokenizer = trainTokenizer({ texts: options.texts, vocabSize: options.vocabSize ?? 4000, kind: 'wordpiece' });
  if (spec.kind === 'pooled') {
    return { trainable: true, encoder: await createPooledEncoder({ tokenizer, embeddingSize: dimensions, dimensions, maxLength, seed, modelId: 'pooled:car' }) };
  }
  return { trainable: true, encoder: await createBertEncoder({ tokenizer, hidden: dimensions, maxLength, seed, modelId: 'bert:car-scratch' }) };
}
