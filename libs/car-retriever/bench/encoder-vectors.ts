/**
 * Vectors made by a run's own CAR encoder, for the index benchmark (`--distribution encoder`).
 * Encoding a million behaviour texts on 2 shared cores would take longer than building the index,
 * so: the CAR stage runs on the synthetic dataset (pooled encoder, fine-tuned on item-set
 * neighbours as in car-bench), `baseTexts` behaviour texts (random runs of 3-20 consecutive
 * positives of random users, described as the corpus describes histories) are encoded with the
 * fine-tuned encoder, and each benchmark vector is one of them plus Gaussian noise, re-normalised.
 * The noise norm is `noise` x the median distance from a base vector to its nearest other base
 * vector, so copies of one text form a tight group of similar users and the groups keep the
 * encoder's geometry (clusters of tastes, shared items).
 */
import path from 'node:path';
import { createRandom } from '@score/core';
import { generateSyntheticDataset } from '@score/data';
import { loadTrainableEncoder } from '@score/text-encoders';
import { buildBehaviourCorpus } from '../src/behaviour-corpus';
import { runCarStage } from '../src/car-stage';
import { readCarStageManifest } from '../src/car-stage-manifest';
import { writeNeighboursFile } from '../src/neighbours-file';
import { itemSetNeighbours } from '../src/test-fixtures/item-set-neighbours';
import { gaussian } from '../src/test-fixtures/synthetic-vectors';

/** Options of {@link createEncoderVectorSource}. */
export interface EncoderVectorSourceOptions {
  /** Scratch folder for the CAR stage. */
  readonly dir: string;
  /** Pooled encoder width (the run default is 256). */
  readonly dimensions: number;
  readonly seed: number;
  /** Behaviour texts encoded (the base vectors). */
  readonly baseTexts: number;
  /** Noise norm relative to the median nearest-neighbour distance of the base vectors. */
  readonly noise: number;
  /** CAR fine-tuning epochs. */
  readonly epochs: number;
  readonly log: (message: string) => void;
}

/** A source of encoder-made, L2-normalised vectors: `next(n)` returns n rows, row-major. */
export async function createEncoderVectorSource(options: EncoderVectorSourceOptions): Promise<{ next(count: number): Float32Array; describe: string }> {
  const { dimensions, seed } = options;
  let started = performance.now();
  const dataset = await generateSyntheticDataset({ seed });
  const neighboursFile = path.join(options.dir, 'neighbours.json');
  writeNeighboursFile(neighboursFile, itemSetNeighbours(dataset, 5));
  const stageDir = path.join(options.dir, 'car');
  await runCarStage({ dataset, neighboursFile, outputDir: stageDir, encoder: 'pooled', epochs: options.epochs, dimensions, seed });
  const encoder = await loadTrainableEncoder(path.join(stageDir, readCarStageManifest(stageDir).variants.car.encoder.path));
  options.log(`encoder vectors: CAR stage (pooled, ${dimensions} dims, ${options.epochs} epochs, ${dataset.users.length} users) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const random = createRandom(seed + 1);
  const corpus = buildBehaviourCorpus(dataset, { maxItems: 20 });
  const users = dataset.users.filter((user) => dataset.positives(user).length >= 3);
  const texts: string[] = [];
  for (let j = 0; j < options.baseTexts; j++) {
    const items = dataset.positives(users[Math.floor(random() * users.length)]!);
    const length = Math.min(items.length, 3 + Math.floor(random() * 18));
    const start = Math.floor(random() * (items.length - length + 1));
    texts.push(corpus.describe(items.slice(start, start + length)));
  }
  started = performance.now();
  const base = new Float32Array(options.baseTexts * dimensions);
  for (let from = 0; from < texts.length; from += 512) {
    const matrix = await encoder.embed(texts.slice(from, from + 512));
    base.set(matrix.data, from * dimensions);
  }
  await encoder.dispose();
  for (let j = 0; j < options.baseTexts; j++) normalise(base.subarray(j * dimensions, (j + 1) * dimensions));
  const encodeSeconds = (performance.now() - started) / 1000;

  // Median distance to the nearest other base vector, over up to 200 base vectors.
  const sample = Math.min(200, options.baseTexts);
  const nearest: number[] = [];
  for (let s = 0; s < sample; s++) {
    const a = base.subarray(s * dimensions, (s + 1) * dimensions);
    let best = Infinity;
    for (let j = 0; j < options.baseTexts; j++) {
      if (j === s) continue;
      let sum = 0;
      for (let d = 0; d < dimensions; d++) {
        const diff = a[d]! - base[j * dimensions + d]!;
        sum += diff * diff;
      }
      if (sum > 0 && sum < best) best = sum;
    }
    nearest.push(Math.sqrt(best));
  }
  nearest.sort((x, y) => x - y);
  const medianNearest = nearest[Math.floor(nearest.length / 2)]!;
  const sigma = (options.noise * medianNearest) / Math.sqrt(dimensions);
  options.log(
    `encoder vectors: ${options.baseTexts} behaviour texts encoded in ${encodeSeconds.toFixed(1)} s (${(options.baseTexts / encodeSeconds).toFixed(0)} texts/s); ` +
      `median nearest-neighbour distance ${medianNearest.toFixed(3)}, noise norm ${(options.noise * medianNearest).toFixed(3)}`,
  );
  return {
    describe: `encoder (${options.baseTexts} texts encoded by the CAR-tuned pooled encoder, each vector one of them + noise ${options.noise} x median NN distance)`,
    next(count: number): Float32Array {
      const out = new Float32Array(count * dimensions);
      for (let i = 0; i < count; i++) {
        const j = Math.floor(random() * options.baseTexts);
        const row = out.subarray(i * dimensions, (i + 1) * dimensions);
        for (let d = 0; d < dimensions; d++) row[d] = base[j * dimensions + d]! + sigma * gaussian(random);
        normalise(row);
      }
      return out;
    },
  };
}

function normalise(row: Float32Array): void {
  let norm = 0;
  for (const value of row) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < row.length; d++) row[d] = row[d]! / norm;
}
