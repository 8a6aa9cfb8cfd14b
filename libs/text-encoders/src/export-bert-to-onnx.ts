import { InvalidOptionError, writeFileAtomic } from '@score/core';
import type { BertEncoder } from './bert-encoder';
import { ATTENTION_MASK_BIAS } from './bert-encoder';
import { OnnxGraphBuilder } from './onnx-graph-builder';

/** Options of {@link exportBertToOnnx}. */
export interface ExportBertToOnnxOptions {
  /**
   * Also output `sentence_embedding` [batch, hidden]: the encoder's pooling (and L2 normalisation
   * when the encoder normalises) inside the graph.
   * @defaultValue false
   */
  readonly sentenceEmbedding?: boolean;
  /** Add the `token_type_ids` input (as Hugging Face exports do). @defaultValue true */
  readonly tokenTypeIds?: boolean;
}

/**
 * Writes a {@link BertEncoder} as an ONNX graph (opset 17: Gather, Add, LayerNormalization, MatMul,
 * Softmax, Erf-based GELU): inputs `input_ids`, `attention_mask` (and `token_type_ids`), int64
 * [batch, sequence]; output `last_hidden_state` [batch, sequence, hidden] (and optionally
 * `sentence_embedding`). The graph computes the same function as `encoder.hiddenStates`, so
 * {@link createOnnxEncoder} runs it with onnxruntime. Save the tokenizer beside it to load the folder.
 */
export async function exportBertToOnnx(encoder: BertEncoder, filePath: string, options: ExportBertToOnnxOptions = {}): Promise<void> {
  if (typeof filePath !== 'string' || filePath === '') throw new InvalidOptionError('path', 'must be the path of the .onnx file to write.', filePath);
  await writeFileAtomic(filePath, await bertToOnnxBytes(encoder, options));
}

/**
 * The ONNX model of {@link exportBertToOnnx} as bytes (a serialised ModelProto), without writing
 * a file: onnxruntime's `InferenceSession.create` takes them directly, so an encoder's current
 * weights (for instance mid-training) can run on onnxruntime without touching the disk.
 */
