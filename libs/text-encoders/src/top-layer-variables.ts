import { checkInteger, describeValue, InvalidOptionError } from '@score/core';
import type { tf } from '@score/tfjs-runtime';
import type { TrainableTextEncoder } from './trainable-encoder';

/**
 * The weights of a BERT encoder's top `layers` transformer layers, and whatever sits after them
 * (a pooler, if the encoder had one): the `trainableVariables` of a fine-tuning run that freezes the
 * embeddings and the lower layers (the rest keep their weights; `save` still writes them all).
 * `layers` equal to the encoder's `config.layers` gives every weight but the embeddings.
 * @throws InvalidOptionError (field `field`) when `layers` is not an integer from 1 to the
 *   encoder's layer count, or the encoder is not a BERT (a pooled encoder has no layers).
 */
export function trainableVariablesOfTopLayers(encoder: TrainableTextEncoder, layers: number, field = 'trainLayers'): tf.Variable[] {
  checkInteger(field, layers, 1);
  const total = (encoder as { config?: { layers?: unknown } } | undefined)?.config?.layers;
  if (!encoder || encoder.architecture !== 'bert' || typeof total !== 'number') {
    throw new InvalidOptionError(field, `applies to a BERT encoder (bert:PATH, scratch) only, whose top layers it fine-tunes; got ${encoder?.architecture === 'pooled' ? 'a pooled encoder, which has no layers' : describeValue(encoder)}. Leave it unset.`, layers);
  }
  if (layers > total) throw new InvalidOptionError(field, `${layers} is more than the encoder's ${total} layers; use 1 to ${total}.`, layers);
  const frozenBelow = total - layers;
  const variables: tf.Variable[] = [];
  for (const [name, variable] of encoder.namedWeights()) {
    if (name.startsWith('embeddings.')) continue;
    const layer = /^encoder\.layer\.(\d+)\./.exec(name);
    if (layer && Number(layer[1]) < frozenBelow) continue;
    variables.push(variable);
  }
  return variables;
}
