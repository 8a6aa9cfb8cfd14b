import { DataFormatError } from '@score/core';
import { tokenizerFromJson } from '@score/text-encoders';
import { describe, expect, it } from 'vitest';
import { createChatTemplate } from './chat-template';
import { ggufLlamaConfig } from './gguf-llama-config';
import { ggufTokenizerConfig, ggufTokenizerJson } from './gguf-tokenizer';
import { huggingFaceTensorName } from './load-gguf-llama';

// GGUF metadata as llama.cpp's converter writes it, for a tiny model with a byte-level BPE.
const tokens = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', 'a', 'b', 'c', 'Ġ', 'Ċ', '1', '2', 'ab', 'Ġa', 'Ġab', 'abc', 'user', 'Yes', 'No'];
const metadata: Record<string, unknown> = {
  'general.architecture': 'llama',
  'llama.block_count': 2,
  'llama.embedding_length': 32,
  'llama.feed_forward_length': 48,
  'llama.attention.head_count': 4,
  'llama.attention.head_count_kv': 2,
  'llama.rope.freq_base': 100000,
  'llama.attention.layer_norm_rms_epsilon': 1e-5,
  'llama.context_length': 64,
  'tokenizer.ggml.model': 'gpt2',
  'tokenizer.ggml.pre': 'smollm',
  'tokenizer.ggml.tokens': tokens,
  'tokenizer.ggml.token_type': tokens.map((_, id) => (id < 3 ? 3 : 1)),
  'tokenizer.ggml.merges': ['a b', 'Ġ a', 'Ġa b', 'ab c'],
  'tokenizer.ggml.bos_token_id': 1,
  'tokenizer.ggml.eos_token_id': 2,
  'tokenizer.chat_template': "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
};

describe('GGUF metadata', () => {
  it('gives the Llama config: GQA, rope theta, eps, tied embeddings without output.weight', () => {
    const config = ggufLlamaConfig(metadata, ['token_embd.weight'], 'tiny.gguf');
    expect(config).toMatchObject({ vocabSize: tokens.length, hiddenSize: 32, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, headDim: 8, ropeTheta: 100000, tieWordEmbeddings: true, maxPositionEmbeddings: 64, bosTokenId: 1, eosTokenId: 2 });
    expect(ggufLlamaConfig(metadata, ['output.weight'], 'tiny.gguf').tieWordEmbeddings).toBe(false);
    expect(() => ggufLlamaConfig({ ...metadata, 'general.architecture': 'gemma3' }, [], 'g.gguf')).toThrow(/general.architecture is "gemma3"; only llama/);
    const missing = { ...metadata };
    delete missing['llama.block_count'];
    expect(() => ggufLlamaConfig(missing, [], 'm.gguf')).toThrow(DataFormatError);
    expect(() => ggufLlamaConfig({ ...metadata, 'llama.rope.scaling.type': 'yarn' }, [], 'y.gguf')).toThrow(/rope scaling "yarn"/);
  });

  it('maps GGUF tensor names to Hugging Face names', () => {
    expect(huggingFaceTensorName('token_embd.weight')).toBe('model.embed_tokens.weight');
    expect(huggingFaceTensorName('blk.7.attn_k.weight')).toBe('model.layers.7.self_attn.k_proj.weight');
    expect(huggingFaceTensorName('blk.0.ffn_norm.weight')).toBe('model.layers.0.post_attention_layernorm.weight');
    expect(huggingFaceTensorName('blk.0.attn_sinks.weight')).toBeUndefined();
  });

  it('builds a tokenizer.json: merges in rank order, digits split apart, control tokens special', () => {
    const tokenizer = tokenizerFromJson(ggufTokenizerJson(metadata, 'tiny.gguf'), ggufTokenizerConfig(metadata));
    const ids = (text: string): number[] => tokenizer.encode(text, { addSpecialTokens: false }).ids as number[];
    expect(ids('abc')).toEqual([13]);
    // Rank order: 'a b' (rank 0) merges before 'Ġ a' (rank 1), and 'Ġ ab' is no merge.
    expect(ids(' ab')).toEqual([6, 10]);
    expect(ids(' a')).toEqual([11]);
    expect(ids('a12')).toEqual([3, 8, 9]);
    expect(ids('<|im_start|>abc\nab<|im_end|>')).toEqual([1, 13, 7, 10, 2]);
    expect(tokenizer.specialTokens).toMatchObject({ bos: 1, eos: 2 });
    expect(tokenizer.decode([1, 12, 2], { skipSpecialTokens: true })).toBe(' ab');
    expect(() => ggufTokenizerJson({ ...metadata, 'tokenizer.ggml.pre': 'qwen2' }, 'q.gguf')).toThrow(/tokenizer.ggml.pre "qwen2" is not supported; known pre-types are/);
    expect(() => ggufTokenizerJson({ ...metadata, 'tokenizer.ggml.model': 'llama' }, 's.gguf')).toThrow(/only "gpt2"/);
  });

  it('renders the chat template', () => {
    const template = createChatTemplate(metadata['tokenizer.chat_template'] as string);
    expect(template.render([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true })).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    expect(() => createChatTemplate('{% for %}')).toThrow(/not a valid Jinja template/);
  });
});
