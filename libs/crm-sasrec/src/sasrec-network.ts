import { addRow, embeddingLookup, fillNormal, linear, scaleShift, type RandomSource, seededDropout, tf } from '@score/tfjs-runtime';
import { attentionScores, attentionWeightedSum } from './attention-products';

/** The shape of a SASRec network. */
export interface SasrecArchitecture {
  /** Items, not counting the padding index 0. */
  readonly itemCount: number;
  readonly hiddenSize: number;
  readonly blocks: number;
  readonly heads: number;
  readonly maxHistory: number;
  readonly dropout: number;
  readonly layerNormEpsilon: number;
}

/** How one forward pass runs. */
export interface SasrecForwardOptions {
  /** Dropout on (needs `random`). */
  readonly training: boolean;
  readonly random?: RandomSource;
  /**
   * Compute only the last position's output (what CTR scoring and e_u need): the last block
   * then projects the query and runs the feed-forward layer for that position only.
   */
  readonly lastOnly: boolean;
}

let instances = 0;

/**
 * SASRec (Kang & McAuley 2018; layout of pmixer/SASRec.pytorch as used by CoLLM): item embeddings
 * (index 0 = padding) scaled by sqrt(hidden) plus learned positions, then `blocks` x [layer norm ->
 * causal multi-head self-attention (query from the normed input, keys and values from the
 * un-normed input) -> residual -> layer norm -> point-wise feed-forward with residual], padding
 * positions zeroed after each block, and a final layer norm. Padded positions are also masked
 * as attention keys, so a history's output does not depend on its padding.
 */
export class SasrecNetwork {
  readonly architecture: SasrecArchitecture;
  /** Checkpoint name -> variable. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  readonly #causalBias: tf.Tensor2D;
  readonly #prefix: string;

  constructor(architecture: SasrecArchitecture, random: RandomSource) {
    this.architecture = architecture;
    instances += 1;
    this.#prefix = `sasrec${instances}`;
    const { itemCount, hiddenSize: d, blocks, maxHistory: length } = architecture;
    const variables = new Map<string, tf.Variable>();
    const add = (name: string, shape: number[], init: 'xavier' | 'zeros' | 'ones', zeroFirstRow = false) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      if (init === 'ones') data.fill(1);
      // Xavier (Glorot) normal, as SASRec.pytorch initialises every matrix.
      if (init === 'xavier') fillNormal(data, random, Math.sqrt(2 / (shape[0]! + shape[1]!)));
      if (zeroFirstRow) data.fill(0, 0, shape[1]);
      // The initial tensor is freed by tidy; the variable keeps its data.
      variables.set(name, tf.tidy(() => tf.variable(tf.tensor(data, shape, 'float32'), true, `${this.#prefix}/${name}`)));
    };
    add('item_embedding', [itemCount + 1, d], 'xavier', true);
    add('position_embedding', [length, d], 'xavier');
    for (let b = 0; b < blocks; b++) {
      add(`blocks.${b}.attention_norm.gamma`, [d], 'ones');
      add(`blocks.${b}.attention_norm.beta`, [d], 'zeros');
      for (const projection of ['query', 'key', 'value', 'output']) {
        add(`blocks.${b}.attention.${projection}.kernel`, [d, d], 'xavier');
        add(`blocks.${b}.attention.${projection}.bias`, [d], 'zeros');
      }
      add(`blocks.${b}.ffn_norm.gamma`, [d], 'ones');
      add(`blocks.${b}.ffn_norm.beta`, [d], 'zeros');
      add(`blocks.${b}.ffn.inner.kernel`, [d, d], 'xavier');
      add(`blocks.${b}.ffn.inner.bias`, [d], 'zeros');
      add(`blocks.${b}.ffn.outer.kernel`, [d, d], 'xavier');
      add(`blocks.${b}.ffn.outer.bias`, [d], 'zeros');
    }
    add('final_norm.gamma', [d], 'ones');
    add('final_norm.beta', [d], 'zeros');
    this.variables = variables;
    // Causal mask: query t may attend to keys s <= t only.
    const causal = new Float32Array(length * length);
    for (let t = 0; t < length; t++) for (let s = t + 1; s < length; s++) causal[t * length + s] = -1e9;
    this.#causalBias = tf.keep(tf.tensor2d(causal, [length, length]));
  }

  /** The item embedding table ([itemCount + 1, hiddenSize]; row 0 is padding). */
  get itemEmbedding(): tf.Variable {
    return this.#variable('item_embedding');
  }

