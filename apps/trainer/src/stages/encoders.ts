import path from 'node:path';
import { createCarEncoder, parseEncoderSpec } from '@score/car-retriever';
import type { TextEmbeddingModel } from '@score/core';
import { loadTrainableEncoder } from '@score/text-encoders';
import type { StageContext } from '../pipeline/stage';

/**
 * The fixed text embedder TxtEmb of ranking generation (method.md, Eq. 8-9): `car` reuses the
 * fine-tuned CAR encoder of the run (the best embedder a run without pretrained weights has);
 * `onnx:PATH` / `bert:PATH` load a pretrained sentence encoder; `pooled` / `scratch` build an
 * untrained one (a weak embedder, for experiments only).
 */
export async function openFixedEmbedder(spec: string, context: StageContext, texts: readonly string[]): Promise<TextEmbeddingModel> {
  if (spec === 'car') return loadTrainableEncoder(path.join(context.stageDir('car'), 'encoder'));
  const created = await createCarEncoder({ spec: parseEncoderSpec(spec, 'assess.embedder'), texts, seed: context.seed });
  return created.encoder;
}
