import fs from 'node:fs';
import path from 'node:path';
import { connect, type Connection, type Table, type VectorQuery } from '@lancedb/lancedb';
import {
  ArtifactNotFoundError,
  DimensionMismatchError,
  InvalidOptionError,
  ScoreError,
  silentLogger,
  type Float32Matrix,
  type Logger,
  type ProgressCallback,
  type VectorHit,
  type VectorIndex,
  type VectorRecord,
  type VectorSearchOptions,
  checkInteger,
} from '@score/core';
import { annIndexConfig, type VectorMetric } from './ann-index-config';
import { ANN_INDEX_KINDS, resolveAnnIndexOptions, type AnnIndexKind, type AnnIndexOptions, type AnnSearchParams, type ResolvedAnnIndexOptions } from './ann-index-options';
import { arrow } from './arrow';
import { annRecallAtK } from './ann-recall-at-k';
import { sqlNumber, sqlString } from './sql';

/**
 * An entry of a {@link LanceVectorIndex}. Several entries may share an `id` (snapshots of one
 * user's behaviour at different times); `supersededAt` chains them (see
 * {@link LanceSearchOptions.before}).
 */
export interface LanceVectorRecord extends VectorRecord {
  /**
   * Time (seconds) from which a newer entry with the same id replaces this one: the newer entry's
   * `asOf`. Unset on the newest entry of an id.
   */
  readonly supersededAt?: number;
}

/** Options of {@link LanceVectorIndex.search}. */
export interface LanceSearchOptions extends VectorSearchOptions {
  /**
   * Only entries visible at this time (seconds): `asOf < before` and not superseded by then
   * (`supersededAt` unset or `>= before`), so at most one entry per snapshot chain. Entries
   * without `asOf` never match. Without `before`, only entries that are not superseded match.
   * Applied as a LanceDB `where` prefilter, before the nearest-neighbour search, except when it
   * is after every entry's `asOf` ({@link LanceVectorIndex.latestAsOf}): then it would keep every
   * chain's newest entry anyway, and the search runs without the time filter (same result).
   * @defaultValue no time limit
   */
  readonly before?: number;
  /**
   * Ids never returned (all entries of those ids): a prefilter when another filter applies;
   * otherwise the search runs unfiltered for a few more hits and drops these ids (same result,
   * without a prefilter's scan of every row).
   * @defaultValue none
   */
  readonly excludeIds?: readonly string[];
  /**
   * Scan every vector (exact search) even when an ANN index exists.
   * @defaultValue false
   */
  readonly exact?: boolean;
  /**
   * ANN search settings of this query only (`ef`, `nprobes`, `refineFactor`), over the index's
   * `ann.search`: trade recall for latency per call. Checked as `ann.search` is.
   * @defaultValue the index's `ann.search`
   */
  readonly annSearch?: AnnSearchParams;
}

/** A search hit with the entry's row id (stable while the table is not compacted). */
export interface LanceVectorHit extends VectorHit {
  readonly rowId: string;
}

/**
 * Whether `location` is a URI that LanceDB opens itself (`scheme://...`: `s3://bucket/path`,
 * `gs://...`, `az://...`, `memory://`), rather than a local folder path.
 */
export function isStorageUri(location: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location);
}

