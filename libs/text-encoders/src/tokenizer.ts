/** Ids of a tokenizer's special tokens (undefined where the tokenizer has none). */
export interface SpecialTokenIds {
  /** Padding id used by {@link Tokenizer.encodeBatch}; falls back to eos, else 0, when the tokenizer has no pad token. */
  readonly pad: number;
  readonly cls?: number;
  readonly sep?: number;
  /** Unknown-token id; byte-level BPE tokenizers loaded from the Hub may have none. */
  readonly unk?: number;
  readonly bos?: number;
  readonly eos?: number;
  readonly mask?: number;
}

/** Options of {@link Tokenizer.encode}. */
export interface TokenizerEncodeOptions {
  /**
   * Truncate to at most this many tokens, special tokens included (the text is cut, the
   * special tokens added by the post-processor are kept).
   * @defaultValue no truncation
   */
  readonly maxLength?: number;
  /** Add the post-processor's special tokens (e.g. `[CLS] ... [SEP]`). @defaultValue true */
  readonly addSpecialTokens?: boolean;
}

/** Options of {@link Tokenizer.encodeBatch}. */
export interface TokenizerBatchOptions extends TokenizerEncodeOptions {
  /**
   * "longest" pads every row to the longest row of the batch, "maxLength" to `maxLength`.
   * @defaultValue "longest"
   */
  readonly padding?: 'longest' | 'maxLength';
}

/** One encoded text. */
export interface TokenizerEncoding {
  readonly ids: number[];
  readonly tokens: string[];
  /** 1 for every real token (no padding in a single encoding). */
  readonly attentionMask: number[];
}

/** A padded batch: every row has the same length; padding has id `specialTokens.pad` and mask 0. */
export interface TokenizerBatchEncoding {
  readonly ids: number[][];
  readonly tokens: string[][];
  readonly attentionMask: number[][];
  /** Row length after padding. */
  readonly length: number;
}

/** Options of {@link Tokenizer.decode}. */
export interface TokenizerDecodeOptions {
  /** Drop special tokens from the text. @defaultValue true */
  readonly skipSpecialTokens?: boolean;
}

/** The Hugging Face `tokenizer.json` document (the fields @score reads; others are kept as they are). */
export interface TokenizerJson {
  readonly version?: string;
  readonly added_tokens?: readonly { id: number; content: string; special?: boolean; [key: string]: unknown }[];
  readonly normalizer?: unknown;
  readonly pre_tokenizer?: unknown;
  readonly post_processor?: unknown;
  readonly decoder?: unknown;
  readonly model: { readonly type?: string; readonly vocab?: unknown; [key: string]: unknown };
  readonly [key: string]: unknown;
}

/**
 * The `model` of a byte-level BPE `tokenizer.json` (no dropout, unknown token, prefix or suffix;
 * merges applied as listed): the one spelling of trained tokenizers and of those rebuilt from GGUF.
 * @param merges - `"left right"` pairs, highest priority first.
 */
export function bpeTokenizerModel(vocab: Readonly<Record<string, number>>, merges: readonly string[]): TokenizerJson['model'] {
  return {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab,
    merges: [...merges],
  };
}

/**
 * A text tokenizer with the Hugging Face `tokenizer.json` semantics. Built by
 * {@link loadTokenizer} (any Hub tokenizer) or {@link trainTokenizer} (trained on a corpus).
 */
export interface Tokenizer {
  /** Number of ids: one more than the largest id, added tokens included. */
  readonly vocabSize: number;
  readonly specialTokens: SpecialTokenIds;
  encode(text: string, options?: TokenizerEncodeOptions): TokenizerEncoding;
  encodeBatch(texts: readonly string[], options?: TokenizerBatchOptions): TokenizerBatchEncoding;
  decode(ids: readonly number[], options?: TokenizerDecodeOptions): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** The `tokenizer.json` document. */
  toJSON(): TokenizerJson;
  /** Writes a standard `tokenizer.json` (temp file, then rename). */
  save(filePath: string): Promise<void>;
}
