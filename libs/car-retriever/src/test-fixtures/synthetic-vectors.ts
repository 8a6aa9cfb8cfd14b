/** A seeded uniform generator in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
  const random = seededRandom(options.seed);
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