/** Options of {@link LanceVectorIndex.create}. */
export interface LanceVectorIndexOptions {
  /**
   * Where the LanceDB database lives: a local folder (created if missing), e.g.
   * `<run>/car-index`, or an object-storage URI passed to LanceDB untouched
   * (`s3://bucket/run-1/car-index`, `gs://...`, `az://...`; see {@link isStorageUri}), whose
   * credentials and endpoint come from `storageOptions` or the environment (`AWS_ACCESS_KEY_ID`,
   * `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, ...).
   */
  readonly dir: string;
  /**
   * LanceDB `storageOptions` for an object-storage `dir` (e.g. `{ endpoint, allow_http,
   * aws_access_key_id, aws_secret_access_key, region }`); keys LanceDB does not know fail there.
   * @defaultValue none (LanceDB reads the environment)
   */
  readonly storageOptions?: Readonly<Record<string, string>>;
  /**
   * Table name.
   * @defaultValue 'behaviours'
   */
  readonly table?: string;
  /**
   * Vector width. Required to create a table; checked against the table when opening one.
   * @defaultValue the opened table's width (mode 'open' only)
   */
  readonly dimensions?: number;
  /**
   * Similarity: `cosine`, or `dot` (inner product; equals cosine for L2-normalised vectors).
   * Hit scores are this similarity (larger = closer).
   * @defaultValue 'cosine' (mode 'open': the metric the table was created with)
   */
  readonly metric?: VectorMetric;
  /**
   * `create` fails if the table exists, `overwrite` replaces it, `open` opens an existing one.
   * @defaultValue 'create'
   */
  readonly mode?: 'create' | 'overwrite' | 'open';
  /**
   * When and how the ANN index is built; below `ann.threshold` rows every search is exact.
   * @defaultValue {@link DEFAULT_ANN_INDEX_OPTIONS}
   */
  readonly ann?: AnnIndexOptions;
  /**
   * Rows per Arrow record batch written by `add`.
   * @defaultValue 16384
   */
  readonly batchSize?: number;
  /**
   * Receives `car.index` progress while adding rows.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
  /**
   * Receives a message when an ANN index is built.
   * @defaultValue silentLogger
   */
  readonly logger?: Logger;
}

/** Options of {@link LanceVectorIndex.copyTo}: where the copy goes. */
export interface LanceVectorCopyOptions {
  /** A folder or an object-storage URI, as {@link LanceVectorIndexOptions.dir}. */
  readonly dir: string;
  /** @defaultValue none (LanceDB reads the environment); see {@link LanceVectorIndexOptions.storageOptions} */
  readonly storageOptions?: Readonly<Record<string, string>>;
  /** @defaultValue the source's table name */
  readonly table?: string;
  /**
   * `create` fails if the table exists there, `overwrite` replaces it.
   * @defaultValue 'create'
   */
  readonly mode?: 'create' | 'overwrite';
  /** @defaultValue the source's batch size */
  readonly batchSize?: number;
  /**
   * Receives `car.index.copy` progress.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

/** What {@link LanceVectorIndex.buildAnnIndex} did. */
export interface AnnBuildReport {
  readonly kind: AnnIndexKind;
  readonly rows: number;
  readonly seconds: number;
}

/** Options of {@link LanceVectorIndex.measureRecall}. */
export interface MeasureRecallOptions {
  /** Query vectors, one per row (a matrix) or one array each. */
  readonly queries: Float32Matrix | readonly Float32Array[];
  /**
   * Neighbours compared per query.
   * @defaultValue 10
   */
  readonly k?: number;
  /**
   * Passed to both searches (see {@link LanceSearchOptions.before}).
   * @defaultValue no time limit
   */
  readonly before?: number;
}

/** Recall of the ANN search against exact search. */
export interface RecallReport {
  readonly k: number;
  readonly queries: number;
  /** Mean share of the exact top-k that the ANN search also returned (1 without an ANN index). */
  readonly recall: number;
  /** Whether an ANN index was used; without one, both searches are exact. */
  readonly annIndex: boolean;
  /** Mean wall time of one ANN query (milliseconds). */
  readonly annMilliseconds: number;
  /** Mean wall time of one exact query (milliseconds). */
  readonly exactMilliseconds: number;
}

const COLUMNS = ['id', 'text', 'as_of', '_distance'];
const METADATA_METRIC = 'score.metric';
const METADATA_DIMENSIONS = 'score.dimensions';

function vectorType(dimensions: number) {
  return new arrow.FixedSizeList(dimensions, new arrow.Field('item', new arrow.Float32(), true));
}

function tableSchema(dimensions: number, metric: VectorMetric) {
  return new arrow.Schema(
    [
      new arrow.Field('id', new arrow.Utf8(), false),
      new arrow.Field('text', new arrow.Utf8(), true),
      new arrow.Field('as_of', new arrow.Float64(), true),
      new arrow.Field('superseded_at', new arrow.Float64(), true),
      new arrow.Field('vector', vectorType(dimensions), false),
    ],
    new Map([
      [METADATA_METRIC, metric],
      [METADATA_DIMENSIONS, String(dimensions)],
    ]),
  );
}

function nullableFloats(values: readonly (number | undefined)[]) {
  return arrow.vectorFromArray(
    values.map((value) => value ?? null),
    new arrow.Float64(),
  ).data[0];
}

/** The {@link AnnIndexKind} of a LanceDB index type name ("IvfHnswSq", "IVF_HNSW_SQ", "IvfPq", ...). */
function annKindOf(indexType: string): AnnIndexKind | undefined {
  const words = indexType.includes('_') ? indexType.split('_') : (indexType.match(/[A-Z][a-z]*/g) ?? []);
  const parts = words.map((word) => word.toLowerCase());
  const name = (parts[0] === 'ivf' && parts[1] === 'hnsw' ? parts.slice(1) : parts).join('-');
  return (ANN_INDEX_KINDS as readonly string[]).includes(name) ? (name as AnnIndexKind) : undefined;
}

/** The table `name` if it exists; undefined when LanceDB says it was not found; other errors name `location`. */
async function openExistingTable(connection: Connection, name: string, location: string): Promise<Table | undefined> {
  try {
    return await connection.openTable(name);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/Table '.*' was not found/.test(message)) return undefined;
    throw new ScoreError(`LanceDB could not open the table "${name}" at ${location}: ${message.replace(/\s+/g, ' ')}`, { cause: error });
  }
}

