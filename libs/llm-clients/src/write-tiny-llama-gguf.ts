import { InvalidOptionError, integerOption, checkInteger } from '@score/core';
import type { GgufTensor, GgufValue } from './gguf-types';
import { writeGguf } from './write-gguf';

/** Options of {@link writeTinyLlamaGguf}. */
export interface TinyLlamaGgufOptions {
  /**
   * Seed of the random weights; the same seed writes the same file.
   * @defaultValue 1
   */
  readonly seed?: number;
  /**
   * Words of the vocabulary besides the special and byte tokens. A leading space is written as
   * SentencePiece's "▁"; every prefix of each word is added too so that the SentencePiece
   * tokenizer can merge up to it.
   * @defaultValue a small English vocabulary that includes "Yes", " Yes", "No" and " No"
   */
  readonly vocab?: readonly string[];
  /**
   * Hidden size (embedding length); a multiple of `heads` whose head size is even.
   * @defaultValue 32
   */
  readonly hiddenSize?: number;
  /**
   * Transformer blocks.
   * @defaultValue 2
   */
  readonly layers?: number;
  /**
   * Attention heads (also the key/value heads).
   * @defaultValue 2
   */
  readonly heads?: number;
  /**
   * Feed-forward size.
   * @defaultValue 64
   */
  readonly feedForwardSize?: number;
  /**
   * Training context length written to the file.
   * @defaultValue 256
   */
  readonly contextLength?: number;
  /**
   * Standard deviation of the random weights.
   * @defaultValue 0.5
   */
  readonly weightScale?: number;
}

/** The default words of {@link writeTinyLlamaGguf}. */
export const TINY_LLAMA_DEFAULT_VOCAB: readonly string[] = Object.freeze([
  'Yes', ' Yes', 'No', ' No', 'yes', ' yes', 'no', ' no', ' the', ' user', ' movie', ' movies', ' rated', ' like',
  ' would', ' enjoy', ' Based', ' on', ' this', ' information', ' predict', ' whether', ' titled', ' Respond',
  ' with', ' either', ' or', ' has', ' highly', ' following', ' The', ' a', ' is', ' good', ' bad', ' film',
  ' Answer', ':', '.', ',', "'", '?',
]);

const SPACE = '\u2581';

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function uniformRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The SentencePiece vocabulary: special tokens, the 256 byte tokens, then the words and their prefixes. */
function buildVocabulary(words: readonly string[]): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3]; // unknown, control, control
  for (let byte = 0; byte < 256; byte++) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6); // byte
  }
  const pieces = new Set<string>();
  for (const word of words) {
    const piece = word.replaceAll(' ', SPACE);
    const characters = Array.from(piece);
    for (let end = 1; end <= characters.length; end++) pieces.add(characters.slice(0, end).join(''));
    for (const character of characters) pieces.add(character);
  }
  const ordered = [...pieces].filter((piece) => !tokens.includes(piece));
  // Longer pieces score higher so that SentencePiece merges prefer them.
  const scores = tokens.map(() => 0);
  for (const piece of ordered) {
    tokens.push(piece);
    types.push(1); // normal
    scores.push(Array.from(piece).length - 10);
  }
  return { tokens, scores, types };
}

/**
 * Writes a tiny random Llama model (F32 weights, SentencePiece "llama" tokenizer with byte
 * fallback) that llama.cpp loads and runs; for tests and examples of the llama.cpp backend.
 */
export async function writeTinyLlamaGguf(filePath: string, options: TinyLlamaGgufOptions = {}): Promise<void> {
  const seed = options.seed ?? 1;
  checkInteger('seed', seed);
  const hidden = integerOption('hiddenSize', options.hiddenSize, 32, 1);
  const layers = integerOption('layers', options.layers, 2, 1);
  const heads = integerOption('heads', options.heads, 2, 1);
  const feedForward = integerOption('feedForwardSize', options.feedForwardSize, 64, 1);
  const contextLength = integerOption('contextLength', options.contextLength, 256, 1);
  const scale = options.weightScale ?? 0.5;
  if (!(scale > 0 && Number.isFinite(scale))) throw new InvalidOptionError('weightScale', `must be a positive number, got ${scale}.`, scale);
  if (hidden % heads !== 0 || (hidden / heads) % 2 !== 0) {
    throw new InvalidOptionError('hiddenSize', `must be a multiple of heads (${heads}) with an even head size, got ${hidden}.`, hidden);
  }
  const words = options.vocab ?? TINY_LLAMA_DEFAULT_VOCAB;
  if (!Array.isArray(words) || words.some((word) => typeof word !== 'string' || word.length === 0)) {
    throw new InvalidOptionError('vocab', 'must be an array of non-empty strings.');
  }
  const { tokens, scores, types } = buildVocabulary(words);

  const random = uniformRandom(seed);
  const normal = (): number => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const tensor = (name: string, shape: number[], fill: 'random' | 'ones'): GgufTensor => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = fill === 'ones' ? 1 : normal() * scale;
    return { name, shape, type: 'F32', data };
  };
  const vocabSize = tokens.length;
  const tensors: GgufTensor[] = [tensor('token_embd.weight', [hidden, vocabSize], 'random')];
  for (let layer = 0; layer < layers; layer++) {
    const block = `blk.${layer}`;
    tensors.push(
      tensor(`${block}.attn_norm.weight`, [hidden], 'ones'),
      tensor(`${block}.attn_q.weight`, [hidden, hidden], 'random'),
      tensor(`${block}.attn_k.weight`, [hidden, hidden], 'random'),
      tensor(`${block}.attn_v.weight`, [hidden, hidden], 'random'),
      tensor(`${block}.attn_output.weight`, [hidden, hidden], 'random'),
      tensor(`${block}.ffn_norm.weight`, [hidden], 'ones'),
      tensor(`${block}.ffn_gate.weight`, [hidden, feedForward], 'random'),
      tensor(`${block}.ffn_up.weight`, [hidden, feedForward], 'random'),
      tensor(`${block}.ffn_down.weight`, [feedForward, hidden], 'random'),
    );
  }
  tensors.push(tensor('output_norm.weight', [hidden], 'ones'), tensor('output.weight', [hidden, vocabSize], 'random'));

  const metadata: Record<string, GgufValue> = {
    'general.architecture': 'llama',
    'general.name': 'tiny-random-llama',
    'general.file_type': { type: 'uint32', value: 0 },
    'llama.context_length': contextLength,
    'llama.embedding_length': hidden,
    'llama.block_count': layers,
    'llama.feed_forward_length': feedForward,
    'llama.attention.head_count': heads,
    'llama.attention.head_count_kv': heads,
    'llama.rope.dimension_count': hidden / heads,
    'llama.rope.freq_base': { type: 'float32', value: 10000 },
    'llama.attention.layer_norm_rms_epsilon': { type: 'float32', value: 1e-5 },
    'llama.vocab_size': vocabSize,
    'tokenizer.ggml.model': 'llama',
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.scores': { type: 'array', itemType: 'float32', values: scores },
    'tokenizer.ggml.token_type': { type: 'array', itemType: 'int32', values: types },
    'tokenizer.ggml.unknown_token_id': 0,
    'tokenizer.ggml.bos_token_id': 1,
    'tokenizer.ggml.eos_token_id': 2,
    'tokenizer.ggml.add_bos_token': true,
    'tokenizer.ggml.add_eos_token': false,
  };
  await writeGguf(filePath, { metadata, tensors });
}
