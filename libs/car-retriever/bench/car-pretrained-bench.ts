/**
 * CAR fine-tuning cost of the pretrained all-MiniLM-L6-v2 (`car.encoder: bert:model:all-minilm-l6-v2`)
 * on the demo's data size, estimated from a few timed training steps rather than a whole epoch:
 * the demo's synthetic dataset (configs/demo.yaml: 600 users, 800 items, seed 42,
 * clusterItemTaste 1.0), its behaviour texts (the stage's maxItems 20), batches as the stage builds
 * them for a BERT (16 anchors, one sampled positive each: `positives: 'sample'`), each step by
 * gradient caching (`gradientChunkTexts` 8, trainCar's default for a BERT) and an Adam update.
 * Prints tokens per text, the forward texts/s (the per-epoch validation embeds every corpus
 * user), the training texts/s, the process's peak RSS, the steps per epoch and the estimated
 * epoch time, in wall seconds and in CPU seconds (the time on one idle core).
 *
 *   npm run bench:car-pretrained -w @score/car-retriever
 *   npm run bench:car-pretrained -w @score/car-retriever -- --steps 4 --chunk 8
 *
 * Flags: --users N (600), --items N (800), --seed N (42), --steps N (timed steps: 3, after one
 * untimed warm-up step), --chunk N (texts per pass: 8), --batch N (anchors per batch: 16).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createRandom } from '@score/core';
import { generateSyntheticDataset } from '@score/data';
import { resolveModelPath } from '@score/model-hub';
import { cachedEmbeddingGradients, infoNceLoss, loadBertEncoder } from '@score/text-encoders';
import { initTensorflow, shuffledIndices, tf } from '@score/tfjs-runtime';
import { buildBehaviourCorpus } from '../src/behaviour-corpus';
import { selectHeldOutUsers } from '../src/car-training';
import { topNeighbours } from '../src/retrieval-metrics';
import { itemSetNeighbours } from '../src/test-fixtures/item-set-neighbours';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '600' },
    items: { type: 'string', default: '800' },
    seed: { type: 'string', default: '42' },
    steps: { type: 'string', default: '3' },
    chunk: { type: 'string', default: '8' },
    batch: { type: 'string', default: '16' },
  },
});
const integer = (name: string, value: string) => {
  const parsed = Number.parseInt(value, 10);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive integer, got ${value}.`);
  return parsed;
};
const users = integer('users', values.users);
const items = integer('items', values.items);
const seed = integer('seed', values.seed);
const steps = integer('steps', values.steps);
const chunkSize = integer('chunk', values.chunk);
const batchSize = integer('batch', values.batch);

const runtime = await initTensorflow();
console.log(`backend ${runtime.backend}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}`);
const dataset = await generateSyntheticDataset({ users, items, seed, clusterItemTaste: 1.0 });
const corpus = buildBehaviourCorpus(dataset, { maxItems: 20 });
const texts = new Map(corpus.entries.map((entry) => [entry.userId, entry.text]));
const neighbours = itemSetNeighbours(dataset, 5);
const encoder = await loadBertEncoder(await resolveModelPath('model:all-minilm-l6-v2'));
const allTexts = [...texts.values()];
const lengths = allTexts.map((text) => Math.min(encoder.tokenizer.encode(text).ids.length, encoder.maxLength));
const meanTokens = lengths.reduce((a, b) => a + b, 0) / lengths.length;
console.log(`${allTexts.length} corpus texts, ${meanTokens.toFixed(1)} tokens per text on average (max ${Math.max(...lengths)}; maxLength ${encoder.maxLength})`);

const corpusUsers = [...texts.keys()];
const positivesOf = new Map(corpusUsers.map((userId) => [userId, topNeighbours(neighbours.get(userId), 5, userId, (id) => texts.has(id))]));
const withNeighbours = corpusUsers.filter((userId) => positivesOf.get(userId)!.length > 0);
const heldOut = new Set(selectHeldOutUsers(withNeighbours, 0.1, seed));
const anchors = withNeighbours.filter((userId) => !heldOut.has(userId));
const stepsPerEpoch = Math.ceil(anchors.length / batchSize);

const cpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
// Forward only (the per-epoch validation embeds every corpus user).
const forwardSample = allTexts.slice(0, 64);
let wall = performance.now();
let cpuStart = cpu();
await encoder.embed(forwardSample, { batchSize: chunkSize }); // batches of 32 texts of 256 tokens crash the wasm backend (4 GB)
const forwardWall = (performance.now() - wall) / 1000;
const forwardCpu = cpu() - cpuStart;
console.log(`forward (batches of ${chunkSize}): ${(forwardSample.length / forwardWall).toFixed(1)} texts/s wall, ${(forwardSample.length / forwardCpu).toFixed(1)} texts/s per CPU second`);

const optimizer = tf.train.adam(2e-5);
const random = createRandom(seed);
const order = shuffledIndices(anchors.length, random);
let trainedTexts = 0;
let stepWall = 0;
let stepCpu = 0;
for (let step = 0; step <= steps; step++) {
  const batchAnchors = Array.from(order.subarray(step * batchSize, (step + 1) * batchSize), (i) => anchors[i]!);
  const keyUsers = [...batchAnchors];
  const keyIndex = new Map(batchAnchors.map((userId, i) => [userId, i]));
  const chosen = batchAnchors.map((userId) => {
    const list = positivesOf.get(userId)!;
    return list[Math.floor(random() * list.length)]!;
  });
  for (const userId of chosen) if (!keyIndex.has(userId)) keyIndex.set(userId, keyUsers.push(userId) - 1);
  const positivesMask = batchAnchors.map((_, t) => keyUsers.map((userId) => (userId === chosen[t] ? 1 : 0)));
  const negativesMask = batchAnchors.map((userId, t) => {
    const related = new Set(positivesOf.get(userId)!);
    return keyUsers.map((other, j) => (j === t || related.has(other) ? 0 : 1));
  });
  const batchTexts = keyUsers.map((userId) => texts.get(userId)!);
  const loss = (keys: tf.Tensor2D): tf.Scalar => infoNceLoss(tf.slice(keys, [0, 0], [batchAnchors.length, keys.shape[1]]), keys, positivesMask, { temperature: 0.1, negativesMask });
  wall = performance.now();
  cpuStart = cpu();
  const { value, grads } = cachedEmbeddingGradients(encoder, batchTexts, loss, { chunkSize });
  optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
  const lossValue = (await value.data())[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  const seconds = (performance.now() - wall) / 1000;
  const cpuSeconds = cpu() - cpuStart;
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(`step ${step}${step === 0 ? ' (warm-up, not counted)' : ''}: ${batchTexts.length} texts, loss ${lossValue.toFixed(4)}, ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU, RSS ${rss.toFixed(0)} MiB`);
  if (step > 0) {
    trainedTexts += batchTexts.length;
    stepWall += seconds;
    stepCpu += cpuSeconds;
  }
}
const validationCpu = (allTexts.length / forwardSample.length) * forwardCpu;
const validationWall = (allTexts.length / forwardSample.length) * forwardWall;
console.log(`training: ${(trainedTexts / stepWall).toFixed(2)} texts/s wall, ${(trainedTexts / stepCpu).toFixed(2)} texts/s per CPU second; ${(stepWall / steps).toFixed(1)} s wall, ${(stepCpu / steps).toFixed(1)} s CPU per step`);
console.log(`epoch: ${anchors.length} anchors, ${stepsPerEpoch} steps of ${batchSize}, then a validation pass over ${allTexts.length} texts`);
console.log(
  `estimated epoch: ${((stepsPerEpoch * stepWall) / steps / 60 + validationWall / 60).toFixed(1)} min wall here, ${((stepsPerEpoch * stepCpu) / steps / 60 + validationCpu / 60).toFixed(1)} min of CPU (one idle core)`,
);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
encoder.dispose();
optimizer.dispose();
