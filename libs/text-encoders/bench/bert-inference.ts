/**
 * Benchmark of BERT inference on tfjs against onnxruntime (issue 15 point 8, issue 17 point 1):
 * all-MiniLM-L6-v2 (pulled into the models cache on first run) embedding behaviour texts of
 * CAR's shape, ~200-250 tokens each (the length of the pretrained demo's snapshot texts): texts/s of
 * the trainable tfjs encoder (wasm, one thread, `loadBertEncoder`'s default batch of 8) and of
 * the onnxruntime route (`loadInferenceEncoder(dir, { inference: 'onnx' })`, batch 32) on 1 thread
 * and on every core, the one-off export times (to the folder, and in memory with
 * `createBertOnnxInference`), and the largest difference between the two routes' embeddings.
 *
 * Run: `npx nx run text-encoders:bench-inference` (or `npm run bench-inference -w @score/text-encoders`).
 * `SCORE_BENCH_TEXTS` sets the number of texts (default 200); `SCORE_BENCH_MODEL_DIR` another
 * BERT-family folder.
 */
import os from 'node:os';
import { initTensorflow } from '@score/tfjs-runtime';
import { createBertOnnxInference, loadBertEncoder, loadInferenceEncoder } from '../src/index';
import { pretrainedMiniLmDir } from '../src/test-fixtures/pretrained-model';

const TITLES = [
  'Toy Story (1995)', 'Heat (1995)', 'Casino (1995)', 'Jumanji (1995)', 'Se7en (1995)', 'The Usual Suspects (1995)', 'Braveheart (1995)', 'Apollo 13 (1995)',
  'Fargo (1996)', 'Trainspotting (1996)', 'Titanic (1997)', 'Good Will Hunting (1997)', 'The Big Lebowski (1998)', 'The Matrix (1999)', 'Fight Club (1999)',
  'American Beauty (1999)', 'Gladiator (2000)', 'Memento (2000)', 'Amélie (2001)', 'Spirited Away (2001)', 'The Godfather (1972)', 'Star Wars (1977)',
  'Alien (1979)', 'Blade Runner (1982)', 'Back to the Future (1985)', 'Aliens (1986)', 'Die Hard (1988)', 'Goodfellas (1990)', 'Pulp Fiction (1994)',
  'Forrest Gump (1994)', 'The Shawshank Redemption (1994)', "Schindler's List (1993)", 'Jurassic Park (1993)', 'Groundhog Day (1993)', 'Reservoir Dogs (1992)',
];

/** Behaviour texts as the CAR corpus writes them: 20 to 28 liked titles (about 200 to 250 tokens). */
function corpus(count: number): string[] {
  let state = 17;
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  return Array.from({ length: count }, () => `The user has highly rated the following movies: ${Array.from({ length: 20 + next(9) }, () => `"${TITLES[next(TITLES.length)]}"`).join(', ')}.`);
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  const runtime = await initTensorflow();
  const cores = os.availableParallelism();
  console.log(`TensorFlow.js backend: ${runtime.backend}; cores: ${cores}; load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  const dir = process.env['SCORE_BENCH_MODEL_DIR'] ?? (await pretrainedMiniLmDir());
  const count = Number(process.env['SCORE_BENCH_TEXTS'] ?? 200);
  const texts = corpus(count);

  const bert = await loadBertEncoder(dir);
  const lengths = texts.map((text) => bert.tokenizer.encode(text, { maxLength: bert.maxLength }).ids.length);
  console.log(`model: ${bert.modelId}, ${bert.config.layers} layers, hidden ${bert.config.hidden}, maxLength ${bert.maxLength}; ${count} texts of ${Math.min(...lengths)}-${Math.max(...lengths)} tokens (mean ${(lengths.reduce((a, b) => a + b, 0) / count).toFixed(0)})`);

  let start = process.hrtime.bigint();
  const reference = await bert.embed(texts);
  const tfjsSeconds = seconds(start);
  console.log(`tfjs (wasm, 1 thread, batch 8): ${(count / tfjsSeconds).toFixed(1)} texts/s (${tfjsSeconds.toFixed(1)} s)`);

  start = process.hrtime.bigint();
  const inMemory = await createBertOnnxInference(bert, { intraOpThreads: cores });
  console.log(`in-memory export + onnxruntime session: ${seconds(start).toFixed(2)} s`);
  await inMemory.dispose();
  bert.dispose();

  start = process.hrtime.bigint();
  const first = await loadInferenceEncoder(dir, { inference: 'onnx', intraOpThreads: 1 });
  console.log(`loadInferenceEncoder (export to the folder once, or reuse it) + session: ${seconds(start).toFixed(2)} s`);
  for (const threads of [...new Set([1, cores])]) {
    const onnx = threads === 1 ? first : await loadInferenceEncoder(dir, { inference: 'onnx', intraOpThreads: threads });
    await onnx.embed(texts.slice(0, 8));
    start = process.hrtime.bigint();
    const vectors = await onnx.embed(texts);
    const elapsed = seconds(start);
    let diff = 0;
    for (let i = 0; i < vectors.data.length; i++) diff = Math.max(diff, Math.abs(vectors.data[i]! - reference.data[i]!));
    console.log(`onnxruntime (${threads} intra-op thread${threads === 1 ? '' : 's'}, batch 32): ${(count / elapsed).toFixed(1)} texts/s (${elapsed.toFixed(1)} s), ${(tfjsSeconds / elapsed).toFixed(1)}x tfjs; max |difference| to tfjs ${diff.toExponential(1)}`);
    await onnx.dispose();
  }
  console.log(`load average at the end ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
}

await main();
