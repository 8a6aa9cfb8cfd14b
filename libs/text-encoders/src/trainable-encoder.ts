import type { TextEmbeddingModel } from '@score/core';
import type { tf } from '@score/tfjs-runtime';
import type { PoolingMode } from './pooling';
import type { Tokenizer } from './tokenizer';

/** Token ids and attention mask of a batch of texts, as tensors (int32, [batch, length]). */
export interface EncoderInputs {
  readonly ids: tf.Tensor2D;
  readonly mask: tf.Tensor2D;
}

/**
 * A text encoder whose weights train in TensorFlow.js (the BERT-style transformer or the pooled
 * encoder). CAR and SARE fine-tune it with a contrastive loss: they call {@link embedTensor} inside
 * `tf.variableGrads` / an optimizer's `minimize` (or the `trainModel` loop of @score/tfjs-runtime) and update {@link trainableVariables}.
 */
export interface TrainableTextEncoder extends TextEmbeddingModel {
  /** "bert" or "pooled". */
  readonly architecture: 'bert' | 'pooled';
  readonly tokenizer: Tokenizer;
  /** Texts are cut to this many tokens, special tokens included. */
  readonly maxLength: number;
  readonly pooling: PoolingMode;
  /** Every trainable weight (a fresh array; pass it to `tf.variableGrads` or `optimizer.minimize`). */
  readonly trainableVariables: tf.Variable[];
  /** The weights under their checkpoint names (Hugging Face names for BERT). */
  namedWeights(): ReadonlyMap<string, tf.Variable>;
  /** Tokenizes texts (truncated to `maxLength`, padded to the longest) into tensors the caller disposes. */
  tokenize(texts: readonly string[]): EncoderInputs;
  /** The differentiable forward pass: pooled (and, when `normalized`, L2-normalised) embeddings [batch, dimensions]. */
  embedTensor(ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D;
  /** Writes `config.json`, `model.safetensors` and `tokenizer.json` (with `tokenizer_config.json` when the tokenizer has one) into `dir` (temp names, then renamed). */
  save(dir: string): Promise<void>;
  /** Frees the weights. */
  dispose(): void;
}