export async function bertToOnnxBytes(encoder: BertEncoder, options: ExportBertToOnnxOptions = {}): Promise<Uint8Array> {
  const { hidden, heads, layers, layerNormEps } = encoder.config;
  const headSize = hidden / heads;
  const g = new OnnxGraphBuilder();
  const weights = encoder.namedWeights();
  const values = new Map<string, Float32Array>();
  for (const [name, variable] of weights) values.set(name, (await variable.data()) as Float32Array);
  const weight = (name: string): string => g.initializer(values.get(name)!, weights.get(name)!.shape, name);
  // ONNX MatMul takes x [.., in] @ W [in, out]: store HF's [out, in] Linear weights transposed.
  const transposed = (name: string): string => {
    const [out, inner] = weights.get(name)!.shape as [number, number];
    const source = values.get(name)!;
    const data = new Float32Array(out * inner);
    for (let o = 0; o < out; o++) for (let i = 0; i < inner; i++) data[i * out + o] = source[o * inner + i]!;
    return g.initializer(data, [inner, out], `${name}.T`);
  };
  const dense = (x: string, prefix: string): string => g.node('Add', [g.node('MatMul', [x, transposed(`${prefix}.weight`)]), weight(`${prefix}.bias`)]);
  const layerNorm = (x: string, prefix: string): string =>
    g.node('LayerNormalization', [x, weight(`${prefix}.weight`), weight(`${prefix}.bias`)], { axis: { int: -1 }, epsilon: { float: layerNormEps } });

  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const mask = g.input('attention_mask', 'int64', ['batch', 'sequence']);
  const withTypes = options.tokenTypeIds ?? true;
  const types = withTypes ? g.input('token_type_ids', 'int64', ['batch', 'sequence']) : undefined;

  // Embeddings: word[ids] + position[0..S) + type[token_type_ids or 0], then LayerNorm.
  const words = g.node('Gather', [weight('embeddings.word_embeddings.weight'), ids], { axis: { int: 0 } });
  const sequenceLength = g.node('Slice', [g.node('Shape', [ids]), g.ints([1]), g.ints([2])]);
  const positions = g.node('Slice', [weight('embeddings.position_embeddings.weight'), g.ints([0]), sequenceLength, g.ints([0])]);
  const typeTable = weight('embeddings.token_type_embeddings.weight');
  const typeRows = types !== undefined ? g.node('Gather', [typeTable, types], { axis: { int: 0 } }) : g.node('Slice', [typeTable, g.ints([0]), g.ints([1]), g.ints([0])]);
  let x = layerNorm(g.node('Add', [g.node('Add', [words, positions]), typeRows]), 'embeddings.LayerNorm');

  // Padding bias [batch, 1, 1, sequence]: (1 - mask) * ATTENTION_MASK_BIAS.
  const maskFloat = g.node('Cast', [mask], { to: { int: 1 } });
  const maskBias = g.node('Mul', [g.node('Sub', [g.floats([1], []), g.node('Unsqueeze', [maskFloat, g.ints([1, 2])])]), g.floats([ATTENTION_MASK_BIAS], [])]);
  const headShape = g.ints([0, 0, heads, headSize]);
  const mergedShape = g.ints([0, 0, hidden]);
  const scale = g.floats([1 / Math.sqrt(headSize)], []);
  const half = g.floats([0.5], []);
  const one = g.floats([1], []);
  const rootHalf = g.floats([Math.SQRT1_2], []);
  for (let l = 0; l < layers; l++) {
    const p = `encoder.layer.${l}`;
    const heads4 = (t: string, perm: number[]) => g.node('Transpose', [g.node('Reshape', [t, headShape])], { perm: { ints: perm } });
    const q = heads4(dense(x, `${p}.attention.self.query`), [0, 2, 1, 3]);
    const kT = heads4(dense(x, `${p}.attention.self.key`), [0, 2, 3, 1]);
    const v = heads4(dense(x, `${p}.attention.self.value`), [0, 2, 1, 3]);
    const scores = g.node('Add', [g.node('Mul', [g.node('MatMul', [q, kT]), scale]), maskBias]);
    const probabilities = g.node('Softmax', [scores], { axis: { int: -1 } });
    const context = g.node('Reshape', [g.node('Transpose', [g.node('MatMul', [probabilities, v])], { perm: { ints: [0, 2, 1, 3] } }), mergedShape]);
    const attention = layerNorm(g.node('Add', [dense(context, `${p}.attention.output.dense`), x]), `${p}.attention.output.LayerNorm`);
    const inner = dense(attention, `${p}.intermediate.dense`);
    // GELU: 0.5 x (1 + erf(x / sqrt 2)).
    const gelu = g.node('Mul', [g.node('Mul', [inner, half]), g.node('Add', [one, g.node('Erf', [g.node('Mul', [inner, rootHalf])])])]);
    x = layerNorm(g.node('Add', [dense(gelu, `${p}.output.dense`), attention]), `${p}.output.LayerNorm`);
  }
  g.node('Identity', [x], {}, 'last_hidden_state');
  g.output('last_hidden_state', 'float32', ['batch', 'sequence', hidden]);

  if (options.sentenceEmbedding) {
    let pooled: string;
    if (encoder.pooling === 'cls') {
      pooled = g.node('Gather', [x, g.ints([0], [])], { axis: { int: 1 } });
    } else {
      const weights3 = g.node('Unsqueeze', [maskFloat, g.ints([2])]);
      const summed = g.node('ReduceSum', [g.node('Mul', [x, weights3]), g.ints([1])], { keepdims: { int: 0 } });
      const counts = g.node('Max', [g.node('ReduceSum', [weights3, g.ints([1])], { keepdims: { int: 0 } }), g.floats([1e-9], [])]);
      pooled = g.node('Div', [summed, counts]);
    }
    if (encoder.normalized) {
      const norm = g.node('Sqrt', [g.node('ReduceSum', [g.node('Mul', [pooled, pooled]), g.ints([1])], { keepdims: { int: 1 } })]);
      pooled = g.node('Div', [pooled, g.node('Max', [norm, g.floats([1e-12], [])])]);
    }
    g.node('Identity', [pooled], {}, 'sentence_embedding');
    g.output('sentence_embedding', 'float32', ['batch', hidden]);
  }
  return g.toBytes({ graphName: encoder.modelId });
}
