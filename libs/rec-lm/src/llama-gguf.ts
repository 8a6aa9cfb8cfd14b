import { InvalidOptionError } from '@score/core';
import type { LlamaConfig } from './llama-config';
import type { LlamaModel } from './llama-model';
import type { LoraTarget } from './lora-config';

/** A GGUF metadata value (the shape `@score/llm-clients`' `writeGguf` accepts). */
export type GgufMetadataValue =
  | string
  | boolean
  | number
  | readonly string[]
  | { readonly type: 'float32' | 'uint32' | 'int32'; readonly value: number }
  | { readonly type: 'array'; readonly itemType: 'float32' | 'int32'; readonly values: readonly number[] };

/** One GGUF tensor: `shape` in ggml order (shape[0] fastest), F32 data. */
export interface GgufTensorData {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: 'F32';
  readonly data: Float32Array;
}

/** A GGUF file's content, ready for `writeGguf(path, content)` of `@score/llm-clients`. */
export interface GgufContent {
  readonly metadata: Readonly<Record<string, GgufMetadataValue>>;
  readonly tensors: readonly GgufTensorData[];
}

/** Options of {@link llamaToGguf}. */
export interface LlamaToGgufOptions {
  /**
   * The vocabulary, one string per id (SentencePiece pieces, "▁" for a leading space).
   * @defaultValue "<unk>", "<s>", "</s>", the 256 byte tokens "<0x00>".., then "<tok_N>" up to the vocabulary size
   */
  readonly tokens?: readonly string[];
  /** `general.name`. @defaultValue the model's name, else "rec-lm" */
  readonly name?: string;
  /**
   * Extra metadata written over the generated keys, e.g. a GPT-2 vocabulary's
   * `tokenizer.ggml.model` "gpt2", `tokenizer.ggml.merges`, `tokenizer.ggml.pre` and token types
   * (then pass the same `tokens`). @defaultValue none
   */
  readonly metadata?: Readonly<Record<string, GgufMetadataValue>>;
}

const GGUF_TARGET: Readonly<Record<LoraTarget, string>> = Object.freeze({
  q_proj: 'attn_q',
  k_proj: 'attn_k',
  v_proj: 'attn_v',
  o_proj: 'attn_output',
  gate_proj: 'ffn_gate',
  up_proj: 'ffn_up',
  down_proj: 'ffn_down',
});

/**
 * Reorders the rows of a [heads * headDim, columns] Q or K matrix from Hugging Face's rotate-half
 * pairing to llama.cpp's interleaved pairs (`permute` of llama.cpp's convert_hf_to_gguf.py):
 * row (head, half, i) moves to (head, i, half).
 */
export function permuteForGguf(data: Float32Array, heads: number, columns: number): Float32Array {
  return moveHeadRows(data, heads, columns, true);
}

/**
 * Moves the rows of a [heads * headDim, columns] Q or K matrix between Hugging Face's rotate-half
 * order, row (head, half, i), and llama.cpp's interleaved one, row (head, i, half): towards GGUF
 * when `toGguf`, back otherwise.
 */
export function moveHeadRows(data: Float32Array, heads: number, columns: number, toGguf: boolean): Float32Array {
  const rows = data.length / columns;
  const headDim = rows / heads;
  const half = headDim / 2;
  const out = new Float32Array(data.length);
  for (let head = 0; head < heads; head++) {
    for (let part = 0; part < 2; part++) {
      for (let i = 0; i < half; i++) {
        const huggingFace = head * headDim + part * half + i;
        const gguf = head * headDim + 2 * i + part;
        const [from, to] = toGguf ? [huggingFace, gguf] : [gguf, huggingFace];
        out.set(data.subarray(from * columns, (from + 1) * columns), to * columns);
      }
    }
  }
  return out;
}

function defaultTokens(vocabSize: number): string[] {
  const tokens = ['<unk>', '<s>', '</s>'];
  for (let byte = 0; byte < 256 && tokens.length < vocabSize; byte++) tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
  while (tokens.length < vocabSize) tokens.push(`<tok_${tokens.length}>`);
  return tokens.slice(0, vocabSize);
}

function tokenType(token: string, id: number): number {
  if (id === 0) return 2; // unknown
  if (id <= 2) return 3; // control
  return /^<0x[0-9A-F]{2}>$/.test(token) ? 6 : 1; // byte, normal
}

function llamaMetadata(config: LlamaConfig, name: string): Record<string, GgufMetadataValue> {
  return {
    'general.architecture': 'llama',
    'general.name': name,
    'general.file_type': { type: 'uint32', value: 0 },
    'llama.context_length': config.maxPositionEmbeddings,
    'llama.embedding_length': config.hiddenSize,
    'llama.block_count': config.numLayers,
    'llama.feed_forward_length': config.intermediateSize,
    'llama.attention.head_count': config.numHeads,
    'llama.attention.head_count_kv': config.numKeyValueHeads,
    'llama.attention.key_length': config.headDim,
    'llama.attention.value_length': config.headDim,
    'llama.rope.dimension_count': config.headDim,
    'llama.rope.freq_base': { type: 'float32', value: config.ropeTheta },
    'llama.attention.layer_norm_rms_epsilon': { type: 'float32', value: config.rmsNormEps },
    'llama.vocab_size': config.vocabSize,
  };
}

