import {
  InvalidOptionError,
  UnknownIdError,
  type Dataset,
  type Item,
  type ItemId,
  type ProgressCallback,
  type UserId,
  checkInteger,
} from '@score/core';
import { describeHistory } from '@score/prompt-kit';

/** d(.) of a history: turns a user's items (oldest first) into the behaviour text. */
export type DescribeItems = (items: readonly Item[]) => string;

/**
 * The default {@link DescribeItems}: `@score/prompt-kit`'s `describeHistory` (quoted titles,
 * oldest first, joined by ", "), the d(H(u)) the prompts use. The corpus applies `maxItems`
 * itself, so every item it is given is described.
 */
export const describeBehaviour: DescribeItems = (items) => describeHistory(items, { maxItems: Number.POSITIVE_INFINITY });

/**
 * One snapshot of a user's behaviour: d(H(u)) over the user's positives strictly before
 * `takenAt`, the most recent `maxItems` of them.
 */
export interface BehaviourEntry {
  readonly userId: UserId;
  /** Time (seconds) of the latest interaction the entry contains; every item is at or before it. */
  readonly asOf: number;
  /** The snapshot boundary the entry was taken at; every item is strictly before it. */
  readonly takenAt: number;
  /** `asOf` of the same user's next snapshot, from which that one replaces this one; unset on the newest. */
  readonly supersededAt?: number;
  /** The items described, oldest first. */
  readonly itemIds: readonly ItemId[];
  /** d(H(u)): the behaviour text shown to the LLM. */
  readonly text: string;
}

/** Snapshot boundaries taken at a fixed interval. */
export interface SnapshotInterval {
  /** Seconds between two boundaries, e.g. `30 * 86_400`. */
  readonly everySeconds: number;
  /**
   * First boundary minus one interval.
   * @defaultValue the earliest positive interaction of the dataset
   */
  readonly from?: number;
  /**
   * Last boundary (always included).
   * @defaultValue the start of the valid split (so only training interactions are used)
   */
  readonly until?: number;
}

/** `count` snapshot boundaries evenly spaced between the first positive interaction and `until`. */
export interface SnapshotCount {
  /** Number of boundaries (the last one is `until`), e.g. 10. */
  readonly count: number;
  /**
   * The time the spacing starts from (not itself a boundary).
   * @defaultValue the earliest positive interaction of the dataset
   */
  readonly from?: number;
  /**
   * Last boundary.
   * @defaultValue the start of the valid split
   */
  readonly until?: number;
}

/** Seconds of one `monthly` snapshot interval: 30 days. */
export const MONTH_SECONDS = 30 * 86_400;

/**
 * Snapshot boundaries as configured by `car.snapshots`: `monthly` (every {@link MONTH_SECONDS}
 * from the first positive interaction, and the start of the valid split), a positive integer N
 * (N evenly spaced boundaries ending at the start of the valid split), explicit times, an
 * interval or a count.
 */
export type SnapshotSpec = 'monthly' | number | readonly number[] | SnapshotInterval | SnapshotCount;

