import { DimensionMismatchError, InvalidOptionError, matrixRow, type ProgressCallback, checkInteger } from '@score/core';
import type { AnnIndexOptions } from './ann-index-options';
import type { BehaviourCorpus } from './behaviour-corpus';
import type { EmbedTexts } from './index-behaviour-corpus';
import { LanceVectorIndex, type LanceVectorHit } from './lance-vector-index';

/** The LanceDB table name of snapshot `snapshot` (an index into the corpus boundaries): `snapshot-0000`, ... */
export function snapshotTableName(snapshot: number): string {
  return `snapshot-${String(snapshot).padStart(4, '0')}`;
}

/** Options of {@link writeSnapshotIndexes}. */
export interface WriteSnapshotIndexesOptions {
  /** LanceDB folder; one table per snapshot is (over)written in it. */
  readonly dir: string;
  /** The corpus whose snapshots are indexed. */
  readonly corpus: BehaviourCorpus;
  /** The text encoder (CAR, or the untuned base encoder). */
  readonly embed: EmbedTexts;
  /** Width of `embed`'s vectors. */
  readonly dimensions: number;
  /**
   * ANN settings of every table (a table below `ann.threshold` rows is searched exactly).
   * @defaultValue `DEFAULT_ANN_INDEX_OPTIONS`
   */
  readonly ann?: AnnIndexOptions;
  /**
   * Texts embedded per encoder call.
   * @defaultValue 256
   */
  readonly batchSize?: number;
  /**
   * Receives progress (entries embedded) under this task name.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
  /**
   * Stops between batches when aborted.
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
}

/**
 * Indexes a behaviour corpus as one LanceDB table per snapshot (see {@link snapshotTableName}):
 * table j holds, for every user with a positive before boundary j, the entry
 * `corpus.snapshotEntry(user, j)` (id = user id, text = d(H(u)), `asOf`). Each distinct entry is
 * embedded once and shared by the tables it belongs to. Returns the table names, one per
 * boundary (an empty snapshot still gets its table, which returns nothing).
 */
export async function writeSnapshotIndexes(options: WriteSnapshotIndexesOptions): Promise<string[]> {
  const batchSize = options.batchSize ?? 256;
  checkInteger('batchSize', batchSize, 1);
  const { corpus } = options;
  const entries = corpus.entries;
  const vectors = new Map<(typeof entries)[number], Float32Array>();
  for (let start = 0; start < entries.length; start += batchSize) {
    options.signal?.throwIfAborted();
    const batch = entries.slice(start, start + batchSize);
    const embedded = await options.embed(batch.map((entry) => entry.text));
    if (embedded.rows !== batch.length) throw new DimensionMismatchError(`The embedding of ${batch.length} behaviour texts (its row count)`, batch.length, embedded.rows);
    batch.forEach((entry, i) => vectors.set(entry, matrixRow(embedded, i).slice()));
    const done = start + batch.length;
    options.onProgress?.({ task: 'car.index', done, total: entries.length, unit: 'entries', finished: done === entries.length });
  }
  const names: string[] = [];
  for (let snapshot = 0; snapshot < corpus.boundaries.length; snapshot++) {
    options.signal?.throwIfAborted();
    const table = snapshotTableName(snapshot);
    const index = await LanceVectorIndex.create({ dir: options.dir, table, dimensions: options.dimensions, metric: 'cosine', mode: 'overwrite', ...(options.ann ? { ann: options.ann } : {}) });
    try {
      await index.add(corpus.snapshotEntries(snapshot).map((entry) => ({ id: entry.userId, vector: vectors.get(entry) as Float32Array, text: entry.text, asOf: entry.asOf })));
    } finally {
      await index.close();
    }
    names.push(table);
  }
  return names;
}

/**
 * The per-snapshot tables of one LanceDB folder, opened on first use: `search(snapshot, ...)`
 * searches the table of that snapshot only (an exact match on the snapshot, no time-range filter).
 */
export class SnapshotIndexes {
  readonly #dir: string;
  readonly #tables: readonly string[];
  readonly #dimensions: number | undefined;
  readonly #storageOptions: Readonly<Record<string, string>> | undefined;
  readonly #open = new Map<number, Promise<LanceVectorIndex>>();

  /**
   * @param dir - the LanceDB folder {@link writeSnapshotIndexes} wrote, or a copy of it on object storage (`s3://...`).
   * @param tables - its table names, one per snapshot (index j = boundary j).
   * @param dimensions - expected vector width, checked on opening; default: the table's.
   * @param storageOptions - LanceDB storage options for an object-storage `dir`; default: none (the environment).
   */
  constructor(dir: string, tables: readonly string[], dimensions?: number, storageOptions?: Readonly<Record<string, string>>) {
    this.#dir = dir;
    this.#tables = tables;
    this.#dimensions = dimensions;
    this.#storageOptions = storageOptions;
  }

  /** Number of snapshots. */
  get count(): number {
    return this.#tables.length;
  }

  /** The table of one snapshot (opened once). */
  table(snapshot: number): Promise<LanceVectorIndex> {
    const name = this.#tables[snapshot];
    if (name === undefined) throw new InvalidOptionError('snapshot', `must be an index below ${this.#tables.length}, got ${String(snapshot)}.`, snapshot);
    let opened = this.#open.get(snapshot);
    if (!opened) {
      opened = LanceVectorIndex.create({
        dir: this.#dir,
        table: name,
        mode: 'open',
        ...(this.#dimensions === undefined ? {} : { dimensions: this.#dimensions }),
        ...(this.#storageOptions === undefined ? {} : { storageOptions: this.#storageOptions }),
      });
      this.#open.set(snapshot, opened);
    }
    return opened;
  }

  /** The `limit` entries of snapshot `snapshot` closest to `vector`, never the `excludeIds`. */
  async search(snapshot: number, vector: Float32Array, options: { readonly limit: number; readonly excludeIds?: readonly string[] }): Promise<LanceVectorHit[]> {
    return (await this.table(snapshot)).search(vector, options);
  }

  /** Closes every opened table (tables that failed to open are skipped). */
  async close(): Promise<void> {
    const opened = [...this.#open.values()];
    this.#open.clear();
    for (const table of opened) {
      const index = await table.catch(() => undefined);
      await index?.close();
    }
  }
}
