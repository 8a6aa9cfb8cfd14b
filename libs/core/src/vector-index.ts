/** One entry of a vector index. */
export interface VectorRecord {
  readonly id: string;
  readonly vector: Float32Array;
  /** Free-form text stored next to the vector (e.g. a behaviour description). */
  readonly text?: string;
  /** Time (seconds) the entry describes; lets searches exclude later entries. */
  readonly asOf?: number;
}

/** Options of {@link VectorIndex.search}. */
export interface VectorSearchOptions {
  /** How many hits. */
  readonly limit: number;
  /** Ids never returned (e.g. the querying user). */
  readonly excludeIds?: readonly string[];
  /** Only entries with `asOf` strictly before this time. */
  readonly before?: number;
}

/** A search hit; `score` is larger for closer vectors (cosine or inner product). */
export interface VectorHit {
  readonly id: string;
  readonly score: number;
  readonly text?: string;
  readonly asOf?: number;
}

/** A vector index (exact or approximate), e.g. a LanceDB table. */
export interface VectorIndex {
  readonly dimensions: number;
  add(records: readonly VectorRecord[]): Promise<void>;
  search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorHit[]>;
  count(): Promise<number>;
  close(): Promise<void>;
}
