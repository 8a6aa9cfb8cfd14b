import { describe, expect, it } from 'vitest';
import { createRandom } from '@score/core';
import { initTensorflow, tf } from './backend';
import { chunkedGradients } from './chunked-gradients';
import { fillNormal } from './seeded-random';

/** Mean logistic loss of rows [start, end) of a fixed problem, for weights w [3, 1] and bias b. */
function problem() {
  const rows = 23;
  const features = fillNormal(new Float32Array(rows * 3), createRandom(4));
  const labels = Float32Array.from({ length: rows }, (_, i) => (features[3 * i]! - features[3 * i + 2]! > 0 ? 1 : 0));
  const w = tf.variable(tf.tensor2d([[0.3], [-0.2], [0.1]]), true, 'chunk-test-w');
  const b = tf.variable(tf.scalar(0.05), true, 'chunk-test-b');
  const loss = (start: number, end: number) => () => {
    const x = tf.tensor2d(features.subarray(3 * start, 3 * end), [end - start, 3]);
    const logits = tf.add(tf.squeeze(tf.matMul(x, w), [1]), b);
    const y = tf.tensor1d(labels.subarray(start, end));
    return tf.mean(tf.sub(tf.softplus(logits), tf.mul(y, logits))) as tf.Scalar;
  };
  return { rows, w, b, loss, dispose: () => [w, b].forEach((v) => v.dispose()) };
}

const values = (result: { value: tf.Scalar; grads: tf.NamedTensorMap }) => ({
  value: result.value.dataSync()[0]!,
  grads: Object.fromEntries(Object.entries(result.grads).map(([name, grad]) => [name, Array.from(grad.dataSync())])),
});

describe('chunkedGradients', () => {
  it('gives the whole batch mean loss and gradients from row-weighted chunks, freeing every chunk', async () => {
    await initTensorflow();
    const { rows, w, b, loss, dispose } = problem();
    const whole = tf.tidy(() => values(tf.variableGrads(loss(0, rows), [w, b])));
    const before = tf.memory().numTensors;
    const chunked = tf.tidy(() => values(chunkedGradients([{ weight: 10, loss: loss(0, 10) }, { weight: 10, loss: loss(10, 20) }, { weight: 3, loss: loss(20, 23) }], [w, b])));
    expect(tf.memory().numTensors).toBe(before);
    expect(chunked.value).toBeCloseTo(whole.value, 6);
    for (const name of [w.name, b.name]) chunked.grads[name]!.forEach((g, i) => expect(g).toBeCloseTo(whole.grads[name]![i]!, 6));
    // Equal weights would be wrong here: the last chunk has 3 rows, not 10.
    const unweighted = tf.tidy(() => values(chunkedGradients([{ weight: 1, loss: loss(0, 10) }, { weight: 1, loss: loss(10, 20) }, { weight: 1, loss: loss(20, 23) }], [w, b])));
    expect(Math.abs(unweighted.value - whole.value)).toBeGreaterThan(1e-4);
    dispose();
  });

  it('skips zero-weight chunks, runs a lone chunk as is and rejects an empty list', async () => {
    await initTensorflow();
    const { w, b, loss, dispose } = problem();
    const first = tf.tidy(() => values(tf.variableGrads(loss(0, 5), [w, b])));
    const skipped = tf.tidy(() => values(chunkedGradients([{ weight: 5, loss: loss(0, 5) }, { weight: 0, loss: () => { throw new Error('a zero-weight chunk ran'); } }], [w, b])));
    expect(skipped).toEqual(first);
    expect(tf.tidy(() => values(chunkedGradients([{ weight: 0, loss: loss(0, 5) }], [w, b])))).toEqual(first);
    expect(() => chunkedGradients([], [w, b])).toThrow(/at least one chunk/);
    dispose();
  });
});
