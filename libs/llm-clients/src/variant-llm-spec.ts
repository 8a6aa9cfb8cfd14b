import { InvalidOptionError } from '@score/core';

/** The placeholder of a model spec that names one model per prompt variant: `vllm:URL#score-{variant}`. */
export const VARIANT_PLACEHOLDER = '{variant}';

/** Whether a spec names one model per prompt variant (its model name holds {@link VARIANT_PLACEHOLDER}). */
export function hasVariantPlaceholder(spec: string): boolean {
  return spec.includes(VARIANT_PLACEHOLDER);
}

/**
 * The spec of one prompt variant's model: every `{variant}` in the model name (after `#`) replaced by
 * `variant`, e.g. `openai:http://gpu:8000/v1#score-{variant}` and "basic" give
 * `openai:http://gpu:8000/v1#score-basic`, the name of that variant's LoRA adapter on a vLLM server
 * started with `--enable-lora --lora-modules score-basic=DIR ...`. A spec without the placeholder
 * is returned unchanged (one model for every variant).
 * @throws InvalidOptionError when the placeholder stands outside the model name, or `variant` is not
 *   a plain name (letters, digits, "-", "_", ".").
 */
export function llmSpecForVariant(spec: string, variant: string): string {
  if (!hasVariantPlaceholder(spec)) return spec;
  const hash = spec.lastIndexOf('#');
  if (hash < 0 || spec.slice(0, hash).includes(VARIANT_PLACEHOLDER)) {
    throw new InvalidOptionError('llm', `"${spec}" puts ${VARIANT_PLACEHOLDER} outside the model name; write it after "#", e.g. "vllm:http://127.0.0.1:8000/v1#score-${VARIANT_PLACEHOLDER}".`, spec);
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(variant)) {
    throw new InvalidOptionError('variant', `must be a plain name (letters, digits, "-", "_", "."), got ${JSON.stringify(variant)}.`, variant);
  }
  return `${spec.slice(0, hash + 1)}${spec.slice(hash + 1).split(VARIANT_PLACEHOLDER).join(variant)}`;
}
