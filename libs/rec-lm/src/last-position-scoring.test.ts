import { initTensorflow, tf } from '@score/tfjs-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLlamaConfig } from './llama-config';
import { LlamaModel } from './llama-model';
import { padBatch, scoreTokenSequences } from './yes-no-scoring';

// Grouped-query attention (4 query heads on 2 key/value heads), 3 blocks so that the scoring
// route runs two full blocks before the last-position top block.
const config = createLlamaConfig({ vocabSize: 50, hiddenSize: 24, intermediateSize: 40, numLayers: 3, numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 64 });

function sequences(count: number): number[][] {
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
  return Array.from({ length: count }, () => Array.from({ length: 3 + (next() % 30) }, () => 1 + (next() % 49)));
}

/** Next-token logits of every row the way training computes them: every block on every position, then the last real row gathered. */
function fullForward(model: LlamaModel, batch: readonly number[][], tokens?: number[]): Float32Array {
  return tf.tidy(() => {
    const { ids, lengths } = padBatch(batch, 0);
    // training = true runs the full forward (no dropout without LoRA adapters).
    return model.lastLogits(ids, lengths, true, tokens);
  }).dataSync() as Float32Array;
}

function scoringForward(model: LlamaModel, batch: readonly number[][], tokens?: number[]): Float32Array {
  return tf.tidy(() => {
    const { ids, lengths } = padBatch(batch, 0);
    return model.lastLogits(ids, lengths, false, tokens);
  }).dataSync() as Float32Array;
}

describe('scoring route (top block on the last position only)', () => {
  beforeAll(async () => {
    await initTensorflow({ backend: 'wasm' });
  });

  it('gives the full forward pass\'s logits, bitwise on wasm, for padded batches of mixed lengths', () => {
    const model = LlamaModel.create({ config, seed: 3, initStd: 0.2 });
    const batch = sequences(9);
    const full = fullForward(model, batch);
    const scored = scoringForward(model, batch);
    expect(scored.length).toBe(9 * config.vocabSize);
    expect(Array.from(scored)).toEqual(Array.from(full));
    // The Yes/No pair route as well.
    expect(Array.from(scoringForward(model, batch, [4, 7]))).toEqual(Array.from(fullForward(model, batch, [4, 7])));
    // A real difference shows: another model's logits differ.
    const other = LlamaModel.create({ config, seed: 4, initStd: 0.2 });
    expect(Math.max(...Array.from(scoringForward(other, batch), (value, i) => Math.abs(value - full[i]!)))).toBeGreaterThan(1e-3);
    model.dispose();
    other.dispose();
  });

  it('scores a batch as each prompt alone (float tolerance) without leaking tensors', async () => {
    const model = LlamaModel.create({ config, seed: 5, initStd: 0.2 });
    const batch = sequences(12);
    await scoreTokenSequences(model, batch, { yes: 4, no: 7 }, 5); // fills the rotary cache of these lengths
    const before = tf.memory().numTensors;
    const batched = await scoreTokenSequences(model, batch, { yes: 4, no: 7 }, 5);
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, sequence] of batch.entries()) {
      const [alone] = await scoreTokenSequences(model, [sequence], { yes: 4, no: 7 }, 1);
      expect(batched[i]!.yesLogit).toBeCloseTo(alone!.yesLogit, 5);
      expect(batched[i]!.noLogit).toBeCloseTo(alone!.noLogit, 5);
      const logits = fullForward(model, [sequence], [4, 7]);
      expect(alone!.yesLogit).toBe(logits[0]);
      expect(alone!.noLogit).toBe(logits[1]);
    }
    model.dispose();
  });
});
