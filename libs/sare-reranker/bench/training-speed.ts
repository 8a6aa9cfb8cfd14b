/**
 * SARE training speed with gradient caching (prints figures; no assertions): rows/s of one epoch
 * of `trainSare` on a from-scratch BERT (hidden 128, 2 layers, 4 heads, 256 positions: the
 * `sare.encoder: scratch` of configs/ml-1m-generic.yaml) over synthetic examples (queries of 150
 * words, 10 candidates of 100-250 words), chunked in batch order and by token length
 * (`lengthSortedChunks`), alternately in one process so both see the same load. It prints rows per
 * second of wall time and per second of CPU time (the process's own; steadier on a shared machine).
 *
 * `COMPARE=attention` instead times attention's per-head products as the wasm backend's plain
 * batched matMul loop against XNNPACK convolutions (`useConvBatchMatMul` of @score/tfjs-runtime
 * off/on; chunks by length), alternately; the losses must agree to the last digit.
 *
 *   npm run bench:training -w @score/sare-reranker     (N=examples, default 36; COMPARE=attention)
 */
import os from 'node:os';
import { initTensorflow, useConvBatchMatMul } from '@score/tfjs-runtime';
import { createBertEncoder, trainTokenizer } from '@score/text-encoders';
import { trainSare } from '../src/index';

await initTensorflow();
let state = 3;
const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
const text = (count: number) => Array.from({ length: count }, () => words[Math.floor(random() * words.length)]).join(' ');
const examples = Array.from({ length: Number(process.env['N'] ?? 36) }, (_, e) => ({
  id: `e${e}`,
  query: text(150),
  candidates: Array.from({ length: 10 }, (_, c) => ({ id: `u${c}`, text: text(100 + Math.floor(random() * 150)) })),
}));
const tokenizer = trainTokenizer({ texts: examples.flatMap((example) => [example.query, ...example.candidates.map((candidate) => candidate.text)]).slice(0, 200), vocabSize: 400, kind: 'wordpiece' });
const load = () => os.loadavg().map((value) => value.toFixed(2)).join(', ');
console.log(`SARE training speed: ${examples.length} examples, batch 16, gradientChunkTexts 8; cores ${os.cpus().length}, load average ${load()}`);
const attention = process.env['COMPARE'] === 'attention';
for (const [index, mode] of [false, true, false, true].entries()) {
  // COMPARE=attention: plain matMul (mode false) against XNNPACK convolutions (mode true), chunks by length.
  const sorted = attention || mode;
  if (attention) useConvBatchMatMul(mode);
  const encoder = await createBertEncoder({ tokenizer, hidden: 128, layers: 2, heads: 4, maxLength: 256, seed: 1 });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = await trainSare({ encoder, examples, epochs: 1, batchSize: 16, gradientChunkTexts: 8, lengthSortedChunks: sorted, validation: examples.slice(0, 2), seed: 1 });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(
    `${attention ? `attention ${mode ? 'XNNPACK conv' : 'plain matMul'}` : `chunks ${sorted ? 'by length  ' : 'batch order'}`} (run ${index + 1}): ${(report.trainExamples / seconds).toFixed(2)} rows/s wall, ${(report.trainExamples / cpuSeconds).toFixed(2)} rows per CPU second (${report.trainExamples} rows, ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU, validation included), loss ${report.training.history[0]?.loss.toFixed(6)}; load ${load()}`,
  );
  encoder.dispose();
}
