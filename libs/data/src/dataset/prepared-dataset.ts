import {
  checkInteger,
  InvalidOptionError,
  SPLIT_NAMES,
  UnknownIdError,
  type Dataset,
  type DatasetStatistics,
  type Domain,
  type Item,
  type ItemId,
  type Row,
  type SplitName,
  type UserId,
} from '@score/core';
import type { DatasetProtocol } from '../protocol/protocol';
import { computeStatistics } from './statistics';

/**
 * The compact columns a {@link PreparedDataset} is built from: one entry per row, rows in
 * (timestamp, file order), users and items referred to by index.
 */
export interface PreparedDatasetColumns {
  /** Dataset name. */
  readonly name: string;
  /** Dataset domain (prompt nouns). */
  readonly domain: Domain;
  /** User id of each user index, in first-seen order over the rows. */
  readonly userIds: readonly UserId[];
  /** Item of each item index. */
  readonly items: readonly Item[];
  /** User index of each row. */
  readonly rowUser: Int32Array;
  /** Item index of each row. */
  readonly rowItem: Int32Array;
  /** Label (0/1) of each row. */
  readonly rowLabel: Uint8Array;
  /** Unix time (seconds) of each row. */
  readonly rowTimestamp: Float64Array;
  /** Split of each row: 0 train, 1 valid, 2 test (the order of `SPLIT_NAMES`). */
  readonly rowSplit: Uint8Array;
  /** Duplicate (user, item, timestamp) rows the protocol removed. */
  readonly duplicatesRemoved: number;
  /** The protocol that produced the rows, kept for provenance. */
  readonly protocol?: DatasetProtocol;
}

/**
 * A prepared dataset (core's {@link Dataset}): labelled rows stored as typed columns, the
 * positive sequence of every user, and the histories of rows cut from it.
 *
 * History rule: a row's history is every earlier positive item of the same user, ordering that
 * user's rows by timestamp and then by file order, across all splits; never the row itself or a
 * later one. `Row.historyLength` counts those items, so `history(row)` is
 * `positives(row.userId).slice(0, row.historyLength)`.
 *
 * `rows` are in (timestamp, file order) overall; `split(name)` keeps that order.
 */
export class PreparedDataset implements Dataset {
  readonly name: string;
  readonly domain: Domain;
  readonly items: ReadonlyMap<ItemId, Item>;
  readonly users: readonly UserId[];
  /** Duplicate (user, item, timestamp) rows removed while preparing. */
  readonly duplicatesRemoved: number;
  /** The protocol that produced the rows, when known. */
  readonly protocol: DatasetProtocol | undefined;
  /** The typed columns the dataset is made of (read-only views; do not modify). */
  readonly columns: PreparedDatasetColumns;
  /** How many of its user's positives precede each row. */
  readonly rowHistoryLength: Int32Array;

  readonly #userIndex = new Map<UserId, number>();
  readonly #itemIndex = new Map<ItemId, number>();
  readonly #itemIds: ItemId[];
  /** CSR layout of each user's positives: entries `offsets[u] .. offsets[u + 1]`. */
  readonly #positiveOffsets: Int32Array;
  readonly #positiveItems: Int32Array;
  readonly #positiveTimes: Float64Array;
  readonly #positivesCache = new Map<number, { items: readonly ItemId[]; times: readonly number[] }>();
  #rows: Row[] | undefined;
  readonly #splits = new Map<SplitName, readonly Row[]>();
  #statistics: DatasetStatistics | undefined;