/**
 * A {@link VectorIndex} stored as a LanceDB table (`id`, `text`, `as_of`, `superseded_at`,
 * `vector`) in a folder of the run. Searches are exact flat scans until the table holds
 * `ann.threshold` rows; then `add` builds an ANN index (HNSW-SQ by default) and searches use it,
 * re-ranking candidates with the full vectors. {@link LanceVectorIndex.measureRecall} reports
 * the ANN's recall against exact search.
 */
export class LanceVectorIndex implements VectorIndex {
  /** Vector width. */
  readonly dimensions: number;
  /** Similarity the scores use. */
  readonly metric: VectorMetric;
  /** The table's name. */
  readonly tableName: string;
  readonly #connection: Connection;
  readonly #table: Table;
  readonly #batchSize: number;
  readonly #onProgress?: ProgressCallback;
  readonly #logger: Logger;
  #ann: ResolvedAnnIndexOptions;
  #annKind: AnnIndexKind | undefined;
  /** Whether some entry is superseded (then searches without `before` must filter them out). */
  #hasSuperseded: boolean;
  /** The latest `asOf` of any entry (-Infinity while empty). */
  #latestAsOf: number;
  /** Whether every entry has an `asOf` (then a `before` after {@link #latestAsOf} filters nothing). */
  #allTimed: boolean;
  #closed = false;

  private constructor(
    connection: Connection,
    table: Table,
    settings: {
      dimensions: number;
      metric: VectorMetric;
      tableName: string;
      ann: ResolvedAnnIndexOptions;
      batchSize: number;
      annKind?: AnnIndexKind;
      hasSuperseded?: boolean;
      latestAsOf?: number;
      allTimed?: boolean;
    },
    onProgress: ProgressCallback | undefined,
    logger: Logger,
  ) {
    this.#connection = connection;
    this.#table = table;
    this.dimensions = settings.dimensions;
    this.metric = settings.metric;
    this.tableName = settings.tableName;
    this.#ann = settings.ann;
    this.#batchSize = settings.batchSize;
    this.#annKind = settings.annKind;
    this.#hasSuperseded = settings.hasSuperseded ?? false;
    this.#latestAsOf = settings.latestAsOf ?? -Infinity;
    this.#allTimed = settings.allTimed ?? true;
    this.#onProgress = onProgress;
    this.#logger = logger;
  }

