import { checkInteger } from '@score/core';
import type { GgufTensor } from './gguf-types';
import { writeGguf } from './write-gguf';

/** Options of {@link writeTinyLlamaLoraGguf}; the sizes must match the base model's. */
export interface TinyLlamaLoraGgufOptions {
  /**
   * Seed of the random adapter weights.
   * @defaultValue 2
   */
  readonly seed?: number;
  /**
   * Hidden size of the base model.
   * @defaultValue 32
   */
  readonly hiddenSize?: number;
  /**
   * Transformer blocks of the base model.
   * @defaultValue 2
   */
  readonly layers?: number;
  /**
   * LoRA rank r.
   * @defaultValue 4
   */
  readonly rank?: number;
  /**
   * LoRA alpha (the update is scaled by alpha / r).
   * @defaultValue 8
   */
  readonly alpha?: number;
  /**
   * Standard deviation of the random A and B matrices.
   * @defaultValue 0.5
   */
  readonly weightScale?: number;
}

/**
 * Writes a random LoRA adapter (GGUF, `general.type` "adapter", `adapter.type` "lora") for the
 * query and value projections of a model written by `writeTinyLlamaGguf`; for tests.
 */
export async function writeTinyLlamaLoraGguf(filePath: string, options: TinyLlamaLoraGgufOptions = {}): Promise<void> {
  const check = (field: string, value: number): number => checkInteger(field, value, 1);
  const hidden = check('hiddenSize', options.hiddenSize ?? 32);
  const layers = check('layers', options.layers ?? 2);
  const rank = check('rank', options.rank ?? 4);
  const alpha = options.alpha ?? 8;
  const scale = options.weightScale ?? 0.5;
  let state = (options.seed ?? 2) >>> 0;
  const random = (): number => {
    // xorshift32, mapped to [-1, 1)
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 2147483648 - 1) * scale;
  };
  if (state === 0) state = 1;
  const tensors: GgufTensor[] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (const target of ['attn_q', 'attn_v']) {
      const a = Float32Array.from({ length: hidden * rank }, random);
      const b = Float32Array.from({ length: rank * hidden }, random);
      // llama.cpp's LoRA layout: A is [n_in, r] and B is [r, n_out] in ggml order.
      tensors.push({ name: `blk.${layer}.${target}.weight.lora_a`, shape: [hidden, rank], type: 'F32', data: a });
      tensors.push({ name: `blk.${layer}.${target}.weight.lora_b`, shape: [rank, hidden], type: 'F32', data: b });
    }
  }
  await writeGguf(filePath, {
    metadata: {
      'general.architecture': 'llama',
      'general.type': 'adapter',
      'general.name': 'tiny-random-llama-lora',
      'adapter.type': 'lora',
      'adapter.lora.alpha': { type: 'float32', value: alpha },
    },
    tensors,
  });
}
