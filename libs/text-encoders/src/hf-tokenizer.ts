import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError, InvalidOptionError, writeFileAtomic, checkInteger } from '@score/core';
import { Tokenizer as HfTokenizerCore } from '@huggingface/tokenizers';
import { readJsonObject } from './model-folder';
import type { SpecialTokenIds, Tokenizer, TokenizerBatchEncoding, TokenizerBatchOptions, TokenizerDecodeOptions, TokenizerEncodeOptions, TokenizerEncoding, TokenizerJson } from './tokenizer';

/** Candidate spellings of each special token, tried in order when `tokenizer_config.json` names none. */
const SPECIAL_CANDIDATES: Readonly<Record<keyof SpecialTokenIds, readonly string[]>> = {
  pad: ['[PAD]', '<pad>', '<|pad|>', '<|padding|>'],
  cls: ['[CLS]', '<s>', '<cls>'],
  sep: ['[SEP]', '</s>', '<sep>'],
  unk: ['[UNK]', '<unk>', '<|unk|>'],
  bos: ['<s>', '<|begin_of_text|>', '<bos>', '<|startoftext|>'],
  eos: ['</s>', '<|end_of_text|>', '<|endoftext|>', '<eos>'],
  mask: ['[MASK]', '<mask>'],
};

function configToken(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return undefined;
}