  /** Creates, overwrites or opens the index table in `options.dir`. */
  static async create(options: LanceVectorIndexOptions): Promise<LanceVectorIndex> {
    const { mode, tableName, batchSize, ann, logger, remote } = checkIndexOptions(options);
    const connection = await connect(options.dir, options.storageOptions === undefined ? undefined : { storageOptions: { ...options.storageOptions } });
    try {
      // Opening the table, not listing the database: a listing needs delimiter support that not
      // every S3-compatible store has, and one request is cheaper on object storage.
      const existing = await openExistingTable(connection, tableName, options.dir);
      const exists = existing !== undefined;
      if (mode === 'open') {
        if (!existing) {
          throw new ArtifactNotFoundError(remote ? `${options.dir.replace(/\/+$/, '')}/${tableName}.lance` : path.join(options.dir, `${tableName}.lance`), `The vector index table "${tableName}"`);
        }
        const settings = await openedTableSettings(existing, tableName, options, ann);
        return new LanceVectorIndex(connection, existing, { ...settings, tableName, ann, batchSize }, options.onProgress, logger);
      }
      if (exists && mode === 'create') {
        throw new InvalidOptionError('mode', `is "create", but the table "${tableName}" already exists in ${options.dir}; use "open" or "overwrite".`, mode);
      }
      const dimensions = options.dimensions as number;
      const metric = options.metric ?? 'cosine';
      const table = await connection.createEmptyTable(tableName, tableSchema(dimensions, metric), { mode: exists ? 'overwrite' : 'create' });
      return new LanceVectorIndex(connection, table, { dimensions, metric, tableName, ann, batchSize }, options.onProgress, logger);
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  /** The resolved ANN settings (a build with other settings replaces them). */
  get ann(): ResolvedAnnIndexOptions {
    return this.#ann;
  }

  /** The kind of ANN index in use, or `undefined` while searches are exact scans. */
  get annIndexKind(): AnnIndexKind | undefined {
    return this.#annKind;
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new ScoreError(`The vector index "${this.tableName}" is closed; create or open it again.`, { code: 'CLOSED' });
    }
  }

  #checkVector(vector: Float32Array, what: string): void {
    if (!(vector instanceof Float32Array)) {
      throw new InvalidOptionError(what, 'must be a Float32Array.');
    }
    if (vector.length !== this.dimensions) {
      throw new DimensionMismatchError(what, this.dimensions, vector.length);
    }
  }

