import { DimensionMismatchError, type Float32Matrix, checkInteger, offerTopK } from '@score/core';

/**
 * Exact cosine top-k among the rows of `vectors`: for each query row, the indices of the `k` other
 * rows with the largest cos(h_q, h_j), best first (ties to the lower index). The query row itself
 * is never returned. Rows need not be normalised (a zero row has cosine 0 with everything).
 */
export function cosineTopK(vectors: Float32Matrix, queryRows: readonly number[], k: number): number[][] {
  checkInteger('k', k, 1);
  const { rows, cols, data } = vectors;
  if (data.length !== rows * cols) throw new DimensionMismatchError('The vectors data', rows * cols, data.length);
  const unit = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let c = 0; c < cols; c++) norm += data[r * cols + c]! ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < cols; c++) unit[r * cols + c] = data[r * cols + c]! * scale;
  }
  const take = Math.min(k, rows - 1);
  return queryRows.map((q) => {
    if (!Number.isInteger(q) || q < 0 || q >= rows) throw new RangeError(`Query row ${q} is outside the ${rows} vectors.`);
    const bestIndex = new Int32Array(take);
    const bestScore = new Float64Array(take);
    let filled = 0;
    for (let j = 0; j < rows; j++) {
      if (j === q) continue;
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += unit[q * cols + c]! * unit[j * cols + c]!;
      filled = offerTopK(bestIndex, bestScore, filled, take, j, dot);
    }
    return Array.from(bestIndex.subarray(0, filled));
  });
}
