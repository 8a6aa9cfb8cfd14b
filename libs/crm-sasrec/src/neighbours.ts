import { DimensionMismatchError, type Float32Matrix, checkInteger, offerTopK } from '@score/core';
import { tf } from '@score/tfjs-runtime';

/** Options of {@link computeNeighbours}. */
export interface NeighbourOptions {
  /** Neighbours per row (K_c); rows get min(k, rows - 1) when self is excluded. @defaultValue 5 */
  readonly k?: number;
  /** Leave each row out of its own list. @defaultValue true */
  readonly excludeSelf?: boolean;
  /** Query rows per matrix product (memory: batchSize x rows floats). @defaultValue 1024 */
  readonly batchSize?: number;
}

/** Top-K neighbours of every row: `indices[r * k + j]` is row r's j-th neighbour, best first. */
export interface NeighbourLists {
  /** Neighbours per row. */
  readonly k: number;
  readonly rows: number;
  readonly indices: Int32Array;
  /** Inner products matching `indices`. */
  readonly scores: Float32Array;
}

/**
 * Exact collaborative neighbours: for every row u of `embeddings`, the `k` rows with the largest
 * inner product e_u . e_v, excluding u itself (method.md, Eq. 3-4). Products are computed in
 * batches of `batchSize` query rows; ties go to the lower row index.
 * @throws InvalidOptionError for a bad option; DimensionMismatchError when `embeddings.data` does not fit its shape.
 */
export function computeNeighbours(embeddings: Float32Matrix, options: NeighbourOptions = {}): NeighbourLists {
  const requested = options.k ?? 5;
  checkInteger('k', requested, 1);
  const batchSize = options.batchSize ?? 1024;
  checkInteger('batchSize', batchSize, 1);
  const excludeSelf = options.excludeSelf ?? true;
  const { rows, cols, data } = embeddings;
  if (data.length !== rows * cols) throw new DimensionMismatchError('The embeddings data', rows * cols, data.length);
  const k = Math.max(0, Math.min(requested, excludeSelf ? rows - 1 : rows));
  const indices = new Int32Array(rows * k);
  const scores = new Float32Array(rows * k);
  if (k === 0) return { k, rows, indices, scores };
  const all = tf.tensor2d(data, [rows, cols]);
  const allTransposed = tf.transpose(all);
  try {
    const bestIndex = new Int32Array(k);
    const bestScore = new Float64Array(k);
    for (let start = 0; start < rows; start += batchSize) {
      const end = Math.min(rows, start + batchSize);
      const block = tf.tidy(() => tf.matMul(tf.slice(all, [start, 0], [end - start, cols]), allTransposed).dataSync() as Float32Array);
      for (let r = start; r < end; r++) {
        const row = block.subarray((r - start) * rows, (r - start + 1) * rows);
        let filled = 0;
        for (let j = 0; j < rows; j++) {
          if (excludeSelf && j === r) continue;
          // Insertion into the sorted top-k (descending score, ascending index on ties).
          filled = offerTopK(bestIndex, bestScore, filled, k, j, row[j]!);
        }
        indices.set(bestIndex, r * k);
        for (let j = 0; j < k; j++) scores[r * k + j] = bestScore[j]!;
      }
    }
  } finally {
    all.dispose();
    allTransposed.dispose();
  }
  return { k, rows, indices, scores };
}
