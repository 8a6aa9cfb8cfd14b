import { InvalidOptionError } from '@score/core';
import { OnnxGraphBuilder } from '@score/text-encoders';
import type { LlamaConfig } from './llama-config';

/** Inputs and output of the graph {@link buildLlamaPrefixOnnx} writes. */
export const LLAMA_PREFIX_ONNX_NAMES = Object.freeze({
  /** int64 [batch, time], right-padded token ids. */
  ids: 'input_ids',
  /** float32 [time, headDim], the rotary cosines of `rotaryTables`. */
  cos: 'rope_cos',
  /** float32 [time, headDim], the rotary sines. */
  sin: 'rope_sin',
  /** float32 [time, time], the additive causal mask (-1e9 above the diagonal). */
  mask: 'causal_mask',
  /** float32 [batch, time, hidden], the residual stream after the blocks. */
  states: 'prefix_states',
});

/**
 * An ONNX graph (opset 17, float32) of a Llama decoder's token embedding and blocks
 * 0..`layers`-1: the residual stream that the prefix cache of `LlamaModel.enablePrefixCache`
 * stores, the same function as the tfjs model's forward pass over those blocks (transformers'
 * `modeling_llama.py`): RMSNorm x / sqrt(mean(x^2) + eps) * w, rotary positions in the
 * rotate-half form (the tables are inputs, so both sides use the same numbers), grouped-query
 * causal attention (query heads j*g .. j*g+g-1 share key/value head j) with the additive mask as
 * an input, and the SwiGLU feed-forward down(silu(gate(y)) * up(y)). Only standard ops (Gather,
 * MatMul, Mul, Add, Div, Sqrt, ReduceMean, Softmax, Sigmoid, Neg, Split, Concat, Reshape,
 * Transpose, Unsqueeze). Right padding needs no other mask: a causal row never sees later tokens.
 * @param weights A base weight by Hugging Face name, [out, in] for linear layers (e.g. the dequantized GGUF weights).
 */
export function buildLlamaPrefixOnnx(config: LlamaConfig, weights: (name: string) => Float32Array, options: { readonly layers: number }): Uint8Array {
  const { hiddenSize, intermediateSize, numHeads, numKeyValueHeads, headDim, rmsNormEps, vocabSize } = config;
  const layers = options.layers;
  if (!Number.isInteger(layers) || layers < 1 || layers > config.numLayers) {
    throw new InvalidOptionError('layers', `must be an integer in [1, ${config.numLayers}] (blocks of the model), got ${layers}.`, layers);
  }
  const groups = numHeads / numKeyValueHeads;
  const half = headDim / 2;
  const g = new OnnxGraphBuilder();
  const names = LLAMA_PREFIX_ONNX_NAMES;
  const ids = g.input(names.ids, 'int64', ['batch', 'time']);
  const cos = g.input(names.cos, 'float32', ['time', headDim]);
  const sin = g.input(names.sin, 'float32', ['time', headDim]);
  const mask = g.input(names.mask, 'float32', ['time', 'time']);

  const eps = g.floats([rmsNormEps], []);
  const scale = g.floats([1 / Math.sqrt(headDim)], []);
  const halves = g.ints([half, half]);
  const linear = (x: string, name: string, out: number, inner: number): string => g.node('MatMul', [x, g.transposedInitializer(weights(`${name}.weight`), [out, inner], `${name}.weight.T`)]);
  const rmsNorm = (x: string, name: string): string => {
    const variance = g.node('ReduceMean', [g.node('Mul', [x, x])], { axes: { ints: [-1] }, keepdims: { int: 1 } });
    return g.node('Mul', [g.node('Div', [x, g.node('Sqrt', [g.node('Add', [variance, eps])])]), g.initializer(weights(name), [hiddenSize], name)]);
  };
  // [batch, time, heads * headDim] -> [batch, heads, time, headDim]
  const heads = (x: string, count: number): string => g.node('Transpose', [g.node('Reshape', [x, g.ints([0, 0, count, headDim])])], { perm: { ints: [0, 2, 1, 3] } });
  // x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1] (transformers' apply_rotary_pos_emb).
  const rope = (x: string): string => {
    const [first, second] = g.nodeOutputs('Split', [x, halves], 2, { axis: { int: 3 } }) as [string, string];
    const rotated = g.node('Concat', [g.node('Neg', [second]), first], { axis: { int: 3 } });
    return g.node('Add', [g.node('Mul', [x, cos]), g.node('Mul', [rotated, sin])]);
  };

  const embedding = g.initializer(weights('model.embed_tokens.weight'), [vocabSize, hiddenSize], 'model.embed_tokens.weight');
  let h = g.node('Gather', [embedding, ids], { axis: { int: 0 } });
  for (let layer = 0; layer < layers; layer++) {
    const p = `model.layers.${layer}`;
    const x = rmsNorm(h, `${p}.input_layernorm.weight`);
    // Queries [batch, kv, g, time, headDim] against keys [batch, kv, 1, time, headDim] (broadcast over the group).
    const q = g.node('Reshape', [rope(heads(linear(x, `${p}.self_attn.q_proj`, numHeads * headDim, hiddenSize), numHeads)), g.ints([0, numKeyValueHeads, groups, -1, headDim])]);
    const k = g.node('Unsqueeze', [rope(heads(linear(x, `${p}.self_attn.k_proj`, numKeyValueHeads * headDim, hiddenSize), numKeyValueHeads)), g.ints([2])]);
    const v = g.node('Unsqueeze', [heads(linear(x, `${p}.self_attn.v_proj`, numKeyValueHeads * headDim, hiddenSize), numKeyValueHeads), g.ints([2])]);
    const scores = g.node('Add', [g.node('Mul', [g.node('MatMul', [q, g.node('Transpose', [k], { perm: { ints: [0, 1, 2, 4, 3] } })]), scale]), mask]);
    const attended = g.node('MatMul', [g.node('Softmax', [scores], { axis: { int: -1 } }), v]);
    // [batch, kv, g, time, headDim] -> [batch, heads, time, headDim] -> [batch, time, heads * headDim]
    const merged = g.node('Reshape', [g.node('Transpose', [g.node('Reshape', [attended, g.ints([0, numHeads, -1, headDim])])], { perm: { ints: [0, 2, 1, 3] } }), g.ints([0, 0, numHeads * headDim])]);
    h = g.node('Add', [h, linear(merged, `${p}.self_attn.o_proj`, hiddenSize, numHeads * headDim)]);
    const y = rmsNorm(h, `${p}.post_attention_layernorm.weight`);
    const gate = linear(y, `${p}.mlp.gate_proj`, intermediateSize, hiddenSize);
    const activated = g.node('Mul', [g.node('Mul', [gate, g.node('Sigmoid', [gate])]), linear(y, `${p}.mlp.up_proj`, intermediateSize, hiddenSize)]);
    h = g.node('Add', [h, linear(activated, `${p}.mlp.down_proj`, hiddenSize, intermediateSize)]);
  }
  g.node('Identity', [h], {}, names.states);
  g.output(names.states, 'float32', ['batch', 'time', hiddenSize]);
  return g.toBytes({ graphName: `llama-prefix-${layers}`, producer: '@score/rec-lm' });
}
