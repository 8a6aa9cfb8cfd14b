import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError } from '@score/core';
import { Tokenizer as HfTokenizerCore } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from './hf-tokenizer';
import { trainTokenizer } from './train-tokenizer';

const corpus = [
  'The user has watched the following movies: Toy Story, Jumanji, Heat.',
  'The user has highly rated the following movies: Heat, Casino, Toy Story 2.',
  'Would the user enjoy the movie titled Jumanji? Respond with either Yes or No.',
  'Other users with similar preferences have given high ratings to the movies: Heat, Casino.',
  'the movies the movies the users the user watched watched rated rated',
];

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'score-tokenizer-'));
}

describe('trainTokenizer', () => {
  for (const kind of ['wordpiece', 'bpe'] as const) {
    it(`${kind}: trains deterministically, saves a tokenizer.json that @huggingface/tokenizers loads and encodes identically`, async () => {
      const options = { texts: corpus, vocabSize: kind === 'bpe' ? 330 : 120, kind, requiredTokens: ['Yes', 'No'] };
      const tokenizer = trainTokenizer(options);
      const again = trainTokenizer(options);
      expect(JSON.stringify(again.toJSON())).toBe(JSON.stringify(tokenizer.toJSON()));
      expect(tokenizer.vocabSize).toBeLessThanOrEqual(options.vocabSize);
      expect(tokenizer.vocabSize).toBeGreaterThan(kind === 'bpe' ? 261 : 60);
      expect(tokenizer.specialTokens.pad).toBe(0);
      expect(tokenizer.specialTokens.unk).toBe(1);
      expect(tokenizer.specialTokens.cls).toBe(2);
      expect(tokenizer.specialTokens.sep).toBe(3);

      const dir = tempDir();
      const file = path.join(dir, 'tokenizer.json');
      await tokenizer.save(file);
      const loaded = await loadTokenizer(file);
      const raw = new HfTokenizerCore(JSON.parse(fs.readFileSync(file, 'utf8')), {});
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
      expect([config['pad_token'], config['tokenizer_class']]).toEqual([kind === 'bpe' ? '<pad>' : '[PAD]', 'PreTrainedTokenizerFast']);
      const probes = [...corpus, 'Yes', 'No', 'A new movie: Casino Royale, not seen before! Yes? No.'];
      for (const text of probes) {
        const encoded = tokenizer.encode(text);
        expect(loaded.encode(text)).toEqual(encoded);
        expect(raw.encode(text).ids).toEqual(encoded.ids);
        expect(encoded.ids[0]).toBe(2);
        expect(encoded.ids.at(-1)).toBe(3);
      }
      // Required tokens are single tokens (BPE: also after a space).
      const yes = kind === 'wordpiece' ? 'yes' : 'Yes';
      expect(tokenizer.encode('Yes', { addSpecialTokens: false }).tokens).toEqual([yes]);
      expect(tokenizer.encode('No', { addSpecialTokens: false }).ids).toHaveLength(1);
      if (kind === 'bpe') {
        expect(tokenizer.encode('Answer: Yes', { addSpecialTokens: false }).tokens.at(-1)).toBe('ĠYes');
        expect(tokenizer.encode(' No', { addSpecialTokens: false }).tokens).toEqual(['ĠNo']);
      }
      // Frequent words became whole tokens; decoding gives the (normalised) text back.
      expect(tokenizer.encode('the movies', { addSpecialTokens: false }).ids.length).toBeLessThanOrEqual(3);
      const text = 'Heat, Casino.';
      expect(tokenizer.decode(tokenizer.encode(text).ids)).toBe(kind === 'wordpiece' ? 'heat, casino.' : text);
    });
  }

  it('truncates the text but keeps the special tokens, and pads batches', () => {
    const tokenizer = trainTokenizer({ texts: corpus, vocabSize: 100, kind: 'wordpiece' });
    const long = tokenizer.encode('the user has watched the following movies', { maxLength: 4 });
    expect(long.ids).toHaveLength(4);
    expect(long.tokens[0]).toBe('[CLS]');
    expect(long.tokens[3]).toBe('[SEP]');
    expect(long.ids.slice(1, 3)).toEqual(tokenizer.encode('the user has watched', { addSpecialTokens: false }).ids.slice(0, 2));
    const batch = tokenizer.encodeBatch(['heat', 'the user has watched'], { maxLength: 16 });
    expect(batch.length).toBe(batch.ids[1]!.length);
    expect(batch.ids[0]).toEqual([2, tokenizer.tokenToId('heat'), 3, ...new Array(batch.length - 3).fill(0)]);
    expect(batch.attentionMask[0]).toEqual([1, 1, 1, ...new Array(batch.length - 3).fill(0)]);
    expect(tokenizer.encodeBatch(['heat'], { maxLength: 6, padding: 'maxLength' }).ids[0]).toHaveLength(6);
    expect(() => tokenizer.encode('heat casino', { maxLength: 1 })).toThrow(/no room for the 2 special tokens/);
    expect(tokenizer.idToToken(0)).toBe('[PAD]');
  });

  it('rejects bad options with the field named', () => {
    expect(() => trainTokenizer({ texts: corpus, vocabSize: 10, kind: 'bpe' })).toThrow(/too small.*use at least 261/);
    expect(() => trainTokenizer({ texts: [], vocabSize: 10, kind: 'bpe' })).toThrow(InvalidOptionError);
    expect(() => trainTokenizer({ texts: corpus, vocabSize: 400, kind: 'bpe', requiredTokens: ["can't"] })).toThrow(/split into 2 words/);
  });

  it('loadTokenizer reports a missing file', async () => {
    const missing = path.join(tempDir(), 'nothing', 'tokenizer.json');
    await expect(loadTokenizer(missing)).rejects.toThrow(ArtifactNotFoundError);
    await expect(loadTokenizer(missing)).rejects.toThrow(/Tokenizer file \(tokenizer.json\) not found at/);
  });
  it('addedTokens: whole titles become one token each, after the learned vocabulary, and survive save and load', async () => {
    const tokenizer = trainTokenizer({ texts: corpus, vocabSize: 330, kind: 'bpe', requiredTokens: ['Yes', 'No'], addedTokens: ['Toy Story 2', 'Heat', 'Toy Story 2'] });
    const learned = trainTokenizer({ texts: corpus, vocabSize: 330, kind: 'bpe', requiredTokens: ['Yes', 'No'] });
    const story = tokenizer.tokenToId('Toy Story 2');
    expect(story).toBe(learned.vocabSize);
    expect(tokenizer.vocabSize).toBe(learned.vocabSize + 1 + (learned.tokenToId('Heat') === undefined ? 1 : 0));
    const ids = tokenizer.encode('liked "Toy Story 2" and "Toy Story"', { addSpecialTokens: false }).ids;
    expect(ids).toContain(story);
    expect(ids.filter((id) => id === story)).toHaveLength(1);
    expect(tokenizer.decode(ids)).toBe('liked "Toy Story 2" and "Toy Story"');
    const file = path.join(tempDir(), 'tokenizer.json');
    await tokenizer.save(file);
    const loaded = await loadTokenizer(file);
    expect(loaded.encode('liked "Toy Story 2"', { addSpecialTokens: false }).ids).toEqual(tokenizer.encode('liked "Toy Story 2"', { addSpecialTokens: false }).ids);
    expect(() => trainTokenizer({ texts: corpus, vocabSize: 330, kind: 'bpe', addedTokens: ['ok', ' '] })).toThrow(/addedTokens\[1\]/);
  });
});
