import type { LlamaConfig } from './llama-config';

/**
 * The tensors of a Llama model by their Hugging Face names and the shapes its config implies
 * (PyTorch layout: linear weights are [out, in]).
 */
export function expectedWeightShapes(config: LlamaConfig): Map<string, readonly number[]> {
  const { vocabSize: v, hiddenSize: h, intermediateSize: f, numHeads, numKeyValueHeads, headDim } = config;
  const shapes = new Map<string, readonly number[]>();
  shapes.set('model.embed_tokens.weight', [v, h]);
  for (let layer = 0; layer < config.numLayers; layer++) {
    const p = `model.layers.${layer}`;
    shapes.set(`${p}.input_layernorm.weight`, [h]);
    shapes.set(`${p}.self_attn.q_proj.weight`, [numHeads * headDim, h]);
    shapes.set(`${p}.self_attn.k_proj.weight`, [numKeyValueHeads * headDim, h]);
    shapes.set(`${p}.self_attn.v_proj.weight`, [numKeyValueHeads * headDim, h]);
    shapes.set(`${p}.self_attn.o_proj.weight`, [h, numHeads * headDim]);
    shapes.set(`${p}.post_attention_layernorm.weight`, [h]);
    shapes.set(`${p}.mlp.gate_proj.weight`, [f, h]);
    shapes.set(`${p}.mlp.up_proj.weight`, [f, h]);
    shapes.set(`${p}.mlp.down_proj.weight`, [h, f]);
  }
  shapes.set('model.norm.weight', [h]);
  if (!config.tieWordEmbeddings) shapes.set('lm_head.weight', [v, h]);
  return shapes;
}

/** Whether a Hugging Face tensor name is a normalisation weight (initialised to ones). */
export function isNormWeight(name: string): boolean {
  return name.endsWith('layernorm.weight') || name === 'model.norm.weight';
}