/** Options of {@link buildBehaviourCorpus}. */
export interface BehaviourCorpusOptions {
  /**
   * d(.): the text of a history.
   * @defaultValue {@link describeBehaviour}
   */
  readonly describe?: DescribeItems;
  /**
   * Most recent items described per entry (and per target history in {@link BehaviourCorpus.describe}).
   * @defaultValue 20
   */
  readonly maxItems?: number;
  /**
   * Snapshot boundaries (seconds), see {@link SnapshotSpec}. Each boundary gives every user
   * an entry over their positives before it, unless nothing changed since the previous one.
   * @defaultValue one boundary at the start of the valid split: one entry per user, from training interactions
   */
  readonly snapshots?: SnapshotSpec;
  /**
   * Receives `car.corpus` progress (users done).
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

function firstTime(rows: readonly { readonly timestamp: number }[]): number | undefined {
  let first: number | undefined;
  for (const row of rows) if (first === undefined || row.timestamp < first) first = row.timestamp;
  return first;
}

/** Start of the valid split; else of the test split; else just after the last interaction. */
function trainingEnd(dataset: Dataset): number {
  const start = firstTime(dataset.split('valid')) ?? firstTime(dataset.split('test'));
  if (start !== undefined) return start;
  let last = -Infinity;
  for (const row of dataset.rows) last = Math.max(last, row.timestamp);
  return Number.isFinite(last) ? last + 1 : 0;
}

function firstPositive(dataset: Dataset): number | undefined {
  let from: number | undefined;
  for (const userId of dataset.users) {
    const first = dataset.positiveTimes(userId)[0];
    if (first !== undefined && (from === undefined || first < from)) from = first;
  }
  return from;
}

/**
 * The boundary times of a {@link SnapshotSpec} over `dataset`, ascending and unique (see
 * {@link BehaviourCorpusOptions.snapshots}).
 */
export function snapshotBoundaries(dataset: Dataset, snapshots: SnapshotSpec | undefined): number[] {
  if (snapshots === undefined) return [trainingEnd(dataset)];
  if (snapshots === 'monthly') return snapshotBoundaries(dataset, { everySeconds: MONTH_SECONDS });
  if (typeof snapshots === 'number') {
    if (!Number.isInteger(snapshots) || snapshots < 1) throw new InvalidOptionError('snapshots', `must be "monthly", a positive integer (evenly spaced boundaries), times or an interval, got ${String(snapshots)}.`, snapshots);
    return snapshotBoundaries(dataset, { count: snapshots });
  }
  if (typeof snapshots === 'string') throw new InvalidOptionError('snapshots', `must be "monthly", a positive integer (evenly spaced boundaries), times or an interval, got ${JSON.stringify(snapshots)}.`, snapshots);
  if (!Array.isArray(snapshots) && 'count' in (snapshots as object)) {
    const { count } = snapshots as SnapshotCount;
    checkInteger('snapshots.count', count, 1);
    const until = (snapshots as SnapshotCount).until ?? trainingEnd(dataset);
    const from = (snapshots as SnapshotCount).from ?? firstPositive(dataset) ?? until;
    for (const [field, value] of [['snapshots.from', from], ['snapshots.until', until]] as const) {
      if (!Number.isFinite(value)) throw new InvalidOptionError(field, `must be a finite time in seconds, got ${String(value)}.`, value);
    }
    const times = Array.from({ length: count }, (_, i) => (i + 1 === count ? until : from + ((until - from) * (i + 1)) / count));
    return [...new Set(times)].sort((a, b) => a - b);
  }
  if (Array.isArray(snapshots)) {
    const times = snapshots as readonly number[];
    times.forEach((time, i) => {
      if (!Number.isFinite(time)) throw new InvalidOptionError(`snapshots[${i}]`, `must be a finite time in seconds, got ${String(time)}.`, time);
    });
    if (times.length === 0) throw new InvalidOptionError('snapshots', 'must list at least one boundary time.', times);
    return [...new Set(times)].sort((a, b) => a - b);
  }
  const interval = snapshots as SnapshotInterval;
  if (!(interval.everySeconds > 0) || !Number.isFinite(interval.everySeconds)) {
    throw new InvalidOptionError('snapshots.everySeconds', `must be a positive number of seconds, got ${String(interval.everySeconds)}.`, interval.everySeconds);
  }
  const until = interval.until ?? trainingEnd(dataset);
  const from = interval.from ?? firstPositive(dataset);
  for (const [field, value] of [['snapshots.from', from], ['snapshots.until', until]] as const) {
    if (value !== undefined && !Number.isFinite(value)) throw new InvalidOptionError(field, `must be a finite time in seconds, got ${String(value)}.`, value);
  }
  const boundaries: number[] = [];
  if (from !== undefined) {
    for (let time = from + interval.everySeconds; time < until; time += interval.everySeconds) boundaries.push(time);
  }
  boundaries.push(until);
  return boundaries;
}

/** Builds a BehaviourCorpus (its constructor is private); set by the class's static block. */
let constructBehaviourCorpus: (entries: readonly BehaviourEntry[], boundaries: readonly number[], items: ReadonlyMap<ItemId, Item>, describe: DescribeItems, maxItems: number) => BehaviourCorpus;

/**
 * The leakage-safe behaviour corpus of CAR: per user, snapshots of d(H(u)) taken at fixed
 * boundaries, each knowing the time of its latest interaction (`asOf`).
 *
 * Leakage rule (method.md, "No leakage"): for a target row at time t, a retrieved user's
 * behaviour may only contain interactions strictly before t, and the target user is never
 * retrieved. A search for t sees, per user, the newest snapshot with `asOf < t` (every item of
 * it is at or before `asOf`, so strictly before t), and excludes the target's id.
 */
export class BehaviourCorpus {
  static {
    constructBehaviourCorpus = (entries: readonly BehaviourEntry[], boundaries: readonly number[], items: ReadonlyMap<ItemId, Item>, describe: DescribeItems, maxItems: number) => new BehaviourCorpus(entries, boundaries, items, describe, maxItems);
  }

  /** The corpus of a dataset (the same as `buildBehaviourCorpus`). */
  static build(dataset: Dataset, options: BehaviourCorpusOptions = {}): BehaviourCorpus {
    return buildBehaviourCorpus(dataset, options);
  }

  /** Every entry, grouped by user (in `Dataset.users` order), oldest snapshot first. */
  readonly entries: readonly BehaviourEntry[];
  /** The snapshot boundaries used, ascending. */
  readonly boundaries: readonly number[];
  /** Most recent items per description. */
  readonly maxItems: number;
  readonly #byUser: ReadonlyMap<UserId, readonly BehaviourEntry[]>;
  readonly #items: ReadonlyMap<ItemId, Item>;
  readonly #describe: DescribeItems;

  /** Use {@link buildBehaviourCorpus}. */
  private constructor(entries: readonly BehaviourEntry[], boundaries: readonly number[], items: ReadonlyMap<ItemId, Item>, describe: DescribeItems, maxItems: number) {
    this.entries = entries;
    this.boundaries = boundaries;
    this.maxItems = maxItems;
    this.#items = items;
    this.#describe = describe;
    const byUser = new Map<UserId, BehaviourEntry[]>();
    for (const entry of entries) {
      const list = byUser.get(entry.userId);
      if (list) list.push(entry);
      else byUser.set(entry.userId, [entry]);
    }
    this.#byUser = byUser;
  }

