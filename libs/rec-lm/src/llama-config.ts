import { DataFormatError, InvalidOptionError, checkInteger, checkNumber } from '@score/core';

/** Shape and numerics of a Llama-style decoder (the fields of a Hugging Face `config.json`). */
export interface LlamaConfig {
  /** Tokens in the vocabulary (`vocab_size`). */
  readonly vocabSize: number;
  /** Width of the residual stream (`hidden_size`). */
  readonly hiddenSize: number;
  /** Width of the SwiGLU feed-forward layer (`intermediate_size`). */
  readonly intermediateSize: number;
  /** Decoder blocks (`num_hidden_layers`). */
  readonly numLayers: number;
  /** Query heads (`num_attention_heads`). */
  readonly numHeads: number;
  /** Key/value heads (`num_key_value_heads`); fewer than `numHeads` is grouped-query attention. */
  readonly numKeyValueHeads: number;
  /** Size of one head (`head_dim`, else hiddenSize / numHeads). */
  readonly headDim: number;
  /** RMSNorm epsilon (`rms_norm_eps`). */
  readonly rmsNormEps: number;
  /** Rotary frequency base (`rope_theta`). */
  readonly ropeTheta: number;
  /** Whether the output projection reuses the token embedding (`tie_word_embeddings`). */
  readonly tieWordEmbeddings: boolean;
  /** Longest sequence the positions are meant for (`max_position_embeddings`). */
  readonly maxPositionEmbeddings: number;
  /** Beginning-of-sequence token id (`bos_token_id`), when the model has one. */
  readonly bosTokenId?: number;
  /** End-of-sequence token id (`eos_token_id`), when the model has one. */
  readonly eosTokenId?: number;
}

/** What {@link createLlamaConfig} accepts: the sizes, the rest defaulted. */
export type LlamaConfigInput = Partial<LlamaConfig> & Pick<LlamaConfig, 'vocabSize'>;

/**
 * The from-scratch default: hidden 96, 2 layers, 4 heads (2 key/value heads, head size 24),
 * feed-forward 256, tied embeddings; about 0.2M parameters plus the embedding (vocabulary x 96).
 * Measured speed on one wasm thread: see the package README (`npm run bench`).
 */
export const DEFAULT_SCRATCH_CONFIG: Omit<LlamaConfig, 'vocabSize'> = Object.freeze({
  hiddenSize: 96,
  intermediateSize: 256,
  numLayers: 2,
  numHeads: 4,
  numKeyValueHeads: 2,
  headDim: 24,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  tieWordEmbeddings: true,
  maxPositionEmbeddings: 1024,
});

/** Fills defaults ({@link DEFAULT_SCRATCH_CONFIG}) and validates every field once. */
export function createLlamaConfig(input: LlamaConfigInput): LlamaConfig {
  const merged = { ...DEFAULT_SCRATCH_CONFIG, ...input };
  const hiddenSize = checkInteger('hiddenSize', merged.hiddenSize, 1);
  const numHeads = checkInteger('numHeads', merged.numHeads, 1);
  const numKeyValueHeads = checkInteger('numKeyValueHeads', merged.numKeyValueHeads, 1);
  const headDim = checkInteger('headDim', input.headDim ?? hiddenSize / numHeads, 1);
  if (numHeads % numKeyValueHeads !== 0) {
    throw new InvalidOptionError('numKeyValueHeads', `must divide numHeads (${numHeads}), got ${numKeyValueHeads}.`, numKeyValueHeads);
  }
  if (headDim % 2 !== 0) throw new InvalidOptionError('headDim', `must be even for rotary positions, got ${headDim}.`, headDim);
  const config: LlamaConfig = {
    vocabSize: checkInteger('vocabSize', merged.vocabSize, 1),
    hiddenSize,
    intermediateSize: checkInteger('intermediateSize', merged.intermediateSize, 1),
    numLayers: checkInteger('numLayers', merged.numLayers, 1),
    numHeads,
    numKeyValueHeads,
    headDim,
    rmsNormEps: checkNumber('rmsNormEps', merged.rmsNormEps, { minimum: 0, openMinimum: true }),
    ropeTheta: checkNumber('ropeTheta', merged.ropeTheta, { minimum: 0, openMinimum: true }),
    tieWordEmbeddings: Boolean(merged.tieWordEmbeddings),
    maxPositionEmbeddings: checkInteger('maxPositionEmbeddings', merged.maxPositionEmbeddings, 1),
    ...(merged.bosTokenId === undefined ? {} : { bosTokenId: merged.bosTokenId }),
    ...(merged.eosTokenId === undefined ? {} : { eosTokenId: merged.eosTokenId }),
  };
  return Object.freeze(config);
}