  /**
   * Appends entries in Arrow record batches of `batchSize` rows. Builds the ANN index when the
   * table reaches `ann.threshold` rows and has none yet; rows added after that are searched
   * exactly until {@link LanceVectorIndex.buildAnnIndex} runs again.
   */
  async add(records: readonly LanceVectorRecord[]): Promise<void> {
    this.#checkOpen();
    records.forEach((record, i) => {
      if (typeof record.id !== 'string') {
        throw new InvalidOptionError(`records[${i}].id`, `must be a string, got ${typeof record.id}.`, record.id);
      }
      this.#checkVector(record.vector, `The vector of record ${i} (id ${JSON.stringify(record.id)})`);
      for (const key of ['asOf', 'supersededAt'] as const) {
        const value = record[key];
        if (value !== undefined && !Number.isFinite(value)) {
          throw new InvalidOptionError(`records[${i}].${key}`, `must be a finite number of seconds, got ${String(value)}.`, value);
        }
      }
    });
    if (records.some((record) => record.supersededAt !== undefined)) this.#hasSuperseded = true;
    for (const record of records) {
      if (record.asOf === undefined) this.#allTimed = false;
      else if (record.asOf > this.#latestAsOf) this.#latestAsOf = record.asOf;
    }
    const schema = tableSchema(this.dimensions, this.metric);
    for (let start = 0; start < records.length; start += this.#batchSize) {
      const chunk = records.slice(start, start + this.#batchSize);
      const vectors = new Float32Array(chunk.length * this.dimensions);
      chunk.forEach((record, i) => vectors.set(record.vector, i * this.dimensions));
      const children = [
        arrow.vectorFromArray(chunk.map((record) => record.id), new arrow.Utf8()).data[0],
        arrow.vectorFromArray(chunk.map((record) => record.text ?? null), new arrow.Utf8()).data[0],
        nullableFloats(chunk.map((record) => record.asOf)),
        nullableFloats(chunk.map((record) => record.supersededAt)),
        arrow.makeData({
          type: vectorType(this.dimensions),
          length: chunk.length,
          nullCount: 0,
          child: arrow.makeData({ type: new arrow.Float32(), length: vectors.length, data: vectors }),
        }),
      ];
      const batch = new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: chunk.length, nullCount: 0, children }));
      await this.#table.add(new arrow.Table(schema, [batch]));
      this.#onProgress?.({ task: 'car.index', done: start + chunk.length, total: records.length, unit: 'rows', finished: start + chunk.length === records.length });
    }
    if (this.#annKind === undefined && records.length > 0 && (await this.count()) >= this.ann.threshold) {
      await this.buildAnnIndex();
    }
  }

  /**
   * The `where` prefilter of a search. A `before` later than every entry's `asOf` filters nothing
   * beyond the superseded entries (each chain's newest entry is visible, older ones are superseded
   * by an `asOf` < before), so it is dropped: serving after the run's cut searches unfiltered.
   */
  #where(options: { before?: number; excludeIds?: readonly string[] }): string | undefined {
    const clauses: string[] = [];
    if (options.before === undefined || this.#coversAll(options.before)) {
      if (this.#hasSuperseded) clauses.push('superseded_at IS NULL');
    } else {
      const before = sqlNumber(options.before);
      clauses.push(`as_of < ${before}`, `(superseded_at IS NULL OR superseded_at >= ${before})`);
    }
    if (options.excludeIds && options.excludeIds.length > 0) {
      clauses.push(`id NOT IN (${options.excludeIds.map(sqlString).join(', ')})`);
    }
    return clauses.length === 0 ? undefined : clauses.join(' AND ');
  }

  /** Whether every entry has an `asOf` before `before` (then the time prefilter is not needed). */
  #coversAll(before: number): boolean {
    return this.#allTimed && before > this.#latestAsOf;
  }

  /**
   * The latest `asOf` of the entries (`undefined` while empty or when some entry has none). A
   * search with `before` after it needs no time filter, and {@link LanceVectorIndex.search} skips it.
   */
  get latestAsOf(): number | undefined {
    return this.#allTimed && this.#latestAsOf > -Infinity ? this.#latestAsOf : undefined;
  }

  #query(vector: Float32Array, limit: number, where: string | undefined, exact: boolean, override?: AnnSearchParams): VectorQuery {
    let query = this.#table.vectorSearch(vector).distanceType(this.metric).limit(limit).select(COLUMNS);
    if (where !== undefined) query = query.where(where);
    if (exact || this.#annKind === undefined) {
      return query.bypassVectorIndex();
    }
    const { ef, nprobes, refineFactor } = override === undefined ? this.ann.search : resolveAnnIndexOptions({ search: override }, this.ann, 'annSearch').search;
    query = query.nprobes(nprobes).ef(Math.max(ef, limit * Math.max(1, refineFactor)));
    return refineFactor > 0 ? query.refineFactor(refineFactor) : query;
  }

  /**
   * The `limit` entries closest to `vector`, best first; `score` is the cosine similarity or the
   * inner product (`1 - distance` in LanceDB's terms).
   */
  async search(vector: Float32Array, options: LanceSearchOptions): Promise<LanceVectorHit[]> {
    this.#checkOpen();
    this.#checkVector(vector, 'The query vector');
    checkInteger('limit', options.limit, 1);
    if (options.before !== undefined && !Number.isFinite(options.before)) {
      throw new InvalidOptionError('before', `must be a finite number of seconds, got ${String(options.before)}.`, options.before);
    }
    const excluded = options.excludeIds ?? [];
    const toHit = (row: { id: string; text: string | null; as_of: number | null; _distance: number; _rowid: bigint }): LanceVectorHit => ({
      id: row.id,
      score: 1 - row._distance,
      ...(row.text === null ? {} : { text: row.text }),
      ...(row.as_of === null ? {} : { asOf: row.as_of }),
      rowId: String(row._rowid),
    });
    const unfiltered = this.#where({ before: options.before }) === undefined;
    if (excluded.length > 0 && unfiltered) {
      // Nothing else to filter: search without a prefilter (a prefilter evaluates every row) and
      // drop the excluded ids from a few more hits than asked; ask for more while short.
      const skip = new Set(excluded);
      let limit = options.limit + excluded.length;
      for (;;) {
        const rows = await this.#query(vector, limit, undefined, options.exact ?? false, options.annSearch).withRowId().toArray();
        const hits = rows.map(toHit).filter((hit: LanceVectorHit) => !skip.has(hit.id));
        if (hits.length >= options.limit || rows.length < limit) return hits.slice(0, options.limit);
        limit *= 2;
      }
    }
    const where = this.#where(options);
    const rows = await this.#query(vector, options.limit, where, options.exact ?? false, options.annSearch).withRowId().toArray();
    return rows.map(toHit);
  }

  /** Number of entries (every snapshot counts). */
  async count(): Promise<number> {
    this.#checkOpen();
    return this.#table.countRows();
  }

  /**
   * Builds (or rebuilds, over every row) the ANN index on the vector column. `options` override
   * the index's ANN settings for this build and for later searches.
   */
  async buildAnnIndex(options: Omit<AnnIndexOptions, 'threshold'> = {}): Promise<AnnBuildReport> {
    this.#checkOpen();
    const settings = resolveAnnIndexOptions(options, this.ann, 'options');
    const rows = await this.count();
    const started = performance.now();
    const config = annIndexConfig(settings.kind, settings.params, this.metric, rows, this.dimensions);
    try {
      await this.#table.createIndex('vector', { config, replace: true, waitTimeoutSeconds: 24 * 3600 });
    } catch (error) {
      throw new ScoreError(
        `Building a ${settings.kind} index over ${rows} vectors of table "${this.tableName}" failed: ${error instanceof Error ? error.message : String(error)}`,
        { code: 'INDEX_BUILD', cause: error },
      );
    }
    this.#ann = Object.freeze({ ...settings, threshold: this.#ann.threshold });
    this.#annKind = settings.kind;
    const seconds = (performance.now() - started) / 1000;
    this.#logger.info('Built the ANN index of the vector index.', { table: this.tableName, kind: settings.kind, rows, seconds });
    return { kind: settings.kind, rows, seconds };
  }

  /**
   * Recall@k of the searches as configured (ANN when an index exists) against exact searches
   * (`bypassVectorIndex`), over the given query vectors. Entries are compared by row id.
   */
  async measureRecall(options: MeasureRecallOptions): Promise<RecallReport> {
    this.#checkOpen();
    const k = options.k ?? 10;
    checkInteger('k', k, 1);
    const queries = Array.isArray(options.queries)
      ? (options.queries as readonly Float32Array[])
      : Array.from({ length: (options.queries as Float32Matrix).rows }, (_, r) => {
          const matrix = options.queries as Float32Matrix;
          return matrix.data.subarray(r * matrix.cols, (r + 1) * matrix.cols);
        });
    const approximate: string[][] = [];
    const exact: string[][] = [];
    let annTime = 0;
    let exactTime = 0;
    for (const [i, query] of queries.entries()) {
      this.#checkVector(query, `Query vector ${i}`);
      let started = performance.now();
      approximate.push((await this.search(query, { limit: k, before: options.before })).map((hit) => hit.rowId));
      annTime += performance.now() - started;
      started = performance.now();
      exact.push((await this.search(query, { limit: k, before: options.before, exact: true })).map((hit) => hit.rowId));
      exactTime += performance.now() - started;
    }
    const count = Math.max(1, queries.length);
    return {
      k,
      queries: queries.length,
      recall: annRecallAtK(approximate, exact, k),
      annIndex: this.#annKind !== undefined,
      annMilliseconds: annTime / count,
      exactMilliseconds: exactTime / count,
    };
  }

  /**
   * Copies every entry (all snapshots) into a new table at `target.dir` (a folder or an
   * object-storage URI, e.g. to publish a run's index to `s3://...` for the service replicas),
   * in record batches of `batchSize` rows, then builds the same kind of ANN index there when this
   * one has one. Returns the copy, open; the caller closes it.
   */
  async copyTo(target: LanceVectorCopyOptions): Promise<LanceVectorIndex> {
    this.#checkOpen();
    const mode = target.mode ?? 'create';
    if (mode !== 'create' && mode !== 'overwrite') {
      throw new InvalidOptionError('mode', `must be "create" or "overwrite", got ${JSON.stringify(mode)}.`, mode);
    }
    // No ANN build while copying (the threshold would fire mid-copy); one build at the end.
    const copy = await LanceVectorIndex.create({
      ...target,
      mode,
      table: target.table ?? this.tableName,
      dimensions: this.dimensions,
      metric: this.metric,
      ann: { ...this.ann, threshold: Infinity },
      batchSize: target.batchSize ?? this.#batchSize,
    });
    try {
      const total = await this.count();
      let done = 0;
      for await (const batch of this.#table.query().select(['id', 'text', 'as_of', 'superseded_at', 'vector'])) {
        const rows = batch.toArray() as unknown as { id: string; text: string | null; as_of: number | null; superseded_at: number | null; vector: { toArray(): ArrayLike<number> } }[];
        await copy.add(
          rows.map((row) => ({
            id: row.id,
            vector: Float32Array.from(row.vector.toArray()),
            ...(row.text === null ? {} : { text: row.text }),
            ...(row.as_of === null ? {} : { asOf: row.as_of }),
            ...(row.superseded_at === null ? {} : { supersededAt: row.superseded_at }),
          })),
        );
        done += rows.length;
        target.onProgress?.({ task: 'car.index.copy', done, total, unit: 'rows', finished: done === total });
      }
      if (this.#annKind !== undefined) await copy.buildAnnIndex({ kind: this.#annKind, params: this.ann.params, search: this.ann.search });
      copy.#ann = Object.freeze({ ...copy.#ann, threshold: this.ann.threshold });
      return copy;
    } catch (error) {
      await copy.close();
      throw error;
    }
  }

  /** Releases the table and the connection; later calls fail. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#table.close();
    this.#connection.close();
  }
}

/** Checks the options of {@link LanceVectorIndex.create} and makes a local folder (one to open must exist). */
function checkIndexOptions(options: LanceVectorIndexOptions) {
  const mode = options.mode ?? 'create';
  if (mode !== 'create' && mode !== 'overwrite' && mode !== 'open') {
    throw new InvalidOptionError('mode', `must be "create", "overwrite" or "open", got ${JSON.stringify(mode)}.`, mode);
  }
  if (typeof options.dir !== 'string' || options.dir.length === 0) {
    throw new InvalidOptionError('dir', 'must be a non-empty folder path.', options.dir);
  }
  const tableName = options.table ?? 'behaviours';
  if (!/^[A-Za-z0-9_.-]+$/.test(tableName)) {
    throw new InvalidOptionError('table', `must use only letters, digits, "_", "-" and ".", got ${JSON.stringify(tableName)}.`, tableName);
  }
  if (options.metric !== undefined && options.metric !== 'cosine' && options.metric !== 'dot') {
    throw new InvalidOptionError('metric', `must be "cosine" or "dot", got ${JSON.stringify(options.metric)}.`, options.metric);
  }
  if (options.dimensions !== undefined) checkInteger('dimensions', options.dimensions, 1);
  if (mode !== 'open' && options.dimensions === undefined) {
    throw new InvalidOptionError('dimensions', `is required to ${mode} a table.`);
  }
  const batchSize = options.batchSize ?? 16_384;
  checkInteger('batchSize', batchSize, 1);
  const ann = resolveAnnIndexOptions(options.ann);
  const logger = options.logger ?? silentLogger;
  const remote = isStorageUri(options.dir);
  if (options.storageOptions !== undefined) {
    const entries = typeof options.storageOptions === 'object' && options.storageOptions !== null ? Object.entries(options.storageOptions) : undefined;
    if (entries === undefined || entries.some(([, value]) => typeof value !== 'string')) {
      throw new InvalidOptionError('storageOptions', 'must be an object of string values (LanceDB storage options).', options.storageOptions);
    }
  }
  if (!remote) {
    if (mode === 'open' && !fs.existsSync(options.dir)) {
      throw new ArtifactNotFoundError(options.dir, 'The LanceDB folder of the vector index');
    }
    fs.mkdirSync(options.dir, { recursive: true });
  }
  return { mode, tableName, batchSize, ann, logger, remote };
}

/**
 * What an existing table states: its vector width and metric (checked against the options), its
 * ANN index kind, whether it holds superseded rows or rows without `as_of`, and its latest `as_of`.
 */
async function openedTableSettings(table: Table, tableName: string, options: LanceVectorIndexOptions, ann: ResolvedAnnIndexOptions) {
  const schema = await table.schema();
  const field = schema.fields.find((f) => f.name === 'vector');
  const width = field && arrow.DataType.isFixedSizeList(field.type) ? field.type.listSize : undefined;
  if (width === undefined) {
    throw new ScoreError(`The table "${tableName}" in ${options.dir} has no fixed-size "vector" column; it was not written by LanceVectorIndex.`);
  }
  if (options.dimensions !== undefined && options.dimensions !== width) {
    throw new DimensionMismatchError(`The vector column of table "${tableName}" in ${options.dir}`, options.dimensions, width);
  }
  const stored = schema.metadata.get(METADATA_METRIC);
  const metric = (stored === 'dot' || stored === 'cosine' ? stored : undefined) ?? options.metric ?? 'cosine';
  if (options.metric !== undefined && options.metric !== metric) {
    throw new InvalidOptionError('metric', `is "${options.metric}", but the table "${tableName}" was created with "${metric}".`, options.metric);
  }
  const indices = await table.listIndices();
  const vectorIndex = indices.find((index) => index.columns.includes('vector'));
  const annKind = vectorIndex === undefined ? undefined : (annKindOf(vectorIndex.indexType) ?? ann.kind);
  const hasSuperseded = (await table.countRows('superseded_at IS NOT NULL')) > 0;
  const allTimed = (await table.countRows('as_of IS NULL')) === 0;
  // The latest as_of, read once (one float column; about 8 MB at a million rows).
  let latestAsOf = -Infinity;
  for await (const batch of table.query().select(['as_of'])) {
    const column = batch.getChild('as_of');
    for (let i = 0; i < batch.numRows; i++) {
      const value = column?.get(i) as number | null;
      if (value !== null && value > latestAsOf) latestAsOf = value;
    }
  }
  return { dimensions: width, metric, annKind, hasSuperseded, latestAsOf, allTimed };
}
