import { createRandom } from '@score/core';

/** A standard normal draw (Box-Muller). */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Options of {@link createVectorSource}. */
export interface VectorSourceOptions {
  readonly dimensions: number;
  readonly seed: number;
  /** `uniform`: directions uniform on the sphere; `clustered`: a mixture of Gaussians. */
  readonly distribution: 'uniform' | 'clustered';
  /** Mixture components (clustered only). */
  readonly clusters?: number;
  /** Standard deviation around each centre per dimension, relative to a centre's scale 1. */
  readonly spread?: number;
}

/** Draws L2-normalised synthetic vectors in chunks: `next(n)` returns n rows, row-major. */
export function createVectorSource(options: VectorSourceOptions): { next(count: number): Float32Array } {
  const random = createRandom(options.seed);
  const { dimensions } = options;
  const clusters = options.clusters ?? 1000;
  const spread = options.spread ?? 0.5;
  const centres = new Float32Array(options.distribution === 'clustered' ? clusters * dimensions : 0);
  for (let i = 0; i < centres.length; i++) centres[i] = gaussian(random);
  return {
    next(count: number): Float32Array {
      const out = new Float32Array(count * dimensions);
      for (let r = 0; r < count; r++) {
        const centre = options.distribution === 'clustered' ? Math.floor(random() * clusters) * dimensions : -1;
        let norm = 0;
        for (let c = 0; c < dimensions; c++) {
          const value = centre < 0 ? gaussian(random) : centres[centre + c] + spread * gaussian(random);
          out[r * dimensions + c] = value;
          norm += value * value;
        }
        const scale = 1 / Math.sqrt(norm);
        for (let c = 0; c < dimensions; c++) out[r * dimensions + c] *= scale;
      }
      return out;
    },
  };
}