  /** Number of users with at least one entry. */
  get userCount(): number {
    return this.#byUser.size;
  }

  /** d(.) of a history (oldest first): the same description as the entries, over its last `maxItems` items. */
  describe(itemIds: readonly ItemId[]): string {
    const recent = itemIds.slice(Math.max(0, itemIds.length - this.maxItems));
    const missing = recent.filter((id) => !this.#items.has(id));
    if (missing.length > 0) throw new UnknownIdError('item', missing, missing.length, 'in a history to describe');
    return this.#describe(recent.map((id) => this.#items.get(id) as Item));
  }

  /** A user's entries, oldest first (empty for unknown users). */
  entriesOf(userId: UserId): readonly BehaviourEntry[] {
    return this.#byUser.get(userId) ?? [];
  }

  /**
   * The snapshot a target row at time `before` searches: the index of the latest boundary strictly
   * before it, or -1 when no boundary is (then the row sees nobody). Every item of that snapshot
   * is before its boundary, so strictly before `before`.
   */
  snapshotIndex(before: number): number {
    let low = 0;
    let high = this.boundaries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.boundaries[middle] < before) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }

  /**
   * The user's entry in snapshot `snapshot` (an index into `boundaries`): d(H(u)) over the user's
   * positives before that boundary, i.e. the newest entry taken at or before it; `undefined` when
   * the user liked nothing before it.
   */
  snapshotEntry(userId: UserId, snapshot: number): BehaviourEntry | undefined {
    const list = this.#byUser.get(userId);
    const boundary = this.boundaries[snapshot];
    if (!list || boundary === undefined) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i].takenAt <= boundary) return list[i];
    return undefined;
  }

  /** Every user's entry in snapshot `snapshot` (users in `Dataset.users` order; see {@link snapshotEntry}). */
  snapshotEntries(snapshot: number): BehaviourEntry[] {
    const found: BehaviourEntry[] = [];
    for (const userId of this.#byUser.keys()) {
      const entry = this.snapshotEntry(userId, snapshot);
      if (entry) found.push(entry);
    }
    return found;
  }

  /** The user's newest entry with `asOf < before`: what a target row at time `before` may see. */
  visibleEntry(userId: UserId, before: number): BehaviourEntry | undefined {
    const list = this.#byUser.get(userId);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i].asOf < before) return list[i];
    return undefined;
  }
}

/**
 * Builds the behaviour corpus from a dataset: for each user and each snapshot boundary b, the
 * user's positives with timestamp < b (their last `maxItems`), skipped when empty or unchanged
 * since the previous boundary. By default one boundary, the start of the valid split, so each
 * user has one entry from their training interactions, taken at the end of training.
 */
export function buildBehaviourCorpus(dataset: Dataset, options: BehaviourCorpusOptions = {}): BehaviourCorpus {
  const maxItems = options.maxItems ?? 20;
  checkInteger('maxItems', maxItems, 1);
  const describe = options.describe ?? describeBehaviour;
  if (typeof describe !== 'function') {
    throw new InvalidOptionError('describe', 'must be a function from items to text.');
  }
  const boundaries = snapshotBoundaries(dataset, options.snapshots);
  const entries: BehaviourEntry[] = [];
  const missing = new Set<ItemId>();
  dataset.users.forEach((userId, done) => {
    const items = dataset.positives(userId);
    const times = dataset.positiveTimes(userId);
    const userEntries: BehaviourEntry[] = [];
    let taken = 0;
    let previousCount = 0;
    for (const boundary of boundaries) {
      while (taken < times.length && times[taken] < boundary) taken++;
      if (taken === 0 || taken === previousCount) continue;
      previousCount = taken;
      const start = Math.max(0, taken - maxItems);
      const itemIds = items.slice(start, taken);
      const described: Item[] = [];
      for (const id of itemIds) {
        const item = dataset.items.get(id);
        if (item) described.push(item);
        else missing.add(id);
      }
      let asOf = times[start];
      for (let i = start; i < taken; i++) asOf = Math.max(asOf, times[i]);
      userEntries.push({ userId, asOf, takenAt: boundary, itemIds, text: describe(described) });
    }
    for (let i = 0; i + 1 < userEntries.length; i++) userEntries[i] = { ...userEntries[i], supersededAt: userEntries[i + 1].asOf };
    entries.push(...userEntries);
    if (options.onProgress && ((done + 1) % 1000 === 0 || done + 1 === dataset.users.length)) {
      options.onProgress({ task: 'car.corpus', done: done + 1, total: dataset.users.length, unit: 'users', finished: done + 1 === dataset.users.length });
    }
  });
  if (missing.size > 0) throw new UnknownIdError('item', [...missing], missing.size, `in the positives of dataset "${dataset.name}"`);
  return constructBehaviourCorpus(entries, boundaries, dataset.items, describe, maxItems);
}