const SUPPORTED_MODEL_TYPES = ['llama', 'mistral'];

/**
 * Reads a Hugging Face `config.json` object of the Llama family. Throws `DataFormatError` naming
 * the file and key for a missing or invalid key, an unsupported `model_type` or `rope_scaling`.
 */
export function parseHuggingFaceConfig(json: unknown, filePath = 'config.json'): LlamaConfig {
  if (typeof json !== 'object' || json === null) throw new DataFormatError('the config is not a JSON object.', { path: filePath });
  const raw = json as Record<string, unknown>;
  const modelType = raw['model_type'];
  if (modelType !== undefined && !SUPPORTED_MODEL_TYPES.includes(String(modelType))) {
    throw new DataFormatError(`model_type "${String(modelType)}" is not supported; use one of ${SUPPORTED_MODEL_TYPES.join(', ')}.`, { path: filePath, field: 'model_type' });
  }
  const scaling = raw['rope_scaling'];
  if (scaling !== undefined && scaling !== null) {
    throw new DataFormatError(`rope_scaling ${JSON.stringify(scaling)} is not supported; only plain rotary positions (rope_scaling null) are.`, { path: filePath, field: 'rope_scaling' });
  }
  const key = (name: string, required: boolean): unknown => {
    const value = raw[name];
    if (required && value === undefined) throw new DataFormatError(`the required key "${name}" is missing.`, { path: filePath, field: name });
    return value;
  };
  const hiddenSize = key('hidden_size', true) as number;
  const numHeads = key('num_attention_heads', true) as number;
  const eos = raw['eos_token_id'];
  try {
    return createLlamaConfig({
      vocabSize: key('vocab_size', true) as number,
      hiddenSize,
      intermediateSize: key('intermediate_size', true) as number,
      numLayers: key('num_hidden_layers', true) as number,
      numHeads,
      numKeyValueHeads: (key('num_key_value_heads', false) as number | undefined) ?? numHeads,
      headDim: (key('head_dim', false) as number | undefined) ?? hiddenSize / numHeads,
      rmsNormEps: (key('rms_norm_eps', false) as number | undefined) ?? 1e-6,
      ropeTheta: (key('rope_theta', false) as number | undefined) ?? 10000,
      tieWordEmbeddings: (key('tie_word_embeddings', false) as boolean | undefined) ?? false,
      maxPositionEmbeddings: (key('max_position_embeddings', false) as number | undefined) ?? 2048,
      ...(typeof raw['bos_token_id'] === 'number' ? { bosTokenId: raw['bos_token_id'] } : {}),
      ...(typeof eos === 'number' ? { eosTokenId: eos } : Array.isArray(eos) && typeof eos[0] === 'number' ? { eosTokenId: eos[0] as number } : {}),
    });
  } catch (error) {
    if (error instanceof InvalidOptionError) {
      throw new DataFormatError(error.message, { path: filePath, field: error.field, cause: error });
    }
    throw error;
  }
}

/** The Hugging Face `config.json` object of a config (for saving a from-scratch model). */
export function toHuggingFaceConfig(config: LlamaConfig): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKeyValueHeads,
    head_dim: config.headDim,
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    rope_scaling: null,
    tie_word_embeddings: config.tieWordEmbeddings,
    max_position_embeddings: config.maxPositionEmbeddings,
    hidden_act: 'silu',
    torch_dtype: 'float32',
    ...(config.bosTokenId === undefined ? {} : { bos_token_id: config.bosTokenId }),
    ...(config.eosTokenId === undefined ? {} : { eos_token_id: config.eosTokenId }),
  };
}
