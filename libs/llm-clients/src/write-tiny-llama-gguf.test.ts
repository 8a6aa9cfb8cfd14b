import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGgufHeader } from './read-gguf-header';
import { writeTinyLlamaGguf } from './write-tiny-llama-gguf';
import { writeTinyLlamaLoraGguf } from './write-tiny-llama-lora-gguf';

const sha = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('writeTinyLlamaGguf', () => {
  it('writes a deterministic Llama GGUF with the keys and tensors llama.cpp needs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-tiny-'));
    const [a, b, c] = ['a', 'b', 'c'].map((name) => path.join(dir, `${name}.gguf`));
    await writeTinyLlamaGguf(a, { seed: 3, vocab: ['Yes', ' No'] });
    await writeTinyLlamaGguf(b, { seed: 3, vocab: ['Yes', ' No'] });
    await writeTinyLlamaGguf(c, { seed: 4, vocab: ['Yes', ' No'] });
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
    const header = readGgufHeader(a);
    const tokens = header.metadata['tokenizer.ggml.tokens'] as string[];
    // 3 special tokens, 256 byte tokens, then "Y", "Ye", "Yes", "e", "s", "▁", "▁N", "▁No", "N", "o".
    expect(tokens.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>']);
    expect(tokens.slice(259).sort()).toEqual(['N', 'Y', 'Ye', 'Yes', 'e', 'o', 's', '▁', '▁N', '▁No'].sort());
    expect(header.metadata['llama.embedding_length']).toBe(32);
    expect(header.metadata['llama.vocab_size']).toBe(tokens.length);
    expect(header.tensors.map((tensor) => tensor.name)).toContain('blk.1.ffn_down.weight');
    expect(header.tensors.find((tensor) => tensor.name === 'token_embd.weight')?.shape).toEqual([32, tokens.length]);
    expect(header.tensors).toHaveLength(1 + 2 * 9 + 2);
  });

  it('validates its options', async () => {
    await expect(writeTinyLlamaGguf('/nonexistent/x.gguf', { hiddenSize: 30, heads: 4 })).rejects.toMatchObject({ field: 'hiddenSize' });
    await expect(writeTinyLlamaGguf('/nonexistent/x.gguf', { vocab: [''] })).rejects.toMatchObject({ field: 'vocab' });
  });
});

describe('writeTinyLlamaLoraGguf', () => {
  it('writes A and B for the query and value projections', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'score-lora-')), 'lora.gguf');
    await writeTinyLlamaLoraGguf(file, { rank: 2, layers: 1 });
    const header = readGgufHeader(file);
    expect(header.metadata['general.type']).toBe('adapter');
    expect(header.metadata['adapter.type']).toBe('lora');
    expect(header.tensors.map((tensor) => [tensor.name, tensor.shape])).toEqual([
      ['blk.0.attn_q.weight.lora_a', [32, 2]],
      ['blk.0.attn_q.weight.lora_b', [2, 32]],
      ['blk.0.attn_v.weight.lora_a', [32, 2]],
      ['blk.0.attn_v.weight.lora_b', [2, 32]],
    ]);
  });
});