/** A {@link Tokenizer} backed by `@huggingface/tokenizers` (any `tokenizer.json`). */
class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly specialTokens: SpecialTokenIds;
  readonly #core: HfTokenizerCore;
  readonly #json: TokenizerJson;
  readonly #config: Record<string, unknown>;

  constructor(json: TokenizerJson, config: Record<string, unknown>, source: string) {
    let core: HfTokenizerCore;
    try {
      core = new HfTokenizerCore(json, config);
    } catch (error) {
      throw new DataFormatError(`@huggingface/tokenizers could not build a tokenizer from it: ${error instanceof Error ? error.message : String(error)}`, { path: source, cause: error });
    }
    this.#core = core;
    this.#json = json;
    this.#config = config;
    const vocab = core.get_vocab(true);
    let maxId = -1;
    for (const id of vocab.values()) if (id > maxId) maxId = id;
    if (maxId < 0) throw new DataFormatError('the tokenizer has an empty vocabulary.', { path: source, field: 'model.vocab' });
    this.vocabSize = maxId + 1;
    const find = (key: keyof SpecialTokenIds): number | undefined => {
      const named = configToken(config[`${key}_token`]);
      if (named !== undefined) {
        const id = core.token_to_id(named);
        if (id !== undefined) return id;
      }
      for (const candidate of SPECIAL_CANDIDATES[key]) {
        const id = core.token_to_id(candidate);
        if (id !== undefined) return id;
      }
      return undefined;
    };
    const eos = find('eos');
    this.specialTokens = Object.freeze({
      pad: find('pad') ?? eos ?? 0,
      cls: find('cls'),
      sep: find('sep'),
      unk: find('unk'),
      bos: find('bos'),
      eos,
      mask: find('mask'),
    });
  }

  encode(text: string, options: TokenizerEncodeOptions = {}): TokenizerEncoding {
    if (options.maxLength !== undefined) checkInteger('maxLength', options.maxLength, 1);
    const addSpecialTokens = options.addSpecialTokens ?? true;
    const full = this.#core.encode(text, { add_special_tokens: addSpecialTokens });
    let ids = full.ids;
    let tokens = full.tokens;
    const maxLength = options.maxLength;
    if (maxLength !== undefined && ids.length > maxLength) {
      if (!addSpecialTokens) {
        ids = ids.slice(0, maxLength);
        tokens = tokens.slice(0, maxLength);
      } else {
        // Cut the text, keep the post-processor's prefix and suffix (e.g. [CLS] and [SEP]).
        const content = this.#core.encode(text, { add_special_tokens: false }).ids;
        let prefix = 0;
        search: for (; prefix + content.length <= ids.length; prefix++) {
          for (let i = 0; i < content.length; i++) if (ids[prefix + i] !== content[i]) continue search;
          break;
        }
        const suffix = ids.length - prefix - content.length;
        const keep = maxLength - prefix - suffix;
        if (keep < 0 || prefix + content.length > ids.length) {
          throw new InvalidOptionError('maxLength', `${maxLength} leaves no room for the ${prefix + suffix} special tokens this tokenizer adds; use at least ${prefix + suffix + 1}.`, maxLength);
        }
        const pick = <T>(values: T[]): T[] => [...values.slice(0, prefix + keep), ...values.slice(prefix + content.length)];
        ids = pick(ids);
        tokens = pick(tokens);
      }
    }
    return { ids: [...ids], tokens: [...tokens], attentionMask: ids.map(() => 1) };
  }

  encodeBatch(texts: readonly string[], options: TokenizerBatchOptions = {}): TokenizerBatchEncoding {
    const padding = options.padding ?? 'longest';
    if (padding !== 'longest' && padding !== 'maxLength') {
      throw new InvalidOptionError('padding', `must be "longest" or "maxLength", got ${JSON.stringify(padding)}.`, padding);
    }
    if (padding === 'maxLength' && options.maxLength === undefined) {
      throw new InvalidOptionError('maxLength', 'is required when padding is "maxLength".');
    }
    const encodings = texts.map((text) => this.encode(text, options));
    const length = padding === 'maxLength' ? options.maxLength! : Math.max(0, ...encodings.map((e) => e.ids.length));
    const padToken = this.idToToken(this.specialTokens.pad) ?? '';
    const ids: number[][] = [];
    const tokens: string[][] = [];
    const attentionMask: number[][] = [];
    for (const encoding of encodings) {
      const missing = length - encoding.ids.length;
      ids.push([...encoding.ids, ...new Array<number>(missing).fill(this.specialTokens.pad)]);
      tokens.push([...encoding.tokens, ...new Array<string>(missing).fill(padToken)]);
      attentionMask.push([...encoding.attentionMask, ...new Array<number>(missing).fill(0)]);
    }
    return { ids, tokens, attentionMask, length };
  }

  decode(ids: readonly number[], options: TokenizerDecodeOptions = {}): string {
    return this.#core.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? true });
  }

  tokenToId(token: string): number | undefined {
    return this.#core.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.#core.id_to_token(id);
  }

  toJSON(): TokenizerJson {
    return structuredClone(this.#json);
  }

  async save(filePath: string): Promise<void> {
    await writeFileAtomic(filePath, `${JSON.stringify(this.#json, null, 2)}\n`);
    if (Object.keys(this.#config).length > 0) {
      await writeFileAtomic(path.join(path.dirname(filePath), 'tokenizer_config.json'), `${JSON.stringify(this.#config, null, 2)}\n`);
    }
  }
}

/**
 * Builds a tokenizer from a `tokenizer.json` document already in memory.
 * @param json - the parsed `tokenizer.json`
 * @param config - the parsed `tokenizer_config.json` (names the special tokens), if any
 * @param source - where the document came from, for error messages
 */
export function tokenizerFromJson(json: TokenizerJson, config: Record<string, unknown> = {}, source = 'tokenizer.json'): Tokenizer {
  if (!json || typeof json !== 'object' || !json.model || typeof json.model !== 'object') {
    throw new DataFormatError('a tokenizer.json needs a "model" object (WordPiece, BPE, Unigram, ...).', { path: source, field: 'model' });
  }
  return new HfTokenizer(json, config, source);
}

/**
 * Loads any Hugging Face `tokenizer.json` (WordPiece, BPE, Unigram) through `@huggingface/tokenizers`.
 * `path` is the file or the folder holding it; a `tokenizer_config.json` beside it is read too
 * (it names the special tokens). Throws `ArtifactNotFoundError` when the file is missing.
 */
export async function loadTokenizer(filePath: string): Promise<Tokenizer> {
  const file = fs.existsSync(filePath) && fs.statSync(filePath).isDirectory() ? path.join(filePath, 'tokenizer.json') : filePath;
  if (!fs.existsSync(file)) throw new ArtifactNotFoundError(file, 'Tokenizer file (tokenizer.json)');
  const json = readJsonObject(file, 'Tokenizer file (tokenizer.json)') as unknown as TokenizerJson;
  const configPath = path.join(path.dirname(file), 'tokenizer_config.json');
  const config = fs.existsSync(configPath) ? readJsonObject(configPath, 'Tokenizer config (tokenizer_config.json)') : {};
  return tokenizerFromJson(json, config, file);
}
