import { InvalidOptionError, checkObject, integerOption } from '@score/core';
import { createBertEncoder, createPooledEncoder, loadTrainableEncoder, type TrainableTextEncoder, trainTokenizer } from '@score/text-encoders';

/** Options of {@link createSareEncoder}. */
export interface CreateSareEncoderOptions {
  /**
   * Folder of a saved trainable encoder to start from (BERT-family weights in the Hugging Face
   * layout, or a pooled encoder); its tokenizer is used and the options below but `maxLength` are ignored.
   * @defaultValue none (a new encoder from scratch)
   */
  readonly from?: string;
  /** Texts a new WordPiece tokenizer is trained on (queries and behaviours); needed without `from`. */
  readonly texts?: readonly string[];
  /**
   * "pooled" (mean of token embeddings and a projection: fast on CPU) or "bert" (a small transformer).
   * @defaultValue "pooled"
   */
  readonly architecture?: 'pooled' | 'bert';
  /** Vocabulary size of the new tokenizer (an upper bound). @defaultValue 4000 */
  readonly vocabSize?: number;
  /** Width of the embedding (and of BERT's hidden states). @defaultValue 128 */
  readonly dimensions?: number;
  /**
   * Texts are cut to this many tokens (their first tokens kept); with `from`, at most the model's
   * positions, and a later `save` records it.
   * @defaultValue 256; with `from`, the folder's own setting
   */
  readonly maxLength?: number;
  /** BERT layers (architecture "bert"). @defaultValue 2 */
  readonly layers?: number;
  /** BERT attention heads; must divide `dimensions`. @defaultValue 4 */
  readonly heads?: number;
  /** Seed of the weight initialisation. @defaultValue 42 */
  readonly seed?: number;
}

/**
 * The reranker encoder for SARE: loaded from `from` (for instance a BERT-family checkpoint), or
 * built from scratch with a WordPiece tokenizer trained on `texts`.
 */
export async function createSareEncoder(options: CreateSareEncoderOptions): Promise<TrainableTextEncoder> {
  checkObject('options', options);
  if (options.from !== undefined) {
    return loadTrainableEncoder(options.from, options.maxLength === undefined ? {} : { maxLength: integerOption('maxLength', options.maxLength, 256, 4) });
  }
  const texts = options.texts;
  if (!Array.isArray(texts) || texts.length === 0) {
    throw new InvalidOptionError('texts', 'must be a non-empty list of texts to train the tokenizer on (or give "from", a saved encoder folder).', texts);
  }
  const architecture = options.architecture ?? 'pooled';
  if (architecture !== 'pooled' && architecture !== 'bert') {
    throw new InvalidOptionError('architecture', `must be "pooled" or "bert", got ${JSON.stringify(architecture)}.`, architecture);
  }
  const vocabSize = integerOption('vocabSize', options.vocabSize, 4000, 16);
  const dimensions = integerOption('dimensions', options.dimensions, 128, 1);
  const maxLength = integerOption('maxLength', options.maxLength, 256, 4);
  const seed = integerOption('seed', options.seed, 42, 0);
  const tokenizer = trainTokenizer({ texts, vocabSize, kind: 'wordpiece' });
  if (architecture === 'pooled') return createPooledEncoder({ tokenizer, embeddingSize: dimensions, dimensions, maxLength, seed });
  return createBertEncoder({
    tokenizer,
    hidden: dimensions,
    layers: integerOption('layers', options.layers, 2, 1),
    heads: integerOption('heads', options.heads, 4, 1),
    maxLength,
    seed,
  });
}
