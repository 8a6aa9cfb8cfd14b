import { DataFormatError, InvalidOptionError } from '@score/core';
import { createLlamaConfig, type LlamaConfig } from './llama-config';

/** Architectures whose GGUF tensors follow llama.cpp's `llama` layout (names, Q/K permutation). */
const SUPPORTED_ARCHITECTURES = ['llama'];

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/**
 * The {@link LlamaConfig} of a GGUF file's metadata (llama.cpp's `llama.*` keys: block_count,
 * embedding_length, feed_forward_length, attention.head_count(_kv), attention.key_length,
 * rope.freq_base, attention.layer_norm_rms_epsilon, context_length, vocab_size; BOS/EOS from
 * tokenizer.ggml.*). Embeddings are tied when the file has no `output.weight` tensor. Throws
 * `DataFormatError` naming the file and key for a missing key, another architecture or rope
 * scaling.
 */
export function ggufLlamaConfig(metadata: Readonly<Record<string, unknown>>, tensorNames: readonly string[], filePath: string): LlamaConfig {
  const architecture = metadata['general.architecture'];
  if (typeof architecture !== 'string' || !SUPPORTED_ARCHITECTURES.includes(architecture)) {
    throw new DataFormatError(`general.architecture is ${JSON.stringify(architecture)}; only ${SUPPORTED_ARCHITECTURES.join(', ')} GGUF files load into the tfjs Llama.`, { path: filePath, field: 'general.architecture' });
  }
  const key = (name: string, required: boolean): number | undefined => {
    const field = `${architecture}.${name}`;
    const value = numberOf(metadata[field]);
    if (required && value === undefined) throw new DataFormatError(`the required key "${field}" is missing or not a number.`, { path: filePath, field });
    return value;
  };
  const scaling = metadata[`${architecture}.rope.scaling.type`];
  if (scaling !== undefined && scaling !== 'none') {
    throw new DataFormatError(`rope scaling "${String(scaling)}" is not supported; only plain rotary positions are.`, { path: filePath, field: `${architecture}.rope.scaling.type` });
  }
  const hiddenSize = key('embedding_length', true)!;
  const numHeads = key('attention.head_count', true)!;
  const tokens = metadata['tokenizer.ggml.tokens'];
  const vocabSize = key('vocab_size', false) ?? (Array.isArray(tokens) ? tokens.length : undefined);
  if (vocabSize === undefined) throw new DataFormatError(`neither "${architecture}.vocab_size" nor tokenizer.ggml.tokens gives the vocabulary size.`, { path: filePath, field: `${architecture}.vocab_size` });
  const headDim = key('attention.key_length', false) ?? hiddenSize / numHeads;
  const ropeDims = key('rope.dimension_count', false);
  if (ropeDims !== undefined && ropeDims !== headDim) {
    throw new DataFormatError(`rope.dimension_count ${ropeDims} differs from the head size ${headDim}; partial rotary embeddings are not supported.`, { path: filePath, field: `${architecture}.rope.dimension_count` });
  }
  const bos = numberOf(metadata['tokenizer.ggml.bos_token_id']);
  const eos = numberOf(metadata['tokenizer.ggml.eos_token_id']);
  try {
    return createLlamaConfig({
      vocabSize,
      hiddenSize,
      intermediateSize: key('feed_forward_length', true)!,
      numLayers: key('block_count', true)!,
      numHeads,
      numKeyValueHeads: key('attention.head_count_kv', false) ?? numHeads,
      headDim,
      rmsNormEps: key('attention.layer_norm_rms_epsilon', false) ?? 1e-5,
      ropeTheta: key('rope.freq_base', false) ?? 10000,
      tieWordEmbeddings: !tensorNames.includes('output.weight'),
      maxPositionEmbeddings: key('context_length', false) ?? 2048,
      ...(bos === undefined ? {} : { bosTokenId: bos }),
      ...(eos === undefined ? {} : { eosTokenId: eos }),
    });
  } catch (error) {
    if (error instanceof InvalidOptionError) throw new DataFormatError(error.message, { path: filePath, field: error.field, cause: error });
    throw error;
  }
}
