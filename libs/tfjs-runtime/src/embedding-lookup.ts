import * as tf from '@tensorflow/tfjs';

type GradSaver = (tensors: tf.Tensor[]) => void;

/** Tables up to this many floats are gathered in JS (the wasm GatherV2 kernel is ~10x slower). */
const JS_GATHER_LIMIT = 1 << 24;

function gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const [rows, width] = table.shape;
  if (table.size > JS_GATHER_LIMIT) return tf.gather(table, ids);
  const values = table.dataSync() as Float32Array;
  const indices = ids.dataSync();
  const out = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i]!;
    if (!(row >= 0 && row < rows)) throw new RangeError(`embeddingLookup: index ${row} is outside the table (0..${rows - 1}).`);
    out.set(values.subarray(row * width, (row + 1) * width), i * width);
  }
  return tf.tensor2d(out, [indices.length, width], 'float32');
}

const lookup = tf.customGrad(((...args: (tf.Tensor | GradSaver)[]) => {
  const [table, ids, save] = args as [tf.Tensor2D, tf.Tensor1D, GradSaver];
  save([ids]);
  return {
    value: gatherRows(table, ids),
    // d table = scatter-add of dy into the looked-up rows (duplicates are summed by ScatterNd).
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.scatterND(tf.expandDims(saved[0]!, 1), dy, table.shape), tf.zerosLike(saved[0]!)],
  };
}) as Parameters<typeof tf.customGrad>[0]);

/**
 * Rows of `table` ([rows, width]) for the int32 `ids` (any shape), with a gradient that every
 * backend runs: tfjs's own `gather` gradient needs `UnsortedSegmentSum`, which the wasm backend
 * lacks; this one scatter-adds with `ScatterNd`. Tables up to 16M floats are gathered in JS,
 * which is faster than the wasm gather kernel. Returns shape `[...ids.shape, width]`.
 * @throws RangeError for an index outside the table.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const flat = ids.rank === 1 ? ids : tf.reshape(ids, [-1]);
  const rows = (lookup as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(table, flat);
  return ids.rank === 1 ? rows : tf.reshape(rows, [...ids.shape, table.shape[1]]);
}
