/** A dense row-major float32 matrix: `data[r * cols + c]`. */
export interface Float32Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Row `r` of a matrix as a view (no copy). */
export function matrixRow(matrix: Float32Matrix, r: number): Float32Array {
  if (!Number.isInteger(r) || r < 0 || r >= matrix.rows) {
    throw new RangeError(`Row ${r} is outside the matrix (0..${matrix.rows - 1}).`);
  }
  return matrix.data.subarray(r * matrix.cols, (r + 1) * matrix.cols);
}

/** Builds a matrix and checks that `data` has exactly rows x cols entries. */
export function createMatrix(rows: number, cols: number, data?: Float32Array): Float32Matrix {
  const buffer = data ?? new Float32Array(rows * cols);
  if (buffer.length !== rows * cols) {
    throw new RangeError(`A ${rows}x${cols} matrix needs ${rows * cols} values, got ${buffer.length}.`);
  }
  return { rows, cols, data: buffer };
}

/** cos(a, b) of two equally long vectors; 0 when either is all zeros. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  const denominator = Math.sqrt(normA) * Math.sqrt(normB);
  return denominator === 0 ? 0 : dot / denominator;
}
