import fs from 'node:fs';
import path from 'node:path';
import { DataFormatError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, tokenizerFromJson } from './hf-tokenizer';
import { makeTempDir } from './test-fixtures/tiny-corpus';
import type { TokenizerJson } from './tokenizer';

/** A BERT-uncased-style tokenizer.json as the Hub ships it (BertProcessing, specials as added tokens). */
const BERT_STYLE = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: {
    type: 'WordPiece',
    unk_token: '[UNK]',
    continuing_subword_prefix: '##',
    max_input_chars_per_word: 100,
    vocab: { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, '[MASK]': 4, hello: 5, world: 6, '##s': 7, ',': 8 },
  },
};

describe('loadTokenizer', () => {
  it('loads a Hub-style BERT tokenizer.json with its tokenizer_config.json and encodes, truncates, pads and decodes', async () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(BERT_STYLE));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '[PAD]', cls_token: '[CLS]', sep_token: '[SEP]', unk_token: '[UNK]', mask_token: '[MASK]' }));
    const tokenizer = await loadTokenizer(dir);
    expect(tokenizer.vocabSize).toBe(9);
    expect(tokenizer.specialTokens).toEqual({ pad: 0, cls: 2, sep: 3, unk: 1, bos: undefined, eos: undefined, mask: 4 });
    const encoded = tokenizer.encode('Hello worlds, WORLD!');
    expect(encoded.tokens).toEqual(['[CLS]', 'hello', 'world', '##s', ',', 'world', '[UNK]', '[SEP]']);
    expect(encoded.ids).toEqual([2, 5, 6, 7, 8, 6, 1, 3]);
    expect(tokenizer.encode('Hello worlds, WORLD!', { maxLength: 4 }).ids).toEqual([2, 5, 6, 3]);
    expect(tokenizer.encode('Hello worlds', { addSpecialTokens: false, maxLength: 2 }).ids).toEqual([5, 6]);
    expect(tokenizer.encodeBatch(['hello', 'hello world'], { padding: 'longest' }).ids).toEqual([[2, 5, 3, 0], [2, 5, 6, 3]]);
    expect(tokenizer.decode([2, 5, 6, 7, 3])).toBe('hello worlds');
    expect(tokenizer.decode([2, 5, 3], { skipSpecialTokens: false })).toBe('[CLS] hello [SEP]');
    expect([tokenizer.tokenToId('world'), tokenizer.tokenToId('nope'), tokenizer.idToToken(7)]).toEqual([6, undefined, '##s']);

    // save() writes the same document (and the config) elsewhere.
    const copy = path.join(makeTempDir(), 'tokenizer.json');
    await tokenizer.save(copy);
    expect(JSON.parse(fs.readFileSync(copy, 'utf8'))).toEqual(BERT_STYLE);
    expect(fs.existsSync(path.join(path.dirname(copy), 'tokenizer_config.json'))).toBe(true);
  });

  it('rejects documents that are not tokenizers', async () => {
    expect(() => tokenizerFromJson({} as TokenizerJson)).toThrow(DataFormatError);
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{ not json');
    await expect(loadTokenizer(path.join(dir, 'tokenizer.json'))).rejects.toThrow(/Tokenizer file \(tokenizer.json\) is not valid JSON/);
    expect(() => tokenizerFromJson({ model: { type: 'Nope' } })).toThrow(DataFormatError);
  });
});