/**
 * The GGUF content (llama architecture, F32) of a model's base weights, as llama.cpp's
 * convert_hf_to_gguf.py writes it: GGUF tensor names, dims reversed (ggml order), Q and K rows
 * permuted for llama.cpp's rotary pairing, no `output.weight` when embeddings are tied.
 */
export async function llamaToGguf(model: LlamaModel, options: LlamaToGgufOptions = {}): Promise<GgufContent> {
  const config = model.config;
  const tokens = options.tokens ?? defaultTokens(config.vocabSize);
  if (tokens.length !== config.vocabSize) {
    throw new InvalidOptionError('tokens', `must list ${config.vocabSize} tokens (the model's vocabulary size), got ${tokens.length}.`, tokens.length);
  }
  const weights = await model.readWeights();
  const tensors: GgufTensorData[] = [];
  const add = (gguf: string, hf: string, permuteHeads?: number): void => {
    const weight = weights.get(hf)!;
    const shape = [...weight.shape].reverse();
    const data = permuteHeads ? permuteForGguf(weight.data, permuteHeads, weight.shape[1]!) : weight.data;
    tensors.push({ name: gguf, shape, type: 'F32', data });
  };
  add('token_embd.weight', 'model.embed_tokens.weight');
  for (let layer = 0; layer < config.numLayers; layer++) {
    const p = `model.layers.${layer}`;
    const b = `blk.${layer}`;
    add(`${b}.attn_norm.weight`, `${p}.input_layernorm.weight`);
    add(`${b}.attn_q.weight`, `${p}.self_attn.q_proj.weight`, config.numHeads);
    add(`${b}.attn_k.weight`, `${p}.self_attn.k_proj.weight`, config.numKeyValueHeads);
    add(`${b}.attn_v.weight`, `${p}.self_attn.v_proj.weight`);
    add(`${b}.attn_output.weight`, `${p}.self_attn.o_proj.weight`);
    add(`${b}.ffn_norm.weight`, `${p}.post_attention_layernorm.weight`);
    add(`${b}.ffn_gate.weight`, `${p}.mlp.gate_proj.weight`);
    add(`${b}.ffn_up.weight`, `${p}.mlp.up_proj.weight`);
    add(`${b}.ffn_down.weight`, `${p}.mlp.down_proj.weight`);
  }
  add('output_norm.weight', 'model.norm.weight');
  if (!config.tieWordEmbeddings) add('output.weight', 'lm_head.weight');
  const metadata: Record<string, GgufMetadataValue> = {
    ...llamaMetadata(config, options.name ?? model.name ?? 'rec-lm'),
    'tokenizer.ggml.model': 'llama',
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.scores': { type: 'array', itemType: 'float32', values: tokens.map(() => 0) },
    'tokenizer.ggml.token_type': { type: 'array', itemType: 'int32', values: tokens.map(tokenType) },
    'tokenizer.ggml.unknown_token_id': 0,
    'tokenizer.ggml.bos_token_id': config.bosTokenId ?? 1,
    'tokenizer.ggml.eos_token_id': config.eosTokenId ?? 2,
    'tokenizer.ggml.add_bos_token': false,
    'tokenizer.ggml.add_eos_token': false,
    ...options.metadata,
  };
  return { metadata, tensors };
}

/**
 * The GGUF LoRA adapter content of a model's adapters (as llama.cpp's convert_lora_to_gguf.py
 * writes it): `blk.N.attn_q.weight.lora_a` (ggml [in, r]) and `.lora_b` (ggml [r, out], rows of Q
 * and K permuted like the base weights), `adapter.lora.alpha`.
 */
export async function loraToGguf(model: LlamaModel): Promise<GgufContent> {
  const lora = model.lora;
  if (!lora) throw new InvalidOptionError('model', 'the model has no LoRA adapters; attach or load them first.');
  const config = model.config;
  const adapters = await model.readLora();
  const tensors: GgufTensorData[] = [];
  for (const [module, pair] of adapters) {
    const match = /^model\.layers\.(\d+)\.\w+\.(\w+)$/.exec(module)!;
    const target = match[2] as LoraTarget;
    const name = `blk.${match[1]}.${GGUF_TARGET[target]}.weight`;
    const heads = target === 'q_proj' ? config.numHeads : target === 'k_proj' ? config.numKeyValueHeads : 0;
    tensors.push({ name: `${name}.lora_a`, shape: [pair.a.shape[1]!, pair.a.shape[0]!], type: 'F32', data: pair.a.data });
    const b = heads > 0 ? permuteForGguf(pair.b.data, heads, pair.b.shape[1]!) : pair.b.data;
    tensors.push({ name: `${name}.lora_b`, shape: [pair.b.shape[1]!, pair.b.shape[0]!], type: 'F32', data: b });
  }
  const metadata: Record<string, GgufMetadataValue> = {
    'general.architecture': 'llama',
    'general.type': 'adapter',
    'general.name': `${model.name ?? 'rec-lm'}-lora`,
    'adapter.type': 'lora',
    'adapter.lora.alpha': { type: 'float32', value: lora.alpha },
  };
  return { metadata, tensors };
}
