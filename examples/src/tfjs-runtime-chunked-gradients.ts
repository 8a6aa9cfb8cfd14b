// `chunkedGradients` of @score/tfjs-runtime: a batch's mean loss and gradients computed chunk by
// chunk, each chunk weighted by its share of the rows, so only one chunk's activations are alive
// at a time. The result is the same as one pass over the whole batch, which this program checks.
import { chunkedGradients, initTensorflow, tf } from '@score/tfjs-runtime';

await initTensorflow();
const w = tf.variable(tf.tensor2d([[0.5], [-0.5]]));
const x = tf.randomNormal([356, 2], 0, 1, 'float32', 7);
const y = tf.cast(tf.greater(tf.slice(x, [0, 0], [356, 1]), 0), 'float32').reshape([356]);
/** Mean logistic loss of rows [start, end). */
const lossOfRows = (start: number, end: number) => () => {
  const logits = tf.matMul(tf.slice(x, [start, 0], [end - start, 2]), w).reshape([end - start]);
  const labels = tf.slice(y, [start], [end - start]);
  return tf.mean(tf.sub(tf.softplus(logits), tf.mul(labels, logits))) as tf.Scalar;
};
// The same mean loss and gradient as one pass over all 356 rows, 256 rows at a time.
const { value, grads } = chunkedGradients([{ weight: 256, loss: lossOfRows(0, 256) }, { weight: 100, loss: lossOfRows(256, 356) }], [w]);
console.log(JSON.stringify(grads[w.name]!.shape)); // [2,1]
const whole = tf.variableGrads(lossOfRows(0, 356), [w]);
console.log(Math.abs(value.dataSync()[0]! - whole.value.dataSync()[0]!) < 1e-5); // true
console.log(Math.max(...tf.abs(tf.sub(grads[w.name]!, whole.grads[w.name]!)).dataSync()) < 1e-5); // true
