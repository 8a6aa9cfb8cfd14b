import type { InProcessLanguageModel } from './in-process-language-model';
import { loadHuggingFaceRecLm, type LoadHuggingFaceRecLmOptions } from './load-hugging-face-rec-lm';
import { loadRecLm, type LoadRecLmOptions } from './load-rec-lm';

/**
 * Where a recommender LM is loaded from, as plain data (it crosses to worker threads): a Hugging
 * Face checkpoint folder ({@link loadHuggingFaceRecLm}) or a base of {@link loadRecLm} (a folder,
 * a `.gguf` file or `model:NAME`), with the loader's options. Loading the same source twice gives
 * the same weights, so every thread that loads it scores the same batch to the same bits.
 */
export type RecLmSource =
  | { readonly kind: 'hugging-face'; readonly dir: string; readonly options?: LoadHuggingFaceRecLmOptions }
  | { readonly kind: 'rec-lm'; readonly base: string; readonly options?: LoadRecLmOptions };

/** Loads the LM a {@link RecLmSource} names, on the calling thread. */
export function loadRecLmSource(source: RecLmSource): Promise<InProcessLanguageModel> {
  return source.kind === 'hugging-face' ? loadHuggingFaceRecLm(source.dir, source.options) : loadRecLm(source.base, source.options);
}
