import os from 'node:os';
import { initTensorflow, tf } from '@score/tfjs-runtime';
import { createLlamaConfig, LlamaModel } from '../src/index';
import { batchesByLength, padBatch } from '../src/yes-no-scoring';

await initTensorflow();
const vocab = 5300;
const model = LlamaModel.create({ config: createLlamaConfig({ vocabSize: vocab }), seed: 1 });
let s = 12345;
const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
const n = Number(process.env.N ?? 128);
const seqs = Array.from({ length: n }, () => Array.from({ length: 120 + Math.floor(rnd() * 136) }, () => 1 + Math.floor(rnd() * (vocab - 1))));
const bs = Number(process.env.BS ?? 16);
const run = (old: boolean): Float32Array => {
  const out = new Float32Array(n * 2);
  for (const batch of batchesByLength(seqs.map((q) => q.length), bs)) {
    const logits = tf.tidy(() => {
      const { ids, lengths } = padBatch(batch.map((i) => seqs[i]!), 0);
      return model.lastLogits(ids, lengths, old, [5, 6]);
    });
    const v = logits.dataSync();
    logits.dispose();
    batch.forEach((i, r) => { out[2 * i] = v[2 * r]!; out[2 * i + 1] = v[2 * r + 1]!; });
  }
  return out;
};
run(false); run(true);
for (let rep = 0; rep < 2; rep++) {
  for (const old of [true, false]) {
    const t = performance.now();
    const v = run(old);
    const ms = (performance.now() - t) / n;
    console.log(`${old ? 'full forward (before)' : 'last-position (after)'}: ${ms.toFixed(2)} ms per prompt (batch ${bs}), load ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}; logit[0] ${v[0]} ${v[1]}`);
  }
}
const a = run(true), b = run(false);
let maxDiff = 0, exact = 0;
for (let i = 0; i < a.length; i++) { maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!)); if (a[i] === b[i]) exact++; }
console.log(`max |diff| ${maxDiff}, ${exact} of ${a.length} logits bitwise equal`);
