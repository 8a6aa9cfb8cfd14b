// The shared training loop of @score/tfjs-runtime: `initTensorflow` picks the fastest backend that
// loads (tfjs-node, else wasm, else cpu; SCORE_TF_BACKEND forces one), and `trainModel` owns Adam,
// epochs, early stopping on the validation score (higher is better), best-weight restore and the
// seeded generator. The model here is a two-weight logistic regression on four rows.
import { initTensorflow, tf, trainModel } from '@score/tfjs-runtime';

const { backend } = await initTensorflow(); // "tensorflow" | "wasm" | "cpu"; SCORE_TF_BACKEND forces one
console.log(['tensorflow', 'wasm', 'cpu'].includes(backend)); // true
const w = tf.tidy(() => tf.variable(tf.zeros([2, 1])));
const x = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]]);
const y = tf.tensor1d([1, 0, 1, 0]);
const report = await trainModel(
  {
    trainableVariables: [w],
    epochRows: () => 4,
    *batches() {
      yield { size: 4, loss: () => tf.mean(tf.sub(tf.softplus(tf.squeeze(tf.matMul(x, w))), tf.mul(y, tf.squeeze(tf.matMul(x, w))))) as tf.Scalar };
    },
    // The validation score: how much more the model believes in row 0 (a positive) than in row 1.
    validate: () => tf.tidy(() => tf.matMul(x, w).dataSync()[0]! - tf.matMul(x, w).dataSync()[1]!),
  },
  { epochs: 20, learningRate: 0.1, patience: 3, seed: 1 },
);
console.log(backend, report.bestEpoch, report.bestValidation);
console.log(report.bestValidation > 1); // true
tf.dispose([w, x, y]);
