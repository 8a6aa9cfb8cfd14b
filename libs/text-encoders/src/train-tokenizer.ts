import { InvalidOptionError, type ProgressCallback, checkInteger } from '@score/core';
import { Tokenizer as HfTokenizerCore } from '@huggingface/tokenizers';
import { applyMerges, type CountedWord, learnMerges } from './bpe-merge-trainer';
import { tokenizerFromJson } from './hf-tokenizer';
import { bpeTokenizerModel, type Tokenizer, type TokenizerJson } from './tokenizer';

/** Spellings of the special tokens a trained tokenizer gets (ids 0..4 in this order). */
export interface TrainedSpecialTokens {
  /** @defaultValue "[PAD]" (wordpiece), "<pad>" (bpe) */
  readonly pad?: string;
  /** @defaultValue "[UNK]" (wordpiece), "<unk>" (bpe) */
  readonly unk?: string;
  /** Added before every text. @defaultValue "[CLS]" (wordpiece), "<s>" (bpe) */
  readonly cls?: string;
  /** Added after every text. @defaultValue "[SEP]" (wordpiece), "</s>" (bpe) */
  readonly sep?: string;
  /** @defaultValue "[MASK]" (wordpiece), "<mask>" (bpe) */
  readonly mask?: string;
}

/** Options of {@link trainTokenizer}. */
export interface TrainTokenizerOptions {
  /** The training corpus. */
  readonly texts: readonly string[];
  /** Size of the vocabulary, special tokens included (an upper bound: a small corpus may give fewer). */
  readonly vocabSize: number;
  /**
   * "wordpiece": BERT normalizer and pre-tokenizer, `##` continuation pieces (as BERT);
   * "bpe": byte-level BPE (as GPT-2 / RoBERTa), never produces an unknown token.
   */
  readonly kind: 'wordpiece' | 'bpe';
  /** Pairs seen fewer times than this are not merged. @defaultValue 2 */
  readonly minFrequency?: number;
  /** Spellings of the special tokens. @defaultValue see {@link TrainedSpecialTokens} */
  readonly specialTokens?: TrainedSpecialTokens;
  /**
   * Words that must each encode as one token (e.g. ["Yes", "No"] for the Yes/No head). For "bpe",
   * both the word and the word after a space are single tokens; with `lowercase`, the lowercased word is.
   * @defaultValue []
   */
  readonly requiredTokens?: readonly string[];
  /**
   * Strings (spaces allowed, e.g. item titles) that each become one token wherever they occur:
   * Hugging Face non-special added tokens, matched in the raw text before normalisation and
   * pre-tokenisation, with ids after the learned vocabulary (`vocabSize` does not count them).
   * Duplicates are dropped; the order of first appearance fixes the ids.
   * @defaultValue []
   */
  readonly addedTokens?: readonly string[];
  /** Lowercase text before tokenizing (wordpiece also strips accents then, as BERT uncased). @defaultValue true for wordpiece, false for bpe */
  readonly lowercase?: boolean;
  /** Receives one event per 100 merges and a final one (task "tokenizer.train", unit "tokens": the vocabulary size so far). @defaultValue none */
  readonly onProgress?: ProgressCallback;
}

const DEFAULT_SPECIALS = {
  wordpiece: { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' },
  bpe: { pad: '<pad>', unk: '<unk>', cls: '<s>', sep: '</s>', mask: '<mask>' },
} as const;

/** GPT-2's byte-to-unicode table: the 256 characters byte-level BPE writes bytes as, in byte order. */
function byteLevelAlphabet(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const chars = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) chars[b] = String.fromCharCode(printable.includes(b) ? b : 256 + extra++);
  return chars;
}

function validate(options: TrainTokenizerOptions): void {
  if (!Array.isArray(options.texts) || options.texts.length === 0 || options.texts.some((t) => typeof t !== 'string')) {
    throw new InvalidOptionError('texts', 'must be a non-empty array of strings.', options.texts);
  }
  if (options.kind !== 'wordpiece' && options.kind !== 'bpe') {
    throw new InvalidOptionError('kind', `must be "wordpiece" or "bpe", got ${JSON.stringify(options.kind)}.`, options.kind);
  }
  checkInteger('vocabSize', options.vocabSize, 1);
  const minFrequency = options.minFrequency ?? 2;
  checkInteger('minFrequency', minFrequency, 1);
  for (const token of options.requiredTokens ?? []) {
    if (typeof token !== 'string' || token.trim() === '' || /\s/.test(token)) {
      throw new InvalidOptionError('requiredTokens', `${JSON.stringify(token)} is not a single word; required tokens are non-empty and contain no whitespace.`, token);
    }
  }
  if (options.addedTokens !== undefined && !Array.isArray(options.addedTokens)) {
    throw new InvalidOptionError('addedTokens', 'must be an array of non-empty strings.', options.addedTokens);
  }
  (options.addedTokens ?? []).forEach((token, i) => {
    if (typeof token !== 'string' || token.trim() === '') {
      throw new InvalidOptionError(`addedTokens[${i}]`, `must be a non-empty string, got ${JSON.stringify(token)}.`, token);
    }
  });
}

