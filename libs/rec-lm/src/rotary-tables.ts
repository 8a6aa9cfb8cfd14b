/**
 * The rotary tables and causal mask of a Llama decoder over `length` positions, as the tfjs model
 * and the ONNX prefix graph both use them: cos and sin [length, headDim] of the angle
 * t * theta^(-2i/d), duplicated over both halves (transformers' rotate-half form,
 * `LlamaRotaryEmbedding`), and a [length, length] additive mask of -1e9 above the diagonal.
 */
export function rotaryTables(length: number, headDim: number, ropeTheta: number): { cos: Float32Array; sin: Float32Array; mask: Float32Array } {
  const half = headDim / 2;
  const cos = new Float32Array(length * headDim);
  const sin = new Float32Array(length * headDim);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) {
      const angle = t * Math.pow(ropeTheta, (-2 * i) / headDim);
      cos[t * headDim + i] = cos[t * headDim + i + half] = Math.cos(angle);
      sin[t * headDim + i] = sin[t * headDim + i + half] = Math.sin(angle);
    }
  }
  const mask = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) mask[i * length + j] = -1e9;
  return { cos, sin, mask };
}
