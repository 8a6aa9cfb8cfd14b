import { InvalidOptionError, checkInteger, checkIntegerOrInfinity } from '@score/core';

/**
 * Kinds of approximate (ANN) vector index LanceDB can build:
 * - `hnsw-sq`: HNSW graphs over scalar-quantised vectors (fast, high recall; the default).
 * - `hnsw-pq`: HNSW graphs over product-quantised vectors (smaller, lower recall).
 * - `ivf-pq`: inverted file of partitions over product-quantised vectors.
 * - `ivf-flat`: inverted file of partitions over the full vectors (exact within partitions).
 * - `ivf-rq`: inverted file over RaBitQ-quantised vectors.
 */
export type AnnIndexKind = 'hnsw-sq' | 'hnsw-pq' | 'ivf-pq' | 'ivf-flat' | 'ivf-rq';

/** Every {@link AnnIndexKind}, in the order they are documented. */
export const ANN_INDEX_KINDS: readonly AnnIndexKind[] = Object.freeze(['hnsw-sq', 'hnsw-pq', 'ivf-pq', 'ivf-flat', 'ivf-rq'] as const);

/** Parameters used when an ANN index is trained. Fields that do not apply to the kind are ignored. */
export interface AnnBuildParams {
  /**
   * IVF partitions. For HNSW kinds each partition is its own graph.
   * @defaultValue HNSW: one partition per started 1,000,000 rows; IVF: the square root of the row count
   */
  readonly numPartitions?: number;
  /**
   * HNSW: neighbours kept per node.
   * @defaultValue 16
   */
  readonly m?: number;
  /**
   * HNSW: candidates considered while building the graph.
   * @defaultValue 150
   */
  readonly efConstruction?: number;
  /**
   * PQ kinds: sub-vectors per vector.
   * @defaultValue dimensions / 8 when divisible, else LanceDB's own default
   */
  readonly numSubVectors?: number;
  /**
   * PQ: bits per sub-vector code (4 or 8); RQ: bits per dimension.
   * @defaultValue LanceDB's default (8 for PQ, 1 for RQ)
   */
  readonly numBits?: number;
  /**
   * Vectors sampled per partition to train k-means.
   * @defaultValue 256
   */
  readonly sampleRate?: number;
  /**
   * k-means iterations.
   * @defaultValue 50
   */
  readonly maxIterations?: number;
}

/** Query-time parameters of an ANN search; ignored by exact searches. */
export interface AnnSearchParams {
  /**
   * HNSW: candidates kept during the search. Raised to at least `limit x refineFactor` on each query.
   * @defaultValue 120 (measured at 1M clustered vectors: recall@10 1.000, p99 9.2 ms; raise it for harder data, see the README)
   */
  readonly ef?: number;
  /**
   * IVF (and multi-partition HNSW): partitions searched.
   * @defaultValue 32
   */
  readonly nprobes?: number;
  /**
   * Re-ranks `limit x refineFactor` ANN candidates with the full vectors (exact scores). `0` turns
   * refinement off, so scores are the quantised approximations.
   * @defaultValue 2
   */
  readonly refineFactor?: number;
}

/** When and how {@link LanceVectorIndex} builds an ANN index. */
export interface AnnIndexOptions {
  /**
   * Row count from which `add` builds the ANN index automatically (below it, every search is an
   * exact flat scan). `Infinity` never builds one automatically.
   * @defaultValue 100_000
   */
  readonly threshold?: number;
  /**
   * Which index to build.
   * @defaultValue 'hnsw-sq'
   */
  readonly kind?: AnnIndexKind;
  /**
   * Build parameters.
   * @defaultValue see {@link AnnBuildParams}
   */
  readonly params?: AnnBuildParams;
  /**
   * Search parameters.
   * @defaultValue see {@link AnnSearchParams}
   */
  readonly search?: AnnSearchParams;
}

/** {@link AnnIndexOptions} with every default filled in and checked. */
export interface ResolvedAnnIndexOptions {
  readonly threshold: number;
  readonly kind: AnnIndexKind;
  readonly params: AnnBuildParams;
  readonly search: Required<AnnSearchParams>;
}

/** Default ANN settings (tuned in `bench/index-bench.ts`). */
export const DEFAULT_ANN_INDEX_OPTIONS: ResolvedAnnIndexOptions = Object.freeze({
  threshold: 100_000,
  kind: 'hnsw-sq',
  params: Object.freeze({}),
  search: Object.freeze({ ef: 120, nprobes: 32, refineFactor: 2 }),
});

/** `options` without its `undefined` fields, so they do not hide defaults when spread. */
function definedFields<T extends object>(options: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Fills defaults into ANN options and validates them; `prefix` names the fields in errors. */
export function resolveAnnIndexOptions(
  options: AnnIndexOptions | undefined,
  base: ResolvedAnnIndexOptions = DEFAULT_ANN_INDEX_OPTIONS,
  prefix = 'ann',
): ResolvedAnnIndexOptions {
  const threshold = options?.threshold ?? base.threshold;
  checkIntegerOrInfinity(`${prefix}.threshold`, threshold);
  const kind = options?.kind ?? base.kind;
  if (!ANN_INDEX_KINDS.includes(kind)) {
    throw new InvalidOptionError(`${prefix}.kind`, `must be one of ${ANN_INDEX_KINDS.map((k) => `"${k}"`).join(', ')}, got ${JSON.stringify(kind)}.`, kind);
  }
  const params: AnnBuildParams = { ...base.params, ...definedFields(options?.params) };
  if (params.numPartitions !== undefined) checkInteger(`${prefix}.params.numPartitions`, params.numPartitions, 1);
  if (params.m !== undefined) checkInteger(`${prefix}.params.m`, params.m, 2);
  if (params.efConstruction !== undefined) checkInteger(`${prefix}.params.efConstruction`, params.efConstruction, 1);
  if (params.numSubVectors !== undefined) checkInteger(`${prefix}.params.numSubVectors`, params.numSubVectors, 1);
  if (params.numBits !== undefined) checkInteger(`${prefix}.params.numBits`, params.numBits, 1);
  if (params.sampleRate !== undefined) checkInteger(`${prefix}.params.sampleRate`, params.sampleRate, 1);
  if (params.maxIterations !== undefined) checkInteger(`${prefix}.params.maxIterations`, params.maxIterations, 1);
  const search: Required<AnnSearchParams> = { ...base.search, ...definedFields(options?.search) };
  if (search.ef !== undefined) checkInteger(`${prefix}.search.ef`, search.ef, 1);
  if (search.nprobes !== undefined) checkInteger(`${prefix}.search.nprobes`, search.nprobes, 1);
  if (search.refineFactor !== undefined) checkInteger(`${prefix}.search.refineFactor`, search.refineFactor, 0);
  return Object.freeze({ threshold, kind, params: Object.freeze(params), search: Object.freeze(search) });
}
