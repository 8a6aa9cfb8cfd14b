import { InvalidOptionError, checkInteger } from '@score/core';
import { tf } from '@score/tfjs-runtime';
import type { TrainableTextEncoder } from './trainable-encoder';

/** Options of {@link cachedEmbeddingGradients}. */
export interface CachedEmbeddingGradientsOptions {
  /** Texts per forward-and-backward pass; only one chunk's activations are alive at a time. @defaultValue 8 */
  readonly chunkSize?: number;
  /** The variables to differentiate (a `TrainingBatch.gradients(variables)` passes its own). @defaultValue `encoder.trainableVariables` */
  readonly variables?: readonly tf.Variable[];
  /**
   * Chunk the texts in order of token length (shortest first) instead of batch order, so that
   * each chunk pads to a length near its texts' own: fewer padded positions, and the attention
   * cost grows with the square of the padded length. The loss and gradients are the same up to
   * float rounding (the rows are put back in batch order before the loss; the chunks' gradient
   * sums are added in another order), so training takes slightly different steps.
   * @defaultValue false
   */
  readonly sortByLength?: boolean;
}

/** The batch loss and the gradient of every trainable variable, by variable name (as `tf.variableGrads` returns them). */
export interface CachedEmbeddingGradients {
  readonly value: tf.Scalar;
  readonly grads: tf.NamedTensorMap;
}

/**
 * The loss of a batch of texts and its gradients with bounded memory, for contrastive losses
 * whose terms couple every text of the batch (in-batch negatives, InfoNCE of CAR and SARE), so
 * the batch cannot be cut into independent parts. Gradient caching (Gao et al. 2021, "Scaling
 * Deep Contrastive Learning Batch Size under Memory Limited Setup"): (1) embed all texts without a
 * tape, chunk by chunk, into E; (2) the loss L(E) and dL/dE; (3) for each chunk again, the
 * gradient of sum(embedTensor(chunk) * dL/dE_chunk) with respect to the weights, summed over the
 * chunks. By the chain rule this is dL/dweights exactly (the encoders have no dropout, so the
 * second forward pass equals the first); the cost is one extra forward pass. Apply the result with
 * `optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })))` and dispose it,
 * or return it from a `TrainingBatch.gradients` of `@score/tfjs-runtime`'s `trainModel`:
 * `gradients: (variables) => cachedEmbeddingGradients(encoder, texts, loss, { chunkSize: 8, variables })`.
 *
 * @param texts - the batch, in the row order `loss` expects.
 * @param loss - the batch loss of the embeddings [texts.length, dimensions] (e.g. an `infoNceLoss`).
 */
export function cachedEmbeddingGradients(
  encoder: TrainableTextEncoder,
  texts: readonly string[],
  loss: (embeddings: tf.Tensor2D) => tf.Scalar,
  options: CachedEmbeddingGradientsOptions = {},
): CachedEmbeddingGradients {
  if (!Array.isArray(texts) || texts.length === 0) throw new InvalidOptionError('texts', 'must be a non-empty array of the batch texts.');
  const chunkSize = checkInteger('chunkSize', options.chunkSize ?? 8, 1);
  const starts = Array.from({ length: Math.ceil(texts.length / chunkSize) }, (_, i) => i * chunkSize);
  // Row r of the chunked embeddings is text order[r].
  const order = texts.map((_, i) => i);
  if (options.sortByLength) {
    const lengths = encoder.tokenize(texts);
    const counts = tf.tidy(() => tf.sum(lengths.mask, 1).arraySync() as number[]);
    tf.dispose([lengths.ids, lengths.mask]);
    order.sort((a, b) => counts[a]! - counts[b]! || a - b);
  }
  const sorted = order.map((i) => texts[i]!);
  const embedChunk = (start: number): tf.Tensor2D => {
    const { ids, mask } = encoder.tokenize(sorted.slice(start, start + chunkSize));
    const out = encoder.embedTensor(ids, mask);
    tf.dispose([ids, mask]);
    return out;
  };
  const inverse = new Array<number>(order.length);
  order.forEach((text, row) => (inverse[text] = row));
  // (1) Embeddings without a gradient tape (back in batch order).
  const embeddings = tf.tidy(() => {
    const rows = tf.concat(starts.map(embedChunk), 0) as tf.Tensor2D;
    return options.sortByLength ? (tf.gather(rows, inverse) as tf.Tensor2D) : rows;
  });
  // (2) The loss and its gradient with respect to the embeddings only.
  const computed = tf.tidy(() => {
    const result = tf.valueAndGrad((e: tf.Tensor) => loss(e as tf.Tensor2D))(embeddings);
    return { value: result.value as tf.Scalar, grad: result.grad as tf.Tensor2D };
  });
  const value = computed.value;
  let grad = computed.grad;
  embeddings.dispose();
  // dL/dE in chunk order.
  if (options.sortByLength) {
    const batchOrder = grad;
    grad = tf.tidy(() => tf.gather(batchOrder, order) as tf.Tensor2D);
    batchOrder.dispose();
  }
  // (3) Chunk by chunk, back-propagate the cached dL/dE through the encoder.
  const variables = [...(options.variables ?? encoder.trainableVariables)];
  let grads: tf.NamedTensorMap = {};
  for (const start of starts) {
    const next = tf.tidy(() => {
      const upstream = tf.slice(grad, [start, 0], [Math.min(chunkSize, texts.length - start), grad.shape[1]]);
      return tf.variableGrads(() => tf.sum(tf.mul(embedChunk(start), upstream)) as tf.Scalar, variables).grads;
    });
    const summed: tf.NamedTensorMap = {};
    for (const [name, tensor] of Object.entries(next)) {
      const previous = grads[name];
      summed[name] = previous ? tf.add(previous, tensor) : tensor;
      if (previous) {
        previous.dispose();
        tensor.dispose();
      }
    }
    grads = summed;
  }
  grad.dispose();
  return { value, grads };
}
