import { Index } from '@lancedb/lancedb';
import type { AnnBuildParams, AnnIndexKind } from './ann-index-options';

/** Distance of a {@link LanceVectorIndex}: cosine similarity, or the inner product. */
export type VectorMetric = 'cosine' | 'dot';

/** Rows per HNSW partition when `numPartitions` is not given (each partition is one graph). */
const ROWS_PER_HNSW_PARTITION = 1_000_000;

/** Drops `undefined` fields, which the native bindings would reject. */
function defined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The LanceDB index configuration for an ANN kind, its parameters and the table's size. */
export function annIndexConfig(kind: AnnIndexKind, params: AnnBuildParams, metric: VectorMetric, rows: number, dimensions: number): Index {
  const common = {
    distanceType: metric,
    sampleRate: params.sampleRate,
    maxIterations: params.maxIterations,
  };
  const ivfPartitions = params.numPartitions ?? Math.max(1, Math.round(Math.sqrt(rows)));
  const numSubVectors = params.numSubVectors ?? (dimensions % 8 === 0 ? dimensions / 8 : undefined);
  switch (kind) {
    case 'hnsw-sq':
    case 'hnsw-pq': {
      const hnsw = {
        ...common,
        numPartitions: params.numPartitions ?? Math.max(1, Math.ceil(rows / ROWS_PER_HNSW_PARTITION)),
        m: params.m ?? 16,
        efConstruction: params.efConstruction ?? 150,
      };
      return kind === 'hnsw-sq' ? Index.hnswSq(defined(hnsw)) : Index.hnswPq(defined({ ...hnsw, numSubVectors }));
    }
    case 'ivf-pq':
      return Index.ivfPq(defined({ ...common, numPartitions: ivfPartitions, numSubVectors, numBits: params.numBits }));
    case 'ivf-flat':
      return Index.ivfFlat(defined({ ...common, numPartitions: ivfPartitions }));
    case 'ivf-rq':
      return Index.ivfRq(defined({ ...common, numPartitions: ivfPartitions, numBits: params.numBits }));
  }
}
