import { ModelMismatchError } from '@score/core';
import { type GgufHeader, readGgufHeader, readGgufTensor } from '@score/llm-clients';
import { ggufLlamaConfig } from './gguf-llama-config';
import { moveHeadRows } from './llama-gguf';
import { LlamaModel } from './llama-model';
import { expectedWeightShapes } from './llama-weights';

/**
 * Undoes llama.cpp's Q/K row permutation (the inverse of `LlamaModel.permute` in llama.cpp's
 * convert_hf_to_gguf.py, see {@link permuteForGguf}): row (head, i, half) of a GGUF
 * [heads * headDim, columns] matrix goes back to (head, half, i), Hugging Face's rotate-half order.
 */
export function unpermuteFromGguf(data: Float32Array, heads: number, columns: number): Float32Array {
  return moveHeadRows(data, heads, columns, false);
}

/** The Hugging Face name of a llama.cpp GGUF tensor name (tensor_mapping.py / llama-arch.cpp names). */
export function huggingFaceTensorName(ggufName: string): string | undefined {
  const fixed: Record<string, string> = {
    'token_embd.weight': 'model.embed_tokens.weight',
    'output_norm.weight': 'model.norm.weight',
    'output.weight': 'lm_head.weight',
  };
  if (fixed[ggufName]) return fixed[ggufName];
  const match = /^blk\.(\d+)\.(\w+)\.weight$/.exec(ggufName);
  if (!match) return undefined;
  const parts: Record<string, string> = {
    attn_norm: 'input_layernorm',
    attn_q: 'self_attn.q_proj',
    attn_k: 'self_attn.k_proj',
    attn_v: 'self_attn.v_proj',
    attn_output: 'self_attn.o_proj',
    ffn_norm: 'post_attention_layernorm',
    ffn_gate: 'mlp.gate_proj',
    ffn_up: 'mlp.up_proj',
    ffn_down: 'mlp.down_proj',
  };
  const part = parts[match[2]!];
  return part ? `model.layers.${match[1]}.${part}.weight` : undefined;
}

/** Options of {@link loadGgufLlama}. */
export interface LoadGgufLlamaOptions {
  /** The header, when already read. @defaultValue read from the file */
  readonly header?: GgufHeader;
  /** The model's name. @defaultValue `general.name` of the file, else its base name */
  readonly name?: string;
}

/**
 * Loads a llama-architecture GGUF file (as llama.cpp's convert_hf_to_gguf.py writes it) into the
 * tfjs {@link LlamaModel}: config from the metadata ({@link ggufLlamaConfig}), every tensor
 * dequantized to float32 (`readGgufTensor` of `@score/llm-clients`: F32, F16, BF16, Q4_0, Q4_1,
 * Q8_0, Q4_K, Q6_K), renamed to Hugging Face names, dims reversed to [out, in] and Q/K rows put
 * back in rotate-half order ({@link unpermuteFromGguf}). Throws `ModelMismatchError` for a tensor
 * that is missing, unknown or of the wrong shape.
 */
export function loadGgufLlama(filePath: string, options: LoadGgufLlamaOptions = {}): LlamaModel {
  const header = options.header ?? readGgufHeader(filePath);
  const config = ggufLlamaConfig(header.metadata, header.tensors.map((t) => t.name), filePath);
  const expected = expectedWeightShapes(config);
  const weights = new Map<string, Float32Array>();
  for (const info of header.tensors) {
    if (info.name === 'rope_freqs.weight') {
      throw new ModelMismatchError('the file has rope_freqs.weight (Llama 3.1-style rope scaling), which the tfjs Llama does not support.', { path: filePath, actual: info.name });
    }
    const name = huggingFaceTensorName(info.name);
    const shape = name ? expected.get(name) : undefined;
    if (!name || !shape) {
      throw new ModelMismatchError(`tensor "${info.name}" is not part of a llama model with ${config.numLayers} blocks (llama.block_count).`, { path: filePath, actual: info.name });
    }
    const reversed = [...info.shape].reverse();
    if (reversed.length !== shape.length || reversed.some((d, i) => d !== shape[i])) {
      throw new ModelMismatchError(`tensor "${info.name}" has ggml shape [${info.shape.join(', ')}], but the metadata implies [${[...shape].reverse().join(', ')}].`, { path: filePath, expected: shape, actual: info.shape });
    }
    let data = readGgufTensor(filePath, header, info.name).data;
    if (name.endsWith('q_proj.weight')) data = unpermuteFromGguf(data, config.numHeads, config.hiddenSize);
    else if (name.endsWith('k_proj.weight')) data = unpermuteFromGguf(data, config.numKeyValueHeads, config.hiddenSize);
    weights.set(name, data);
  }
  const generalName = header.metadata['general.name'];
  return LlamaModel.create({
    config,
    weights,
    source: filePath,
    name: options.name ?? (typeof generalName === 'string' ? generalName : filePath.split(/[\\/]/).pop()!),
  });
}
