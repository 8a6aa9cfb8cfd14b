import { InvalidOptionError, checkInteger } from '@score/core';

/** A linear layer of a Llama block that LoRA can adapt (PEFT's `target_modules` names). */
export type LoraTarget = 'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj';

/** Every LoRA target, in block order. */
export const LORA_TARGETS: readonly LoraTarget[] = Object.freeze(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const);

/** LoRA settings (method.md, Stage 3: r 8, alpha 32, dropout 0.1, all seven projections). */
export interface LoraOptions {
  /** Rank r of each adapter. @defaultValue 8 */
  readonly rank?: number;
  /** Scale numerator: the update is (alpha / r) * B A x. @defaultValue 32 */
  readonly alpha?: number;
  /** Dropout on the adapter's input while training. @defaultValue 0.1 */
  readonly dropout?: number;
  /** Projections that get adapters. @defaultValue all of {@link LORA_TARGETS} */
  readonly targetModules?: readonly LoraTarget[];
  /** Seed of the A matrices' initialisation (B starts at zero). @defaultValue 0 */
  readonly seed?: number;
  /**
   * Blocks (0-based) that get adapters (PEFT's `layers_to_transform`), e.g. the top k only; the
   * other blocks stay exactly the frozen base model. @defaultValue every block
   */
  readonly layersToTransform?: readonly number[];
}

/** Resolved LoRA settings. */
export interface LoraConfig {
  readonly rank: number;
  readonly alpha: number;
  readonly dropout: number;
  readonly targetModules: readonly LoraTarget[];
  /** Blocks with adapters, ascending; undefined means every block. */
  readonly layersToTransform?: readonly number[];
}

/** Fills the defaults of {@link LoraOptions} and validates them. */
export function resolveLoraConfig(options: LoraOptions = {}): LoraConfig {
  const rank = options.rank ?? 8;
  checkInteger('lora.rank', rank, 1);
  const alpha = options.alpha ?? 32;
  if (!Number.isFinite(alpha) || alpha <= 0) throw new InvalidOptionError('lora.alpha', `must be a positive number, got ${alpha}.`, alpha);
  const dropout = options.dropout ?? 0.1;
  if (!(dropout >= 0 && dropout < 1)) throw new InvalidOptionError('lora.dropout', `must be in [0, 1), got ${dropout}.`, dropout);
  const targetModules = options.targetModules ?? LORA_TARGETS;
  if (targetModules.length === 0) throw new InvalidOptionError('lora.targetModules', `must list at least one of ${LORA_TARGETS.join(', ')}.`);
  for (const target of targetModules) {
    if (!LORA_TARGETS.includes(target)) {
      throw new InvalidOptionError('lora.targetModules', `"${String(target)}" is not a LoRA target; use ${LORA_TARGETS.join(', ')}.`, target);
    }
  }
  const layers = options.layersToTransform;
  if (layers !== undefined) {
    if (layers.length === 0 || layers.some((layer) => !Number.isInteger(layer) || layer < 0)) {
      throw new InvalidOptionError('lora.layersToTransform', `must list at least one block index (a non-negative integer), got ${JSON.stringify(layers)}.`, layers);
    }
  }
  return Object.freeze({
    rank,
    alpha,
    dropout,
    targetModules: Object.freeze([...new Set(targetModules)]),
    ...(layers === undefined ? {} : { layersToTransform: Object.freeze([...new Set(layers)].sort((a, b) => a - b)) }),
  });
}

/** The Hugging Face module path of a target in a block, e.g. "model.layers.0.self_attn.q_proj". */
export function loraModulePath(layer: number, target: LoraTarget): string {
  const group = target === 'gate_proj' || target === 'up_proj' || target === 'down_proj' ? 'mlp' : 'self_attn';
  return `model.layers.${layer}.${group}.${target}`;
}