function skeleton(kind: 'wordpiece' | 'bpe', lowercase: boolean, specials: Required<TrainedSpecialTokens>): Omit<TokenizerJson, 'model'> {
  const order = [specials.pad, specials.unk, specials.cls, specials.sep, specials.mask];
  if (new Set(order).size !== order.length) throw new InvalidOptionError('specialTokens', `must be five different strings, got ${JSON.stringify(order)}.`, specials);
  const special = (content: string, id: number) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const template = (name: string, id: number) => ({ id: name, ids: [id], tokens: [name] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: order.map(special),
    normalizer:
      kind === 'wordpiece'
        ? { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase }
        : lowercase
          ? { type: 'Lowercase' }
          : null,
    pre_tokenizer: kind === 'wordpiece' ? { type: 'BertPreTokenizer' } : { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: specials.cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: specials.sep, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: specials.cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: specials.sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: specials.sep, type_id: 1 } },
      ],
      special_tokens: { [specials.cls]: template(specials.cls, 2), [specials.sep]: template(specials.sep, 3) },
    },
    decoder: kind === 'wordpiece' ? { type: 'WordPiece', prefix: '##', cleanup: true } : { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  };
}

/**
 * Trains a tokenizer on a corpus, deterministically: WordPiece (BPE-style merge learning with `##`
 * continuation pieces, as the Hugging Face WordPiece trainer) or byte-level BPE. The result is a
 * standard `tokenizer.json` document (see {@link Tokenizer.save}) that `@huggingface/tokenizers`
 * and the Python `tokenizers` library load; the returned tokenizer encodes through it.
 */
