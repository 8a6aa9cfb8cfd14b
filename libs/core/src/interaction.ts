import type { ItemId, SplitName, UserId } from './ids';

/**
 * One raw interaction as read from a source file, before any protocol is applied.
 * `timestamp` is in seconds since the Unix epoch. Either `rating` or `label` is present.
 */
export interface Interaction {
  readonly userId: UserId;
  readonly itemId: ItemId;
  readonly timestamp: number;
  readonly rating?: number;
  readonly label?: 0 | 1;
  /** A split given by the source file (generic format's `split` column), kept as given. */
  readonly split?: SplitName;
}

/**
 * A labelled row of a prepared dataset: (user, item, label, timestamp) in one split.
 *
 * History rule: a row's history is every earlier *positive* item of the same user, ordering that
 * user's rows by timestamp and then by file order, across all splits; never the row itself or a
 * later one. It is stored as `historyLength`, the number of leading entries of
 * `Dataset.positives(userId)` that precede the row.
 */
export interface Row {
  /** Position of the row in `Dataset.rows` (0-based). */
  readonly index: number;
  readonly userId: UserId;
  readonly itemId: ItemId;
  readonly label: 0 | 1;
  readonly timestamp: number;
  readonly split: SplitName;
  /** How many of the user's positives (in order) come before this row. */
  readonly historyLength: number;
}