  #variable(name: string): tf.Variable {
    return this.variables.get(name)!;
  }

  #layerNorm(x: tf.Tensor, name: string): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.architecture.layerNormEpsilon)));
    const d = this.architecture.hiddenSize;
    const out = scaleShift(tf.reshape(normed, [-1, d]) as tf.Tensor2D, this.#variable(`${name}.gamma`) as tf.Tensor1D, this.#variable(`${name}.beta`) as tf.Tensor1D);
    return tf.reshape(out, x.shape);
  }

  /** x [rows, d] @ kernel + bias (optionally relu), with wasm-fast gradients. */
  #dense(x: tf.Tensor2D, name: string, activation?: 'relu'): tf.Tensor2D {
    const y = linear(x, this.#variable(`${name}.kernel`) as tf.Tensor2D, this.#variable(`${name}.bias`) as tf.Tensor1D);
    return activation === 'relu' ? tf.relu(y) : y;
  }

  #dropout(x: tf.Tensor, options: SasrecForwardOptions): tf.Tensor {
    if (!options.training || this.architecture.dropout === 0) return x;
    return seededDropout(x, this.architecture.dropout, options.random!);
  }

  /**
   * Runs the network on `ids` ([batch, maxHistory] int32, left-padded with 0). Returns the
   * outputs after the final layer norm: [batch, maxHistory, d], or [batch, 1, d] with `lastOnly`.
   * Call inside `tf.tidy`.
   */
  forward(ids: tf.Tensor2D, options: SasrecForwardOptions): tf.Tensor3D {
    const { hiddenSize: d, heads, maxHistory: length, blocks } = this.architecture;
    const batch = ids.shape[0];
    const headSize = d / heads;
    const mask = tf.expandDims(tf.cast(tf.notEqual(ids, 0), 'float32'), 2) as tf.Tensor3D; // [B, L, 1]
    // Padded keys get -1e9 before the softmax: [B, 1, 1, L].
    const keyBias = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [batch, 1, 1, length]);
    let x = tf.mul(embeddingLookup(this.itemEmbedding as tf.Tensor2D, ids), Math.sqrt(d)) as tf.Tensor3D;
    x = tf.reshape(addRow(tf.reshape(x, [batch, length * d]) as tf.Tensor2D, tf.reshape(this.#variable('position_embedding'), [length * d]) as tf.Tensor1D), [batch, length, d]);
    x = this.#dropout(x, options) as tf.Tensor3D;
    x = tf.mul(x, mask);
    const splitHeads = (t: tf.Tensor, rows: number) => (heads === 1 ? tf.reshape(t, [batch, rows, d]) : tf.reshape(tf.transpose(tf.reshape(t, [batch, rows, heads, headSize]), [0, 2, 1, 3]), [batch * heads, rows, headSize]));
    const flatKeyBias = tf.reshape(keyBias, [batch, 1, length]);
    for (let b = 0; b < blocks; b++) {
      const prefix = `blocks.${b}`;
      const last = options.lastOnly && b === blocks - 1;
      const queries = last ? 1 : length;
      const flat = tf.reshape(x, [batch * length, d]) as tf.Tensor2D;
      const queryInput = this.#layerNorm(last ? tf.reshape(tf.slice(x, [0, length - 1, 0], [batch, 1, d]), [batch, d]) : flat, `${prefix}.attention_norm`) as tf.Tensor2D;
      const q = this.#dense(queryInput, `${prefix}.attention.query`);
      const k = this.#dense(flat, `${prefix}.attention.key`);
      const v = this.#dense(flat, `${prefix}.attention.value`);
      let attended: tf.Tensor;
      if (last) {
        // One query per sequence: scores and the weighted sum as broadcast products, which the
        // wasm backend runs much faster than a batched matMul of [1 x d] by [d x L] matrices.
        const keys = tf.reshape(k, [batch, length, heads, headSize]);
        let scores = tf.sum(tf.mul(tf.reshape(q, [batch, 1, heads, headSize]), keys), -1); // [B, L, h]
        scores = tf.mul(tf.transpose(scores, [0, 2, 1]), 1 / Math.sqrt(headSize)); // [B, h, L]
        const weights = this.#dropout(tf.softmax(tf.add(scores, flatKeyBias)), options); // [B, h, L]
        const values = tf.reshape(v, [batch, length, heads, headSize]);
        attended = tf.sum(tf.mul(tf.expandDims(tf.transpose(weights, [0, 2, 1]), 3), values), 1); // [B, h, dh]
        attended = tf.reshape(attended, [batch, d]);
      } else {
        // Scaled dot-product attention, causal and with padded keys masked. On wasm, whose batched
        // matMul is a plain loop, the two products (and their gradients) run as depthwise convolutions.
        const grouped = tf.getBackend() === 'wasm';
        const [queryHeads, keyHeads, valueHeads] = [splitHeads(q, length), splitHeads(k, length), splitHeads(v, length)] as tf.Tensor3D[];
        let scores = tf.mul(grouped ? attentionScores(queryHeads!, keyHeads!) : tf.matMul(queryHeads!, keyHeads!, false, true), 1 / Math.sqrt(headSize)); // [B*h, L, L]
        scores = tf.reshape(scores, [batch, heads, length, length]);
        scores = tf.add(tf.add(scores, keyBias), this.#causalBias);
        const weights = tf.reshape(this.#dropout(tf.softmax(scores), options), [batch * heads, length, length]) as tf.Tensor3D;
        attended = grouped ? attentionWeightedSum(weights, valueHeads!) : tf.matMul(weights, valueHeads!); // [B*h, L, dh]
        attended = heads === 1 ? tf.reshape(attended, [batch * length, d]) : tf.reshape(tf.transpose(tf.reshape(attended, [batch, heads, length, headSize]), [0, 2, 1, 3]), [batch * length, d]);
      }
      const projected = this.#dense(attended as tf.Tensor2D, `${prefix}.attention.output`);
      let h = this.#layerNorm(tf.add(queryInput, projected), `${prefix}.ffn_norm`) as tf.Tensor2D;
      const inner = this.#dropout(this.#dense(h, `${prefix}.ffn.inner`, 'relu'), options) as tf.Tensor2D;
      const outer = this.#dropout(this.#dense(inner, `${prefix}.ffn.outer`), options);
      h = tf.add(h, outer);
      x = tf.mul(tf.reshape(h, [batch, queries, d]), last ? tf.slice(mask, [0, length - 1, 0], [batch, 1, 1]) : mask) as tf.Tensor3D;
    }
    if (options.lastOnly && blocks === 0) x = tf.slice(x, [0, length - 1, 0], [batch, 1, d]);
    return this.#layerNorm(x, 'final_norm') as tf.Tensor3D;
  }

  /** Frees the variables and constants. */
  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.#causalBias.dispose();
  }
}