export function trainTokenizer(options: TrainTokenizerOptions): Tokenizer {
  validate(options);
  const kind = options.kind;
  const lowercase = options.lowercase ?? kind === 'wordpiece';
  const minFrequency = options.minFrequency ?? 2;
  const specials = { ...DEFAULT_SPECIALS[kind], ...options.specialTokens };
  const base = skeleton(kind, lowercase, specials);
  const words = wordView(kind, base, specials);
  const counts = new Map<string, number>();
  for (const text of options.texts) for (const word of words.preTokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  const sortedWords = [...counts.keys()].sort();
  const vocab = baseVocabulary(kind, specials, sortedWords, words);
  const forced = forceRequiredTokens(options.requiredTokens ?? [], kind, vocab, words);
  if (vocab.size > options.vocabSize) {
    throw new InvalidOptionError(
      'vocabSize',
      `${options.vocabSize} is too small: the special tokens, the ${kind === 'bpe' ? '256-byte' : 'character'} alphabet and the required tokens already take ${vocab.size}; use at least ${vocab.size}.`,
      options.vocabSize,
    );
  }

  const { join } = words;
  const counted: CountedWord[] = sortedWords.map((word) => ({ symbols: applyMerges(words.split(word), forced.ranks, join), count: counts.get(word)! }));
  const learned = learnMerges(counted, {
    minFrequency,
    join,
    onMerge: (done) => {
      if (done % 100 === 0) options.onProgress?.({ task: 'tokenizer.train', done: vocab.size, total: options.vocabSize, unit: 'tokens' });
    },
    stop: () => vocab.size >= options.vocabSize,
    onLearn: (left, right) => addToVocab(vocab, join(left, right)),
  });
  options.onProgress?.({ task: 'tokenizer.train', done: vocab.size, total: options.vocabSize, unit: 'tokens', finished: true });
  return assembleTokenizer(kind, base, specials, lowercase, vocab, [...forced.merges, ...learned], options.addedTokens ?? []);
}

const CONTINUATION_PREFIX = '##';

/** How the trainer sees text: the library's own normalizer and pre-tokenizer, and the kind's symbols. */
interface WordView {
  /** A text's words, exactly as encoding will cut it. */
  preTokenize(text: string): string[];
  /** A word's initial symbols (WordPiece marks every symbol but the first with `##`). */
  split(word: string): string[];
  /** The symbol two adjacent symbols merge into. */
  join(left: string, right: string): string;
}

/** The {@link WordView} of a tokenizer kind, its normalizer and pre-tokenizer probed from `@huggingface/tokenizers` over `base`. */
function wordView(kind: 'wordpiece' | 'bpe', base: Omit<TokenizerJson, 'model'>, specials: Required<TrainedSpecialTokens>): WordView {
  const prefix = CONTINUATION_PREFIX;
  // The library's own normalizer and pre-tokenizer, so training sees exactly what encoding will.
  const probeModel =
    kind === 'wordpiece'
      ? { type: 'WordPiece', unk_token: specials.unk, continuing_subword_prefix: prefix, max_input_chars_per_word: 100, vocab: { [specials.unk]: 0 } }
      : { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab: { a: 0 }, merges: [] };
  const probe = new HfTokenizerCore({ ...base, added_tokens: [], post_processor: null, model: probeModel }, {});
  const normalize = (text: string): string => (probe.normalizer ? (probe.normalizer as unknown as (t: string) => string)(text) : text);
  return {
    preTokenize: (text) => (probe.pre_tokenizer as unknown as (t: string) => string[])(normalize(text)),
    split: (word) => {
      const chars = Array.from(word);
      return kind === 'wordpiece' ? chars.map((c, i) => (i === 0 ? c : prefix + c)) : chars;
    },
    join: kind === 'wordpiece' ? (left, right) => left + (right.startsWith(prefix) ? right.slice(prefix.length) : right) : (left, right) => left + right,
  };
}

/** Adds `token` with the next id unless the vocabulary holds it. */
function addToVocab(vocab: Map<string, number>, token: string): void {
  if (!vocab.has(token)) vocab.set(token, vocab.size);
}

/** The special tokens, then the alphabet: every byte and the corpus' symbols (BPE), or the corpus' symbols sorted (WordPiece). */
function baseVocabulary(kind: 'wordpiece' | 'bpe', specials: Required<TrainedSpecialTokens>, sortedWords: readonly string[], words: WordView): Map<string, number> {
  const vocab = new Map<string, number>();
  for (const token of [specials.pad, specials.unk, specials.cls, specials.sep, specials.mask]) addToVocab(vocab, token);
  if (kind === 'bpe') {
    // Every byte, so that no text is ever unknown (GPT-2's byte-to-unicode alphabet).
    for (const char of byteLevelAlphabet()) addToVocab(vocab, char);
    for (const word of sortedWords) for (const c of words.split(word)) addToVocab(vocab, c);
  } else {
    const alphabet = new Set<string>();
    for (const word of sortedWords) for (const c of words.split(word)) alphabet.add(c);
    for (const c of [...alphabet].sort()) addToVocab(vocab, c);
  }
  return vocab;
}

/**
 * Required tokens: WordPiece takes the whole word into the vocabulary; BPE needs merges that build
 * it (and its space-prefixed form), which come first and are applied before learning.
 */
function forceRequiredTokens(
  required: readonly string[],
  kind: 'wordpiece' | 'bpe',
  vocab: Map<string, number>,
  words: WordView,
): { merges: [string, string][]; ranks: Map<string, number> } {
  const { preTokenize, split, join } = words;
  const merges: [string, string][] = [];
  const ranks = new Map<string, number>();
  for (const token of required) {
    const forms = kind === 'bpe' ? [token, ` ${token}`] : [token];
    for (const form of forms) {
      const pieces = preTokenize(form);
      if (pieces.length !== 1) {
        throw new InvalidOptionError('requiredTokens', `${JSON.stringify(token)} is split into ${pieces.length} words (${JSON.stringify(pieces)}) by the ${kind} pre-tokenizer, so it cannot be one token.`, token);
      }
      const word = pieces[0]!;
      if (kind === 'wordpiece') {
        for (const c of split(word)) addToVocab(vocab, c);
        addToVocab(vocab, word);
        continue;
      }
      for (const c of split(word)) addToVocab(vocab, c);
      for (;;) {
        const symbols = applyMerges(split(word), ranks, join);
        if (symbols.length === 1) break;
        const key = `${symbols[0]} ${symbols[1]}`;
        ranks.set(key, merges.length);
        merges.push([symbols[0]!, symbols[1]!]);
        addToVocab(vocab, join(symbols[0]!, symbols[1]!));
      }
    }
  }
  return { merges, ranks };
}

/** The trained `tokenizer.json` (model, added tokens) and `tokenizer_config.json`, as a {@link Tokenizer}. */
function assembleTokenizer(
  kind: 'wordpiece' | 'bpe',
  base: Omit<TokenizerJson, 'model'>,
  specials: Required<TrainedSpecialTokens>,
  lowercase: boolean,
  vocab: ReadonlyMap<string, number>,
  merges: readonly (readonly [string, string])[],
  addedTokens: readonly string[],
): Tokenizer {
  const vocabObject = Object.fromEntries(vocab);
  const model =
    kind === 'wordpiece'
      ? { type: 'WordPiece', unk_token: specials.unk, continuing_subword_prefix: CONTINUATION_PREFIX, max_input_chars_per_word: 100, vocab: vocabObject }
      : bpeTokenizerModel(
          vocabObject,
          merges.map(([left, right]) => `${left} ${right}`),
        );
  // tokenizer_config.json, written beside tokenizer.json by save(): names the special tokens for HF tooling.
  const config: Record<string, unknown> = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: 512,
    pad_token: specials.pad,
    unk_token: specials.unk,
    cls_token: specials.cls,
    sep_token: specials.sep,
    mask_token: specials.mask,
    ...(kind === 'bpe' ? { bos_token: specials.cls, eos_token: specials.sep } : {}),
    do_lower_case: lowercase,
  };
  const extra = [...new Set(addedTokens)].filter((token) => !vocab.has(token));
  const allAdded = [
    ...((base.added_tokens ?? []) as NonNullable<TokenizerJson['added_tokens']>),
    ...extra.map((content, i) => ({ id: vocab.size + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: false })),
  ];
  return tokenizerFromJson({ ...base, added_tokens: allAdded, model } as TokenizerJson, config, 'trained tokenizer');
}