  /**
   * Builds a dataset from its columns and checks them: every index in range, labels 0/1,
   * splits 0-2, and each user's rows in non-decreasing time. Most callers use
   * {@link prepareDataset} or {@link loadDataset} instead.
   */
  constructor(columns: PreparedDatasetColumns) {
    const { rowUser, rowItem, rowLabel, rowTimestamp, rowSplit, userIds, items } = columns;
    const rowCount = rowUser.length;
    if ([rowItem, rowLabel, rowTimestamp, rowSplit].some((column) => column.length !== rowCount)) {
      throw new InvalidOptionError('columns', 'every row column must have the same length.');
    }
    this.name = columns.name;
    this.domain = columns.domain;
    this.duplicatesRemoved = columns.duplicatesRemoved;
    this.protocol = columns.protocol;
    this.columns = columns;
    this.users = Object.freeze([...userIds]);
    userIds.forEach((id, index) => this.#userIndex.set(id, index));
    const itemMap = new Map<ItemId, Item>();
    for (const item of items) {
      this.#itemIndex.set(item.id, itemMap.size);
      itemMap.set(item.id, item);
    }
    this.items = itemMap;
    this.#itemIds = items.map((item) => item.id);

    const userCount = userIds.length;
    const counts = new Int32Array(userCount + 1);
    const lastTime = new Float64Array(userCount).fill(-Infinity);
    for (let r = 0; r < rowCount; r++) {
      const u = rowUser[r];
      if (u < 0 || u >= userCount) throw new InvalidOptionError('columns.rowUser', `row ${r} refers to user index ${u}, outside 0..${userCount - 1}.`);
      const i = rowItem[r];
      if (i < 0 || i >= items.length) throw new InvalidOptionError('columns.rowItem', `row ${r} refers to item index ${i}, outside 0..${items.length - 1}.`);
      if (rowLabel[r] > 1) throw new InvalidOptionError('columns.rowLabel', `row ${r} has label ${rowLabel[r]}; labels are 0 or 1.`);
      if (rowSplit[r] > 2) throw new InvalidOptionError('columns.rowSplit', `row ${r} has split ${rowSplit[r]}; splits are 0 (train), 1 (valid), 2 (test).`);
      if (rowTimestamp[r] < lastTime[u]) {
        throw new InvalidOptionError('columns.rowTimestamp', `row ${r} of user ${JSON.stringify(userIds[u])} is earlier than the user's previous row; rows must be in time order.`);
      }
      lastTime[u] = rowTimestamp[r];
      if (rowLabel[r] === 1) counts[u + 1]++;
    }
    for (let u = 0; u < userCount; u++) counts[u + 1] += counts[u];
    this.#positiveOffsets = counts;
    this.#positiveItems = new Int32Array(counts[userCount]);
    this.#positiveTimes = new Float64Array(counts[userCount]);
    this.rowHistoryLength = new Int32Array(rowCount);
    const seen = new Int32Array(userCount);
    for (let r = 0; r < rowCount; r++) {
      const u = rowUser[r];
      // History rule (method.md, "Data and evaluation protocol"): positives strictly before the row.
      this.rowHistoryLength[r] = seen[u];
      if (rowLabel[r] === 1) {
        const at = counts[u] + seen[u];
        this.#positiveItems[at] = rowItem[r];
        this.#positiveTimes[at] = rowTimestamp[r];
        seen[u]++;
      }
    }
  }

  /** Number of rows. */
  get size(): number {
    return this.columns.rowUser.length;
  }

  /** All rows, in (timestamp, file order); built on first use. */
  get rows(): readonly Row[] {
    if (this.#rows === undefined) {
      const rows: Row[] = new Array(this.size);
      for (let r = 0; r < rows.length; r++) rows[r] = this.row(r);
      this.#rows = rows;
    }
    return this.#rows;
  }

  /** The row at `index` of `rows`. */
  row(index: number): Row {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new InvalidOptionError('index', `expected a row index from 0 to ${this.size - 1}, got ${index}.`, index);
    }
    if (this.#rows !== undefined) return this.#rows[index];
    const { rowUser, rowItem, rowLabel, rowTimestamp, rowSplit } = this.columns;
    return {
      index,
      userId: this.users[rowUser[index]],
      itemId: this.#itemIds[rowItem[index]],
      label: rowLabel[index] as 0 | 1,
      timestamp: rowTimestamp[index],
      split: SPLIT_NAMES[rowSplit[index]],
      historyLength: this.rowHistoryLength[index],
    };
  }

  /** Rows of one split, in (timestamp, file order). */
  split(name: SplitName): readonly Row[] {
    const code = SPLIT_NAMES.indexOf(name);
    if (code < 0) throw new InvalidOptionError('split', `expected "train", "valid" or "test", got ${JSON.stringify(name)}.`, name);
    let rows = this.#splits.get(name);
    if (rows === undefined) {
      const all = this.rows;
      const out: Row[] = [];
      const splits = this.columns.rowSplit;
      for (let r = 0; r < all.length; r++) if (splits[r] === code) out.push(all[r]);
      rows = Object.freeze(out);
      this.#splits.set(name, rows);
    }
    return rows;
  }

  /** Index of a user in `users`; throws {@link UnknownIdError} for an unknown user. */
  userIndex(userId: UserId): number {
    const index = this.#userIndex.get(userId);
    if (index === undefined) throw new UnknownIdError('user', [userId], 1, `in dataset "${this.name}"`);
    return index;
  }

  /** Index of an item in `items` (map order); throws {@link UnknownIdError} for an unknown item. */
  itemIndex(itemId: ItemId): number {
    const index = this.#itemIndex.get(itemId);
    if (index === undefined) throw new UnknownIdError('item', [itemId], 1, `in dataset "${this.name}"`);
    return index;
  }

  /** Item ids in map order (item index to id). */
  get itemIds(): readonly ItemId[] {
    return this.#itemIds;
  }

  /** The user's positive items in (timestamp, file order), across all splits. */
  positives(userId: UserId): readonly ItemId[] {
    return this.#positivesOf(this.userIndex(userId)).items;
  }

  /** Timestamps matching `positives(userId)`, entry for entry. */
  positiveTimes(userId: UserId): readonly number[] {
    return this.#positivesOf(this.userIndex(userId)).times;
  }

  /** The user's positive item indexes (into `itemIds`) as a view; do not modify. */
  positiveItemIndexes(userIndex: number): Int32Array {
    return this.#positiveItems.subarray(this.#positiveOffsets[userIndex], this.#positiveOffsets[userIndex + 1]);
  }

  /**
   * A row's history: the user's positives before the row, oldest first; with `maxItems`, only the
   * most recent `maxItems` of them (still oldest first).
   */
  history(row: Row, maxItems?: number): readonly ItemId[] {
    if (maxItems !== undefined) checkInteger('maxItems', maxItems, 0);
    const positives = this.positives(row.userId);
    if (row.historyLength < 0 || row.historyLength > positives.length) {
      throw new InvalidOptionError('row.historyLength', `expected 0 to ${positives.length} for user ${JSON.stringify(row.userId)}, got ${row.historyLength}.`, row.historyLength);
    }
    const end = row.historyLength;
    const start = maxItems === undefined ? 0 : Math.max(0, end - maxItems);
    return positives.slice(start, end);
  }

  /**
   * A row's history as {@link Item}s, ready for prompt-kit's `describeHistory` (d(H(u))): the
   * user's positives before the row, oldest first (the most recent last), and with `maxItems`
   * only the most recent `maxItems` of them. The same items as {@link PreparedDataset.history},
   * looked up in `items`.
   *
   * @param row - A row of this dataset (from `rows`, `split(...)` or `row(index)`).
   * @param maxItems - Keep at most this many, the most recent (an integer >= 0).
   * @defaultValue maxItems: the whole history
   * @throws InvalidOptionError when `maxItems` is not an integer >= 0 or the row's
   *   `historyLength` does not fit its user; UnknownIdError for a user not in the dataset.
   */
  historyItems(row: Row, maxItems?: number): readonly Item[] {
    return this.history(row, maxItems).map((id) => this.items.get(id)!);
  }

  /** Counts in the form of the paper's Table 1 (computed once). */
  statistics(): DatasetStatistics {
    this.#statistics ??= computeStatistics(this);
    return this.#statistics;
  }

  #positivesOf(userIndex: number): { items: readonly ItemId[]; times: readonly number[] } {
    let entry = this.#positivesCache.get(userIndex);
    if (entry === undefined) {
      const start = this.#positiveOffsets[userIndex];
      const end = this.#positiveOffsets[userIndex + 1];
      const items: ItemId[] = [];
      const times: number[] = [];
      for (let p = start; p < end; p++) {
        items.push(this.#itemIds[this.#positiveItems[p]]);
        times.push(this.#positiveTimes[p]);
      }
      entry = { items: Object.freeze(items), times: Object.freeze(times) };
      this.#positivesCache.set(userIndex, entry);
    }
    return entry;
  }
}
