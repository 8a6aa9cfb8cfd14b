import { initTensorflow, tf } from '@score/tfjs-runtime';
import { describe, expect, it } from 'vitest';
import { createRandom } from '@score/core';
import { type SasrecBatchPayload, payloadWeight, sasrecBatchLoss, slicePayload } from './sasrec-losses';
import { SasrecNetwork } from './sasrec-network';

const architecture = { itemCount: 12, hiddenSize: 8, blocks: 2, heads: 1, maxHistory: 4, dropout: 0, layerNormEpsilon: 1e-8 };

describe('sasrecBatchLoss shards', () => {
  it('recombine into the full batch loss when weighted by payloadWeight (CTR and next-item)', async () => {
    await initTensorflow();
    const network = new SasrecNetwork(architecture, createRandom(3));
    const ctr: SasrecBatchPayload = {
      kind: 'ctr',
      count: 5,
      histories: Int32Array.from([0, 0, 1, 2, 0, 3, 4, 5, 0, 0, 0, 0, 6, 7, 8, 9, 0, 0, 0, 11]),
      targets: Int32Array.from([3, 4, 5, 10, 12]),
      labels: Float32Array.from([1, 0, 1, 1, 0]),
    };
    const nextItem: SasrecBatchPayload = {
      kind: 'next-item',
      count: 3,
      // Shard [0, 1) has 1 target position, shard [1, 3) has 2 + 3: unequal weights.
      inputs: Int32Array.from([0, 0, 0, 1, 0, 0, 2, 3, 0, 4, 5, 6]),
      positives: Int32Array.from([0, 0, 0, 2, 0, 0, 3, 7, 0, 5, 6, 8]),
      negatives: Int32Array.from([0, 0, 0, 9, 0, 0, 10, 11, 0, 12, 1, 2]),
    };
    const random = createRandom(1);
    for (const [payload, split] of [[ctr, 2], [nextItem, 1]] as const) {
      const full = tf.tidy(() => sasrecBatchLoss(network, payload, random).dataSync()[0]!);
      const shards = [slicePayload(payload, 0, split, 4), slicePayload(payload, split, payload.count, 4)];
      expect(shards.map((shard) => shard.count)).toEqual([split, payload.count - split]);
      const weights = shards.map(payloadWeight);
      expect(weights).toEqual(payload.kind === 'ctr' ? [2, 3] : [1, 5]);
      const combined = shards.reduce((sum, shard, i) => sum + (weights[i]! / (weights[0]! + weights[1]!)) * tf.tidy(() => sasrecBatchLoss(network, shard, random).dataSync()[0]!), 0);
      expect(full).toBeGreaterThan(0);
      expect(combined).toBeCloseTo(full, 5);
    }
    network.dispose();
  });
});
