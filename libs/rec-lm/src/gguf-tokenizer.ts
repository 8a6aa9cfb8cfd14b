import { DataFormatError } from '@score/core';
import { bpeTokenizerModel, type TokenizerJson } from '@score/text-encoders';

/** Llama 3's pre-tokenization regex (llama.cpp's LLAMA_VOCAB_PRE_TYPE_LLAMA3). */
const LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const byteLevel = (useRegex: boolean): Record<string, unknown> => ({ type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: useRegex });

/**
 * The pre-tokenizer of each `tokenizer.ggml.pre` value this package knows, written as the
 * Hugging Face `tokenizer.json` pre_tokenizer that splits like llama.cpp's llama-vocab.cpp
 * (`llm_tokenizer_bpe` regex lists). "smollm" (and starcoder, refact, codeshell: one group in
 * llama.cpp) splits every digit apart, then applies GPT-2's regex: SmolLM2's own tokenizer.json
 * has exactly Digits(individual_digits) + ByteLevel. Only "smollm" is checked against llama.cpp
 * by a test (llama-cpp-smollm2.test.ts).
 */
const PRE_TOKENIZERS: Readonly<Record<string, () => Record<string, unknown>>> = {
  default: () => byteLevel(true),
  'gpt-2': () => byteLevel(true),
  smollm: () => ({ type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevel(true)] }),
  starcoder: () => PRE_TOKENIZERS['smollm']!(),
  refact: () => PRE_TOKENIZERS['smollm']!(),
  codeshell: () => PRE_TOKENIZERS['smollm']!(),
  'llama-bpe': () => ({ type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: LLAMA3_REGEX }, behavior: 'Isolated', invert: false }, byteLevel(false)] }),
};

/** ggml token types (llama.cpp `llama_token_type`): 3 control, 4 user-defined. */
const CONTROL = 3;
const USER_DEFINED = 4;

/**
 * Builds a Hugging Face `tokenizer.json` (loadable by `@huggingface/tokenizers`, e.g. through
 * `tokenizerFromJson` of `@score/text-encoders`) from a GGUF file's tokenizer metadata: a GPT-2
 * style byte-level BPE (`tokenizer.ggml.model` "gpt2") with the vocabulary of
 * `tokenizer.ggml.tokens` (ids are positions), `tokenizer.ggml.merges` in rank order, the
 * pre-tokenizer of `tokenizer.ggml.pre` (see above), and the control (type 3, special) and
 * user-defined (type 4) tokens of `tokenizer.ggml.token_type` as added tokens, which the text
 * is split on first. Throws `DataFormatError` naming the key for a SentencePiece ("llama")
 * vocabulary, an unknown pre-type or missing arrays.
 */
export function ggufTokenizerJson(metadata: Readonly<Record<string, unknown>>, filePath: string): TokenizerJson {
  const model = metadata['tokenizer.ggml.model'];
  if (model !== 'gpt2') {
    throw new DataFormatError(`tokenizer.ggml.model is ${JSON.stringify(model)}; only "gpt2" (byte-level BPE) vocabularies are converted to a tokenizer.json.`, { path: filePath, field: 'tokenizer.ggml.model' });
  }
  const tokens = metadata['tokenizer.ggml.tokens'];
  const merges = metadata['tokenizer.ggml.merges'];
  const types = metadata['tokenizer.ggml.token_type'];
  if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string')) throw new DataFormatError('tokenizer.ggml.tokens must be an array of strings.', { path: filePath, field: 'tokenizer.ggml.tokens' });
  if (!Array.isArray(merges) || merges.some((m) => typeof m !== 'string')) throw new DataFormatError('tokenizer.ggml.merges must be an array of strings ("a b").', { path: filePath, field: 'tokenizer.ggml.merges' });
  if (types !== undefined && (!Array.isArray(types) || types.length !== tokens.length)) {
    throw new DataFormatError(`tokenizer.ggml.token_type must list one type per token (${tokens.length}).`, { path: filePath, field: 'tokenizer.ggml.token_type' });
  }
  const pre = metadata['tokenizer.ggml.pre'] ?? 'default';
  const preTokenizer = typeof pre === 'string' ? PRE_TOKENIZERS[pre] : undefined;
  if (!preTokenizer) {
    throw new DataFormatError(`tokenizer.ggml.pre ${JSON.stringify(pre)} is not supported; known pre-types are ${Object.keys(PRE_TOKENIZERS).join(', ')}.`, { path: filePath, field: 'tokenizer.ggml.pre' });
  }
  const vocab: Record<string, number> = {};
  (tokens as string[]).forEach((token, id) => {
    vocab[token] = id;
  });
  const added: NonNullable<TokenizerJson['added_tokens']>[number][] = [];
  (types as number[] | undefined)?.forEach((type, id) => {
    if (type === CONTROL || type === USER_DEFINED) {
      added.push({ id, content: (tokens as string[])[id]!, single_word: false, lstrip: false, rstrip: false, normalized: false, special: type === CONTROL });
    }
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: preTokenizer(),
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: bpeTokenizerModel(vocab, merges as string[]),
  };
}

/**
 * The `tokenizer_config.json` fields that name the special tokens (bos, eos, pad, unk) of a GGUF
 * file's `tokenizer.ggml.*_token_id` keys, plus `chat_template` and `add_bos_token`.
 */
export function ggufTokenizerConfig(metadata: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const tokens = metadata['tokenizer.ggml.tokens'] as readonly string[];
  const config: Record<string, unknown> = {};
  for (const [key, name] of [['bos', 'bos'], ['eos', 'eos'], ['pad', 'padding'], ['unk', 'unknown']] as const) {
    const id = metadata[`tokenizer.ggml.${name}_token_id`];
    if (typeof id === 'number' && tokens[id] !== undefined) config[`${key}_token`] = tokens[id];
  }
  if (typeof metadata['tokenizer.chat_template'] === 'string') config['chat_template'] = metadata['tokenizer.chat_template'];
  if (typeof metadata['tokenizer.ggml.add_bos_token'] === 'boolean') config['add_bos_token'] = metadata['tokenizer.ggml.add_bos_token'];
  return config;
}
