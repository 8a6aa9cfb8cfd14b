/**
 * What the recommender LM needs of a tokenizer: the subset of `@score/text-encoders`' `Tokenizer`
 * (from `loadTokenizer` for a Hugging Face `tokenizer.json`, or `trainTokenizer` on the corpus)
 * that this package calls, so any such tokenizer fits.
 */
export interface RecLmTokenizer {
  /** Number of ids (must equal the model's vocabulary size or be below it). */
  readonly vocabSize: number;
  /** Special token ids; `bos` starts every prompt when the model config names none. */
  readonly specialTokens: { readonly pad: number; readonly bos?: number; readonly eos?: number; readonly cls?: number };
  /** Token ids of a text; called with `addSpecialTokens: false`. */
  encode(text: string, options?: { readonly addSpecialTokens?: boolean }): { readonly ids: readonly number[] };
  /** Text of token ids. */
  decode(ids: readonly number[], options?: { readonly skipSpecialTokens?: boolean }): string;
}
