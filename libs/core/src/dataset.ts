import type { Domain, ItemId, SplitName, UserId } from './ids';
import type { Row } from './interaction';
import type { Item } from './item';

/** Counts in the form of the paper's Table 1, plus what the protocol removed. */
export interface DatasetStatistics {
  readonly users: number;
  readonly items: number;
  readonly rows: Readonly<Record<SplitName, number>>;
  readonly positiveRate: Readonly<Record<SplitName | 'all', number>>;
  readonly duplicatesRemoved: number;
  /** First and last timestamp (seconds) of each split. */
  readonly timeRange: Readonly<Record<SplitName, readonly [number, number] | null>>;
}

/**
 * A prepared dataset: items, labelled rows in temporal order per user, and the ordered positive
 * sequence of every user (from which row histories are cut, see {@link Row}).
 */
export interface Dataset {
  readonly name: string;
  readonly domain: Domain;
  readonly items: ReadonlyMap<ItemId, Item>;
  /** All rows; for each user, in (timestamp, file order). */
  readonly rows: readonly Row[];
  /** Ids of every user with at least one row, in first-seen order. */
  readonly users: readonly UserId[];
  /** Rows of one split. */
  split(name: SplitName): readonly Row[];
  /** The user's positive items in (timestamp, file order), across all splits. */
  positives(userId: UserId): readonly ItemId[];
  /** Timestamps matching `positives(userId)`, entry for entry. */
  positiveTimes(userId: UserId): readonly number[];
  /** A row's history (see {@link Row}); with `maxItems`, only the most recent ones. */
  history(row: Row, maxItems?: number): readonly ItemId[];
  statistics(): DatasetStatistics;
}
