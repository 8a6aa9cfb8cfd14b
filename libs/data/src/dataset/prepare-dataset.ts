import {
  EmptySplitError,
  InvalidOptionError,
  SPLIT_NAMES,
  UnknownIdError,
  silentLogger,
  type Domain,
  type Interaction,
  type Item,
  type ItemId,
  type Logger,
  type ProgressCallback,
  type UserId,
  checkInteger,
  checkNumber,
  checkObject,
  checkOneOf,
  stringOption,
} from '@score/core';
import { GrowableColumn } from '../io/growable';
import { timestampProblem } from '../io/timestamp';
import { formatMonth, monthOf, parseMonth } from '../protocol/months';
import type { Binarization, DatasetProtocol, MonthSplitProtocol } from '../protocol/protocol';
import { PreparedDataset } from './prepared-dataset';

/** Options of {@link prepareDataset}. */
export interface PrepareDatasetOptions {
  /** Raw interactions in file order (a reader's output or an array). */
  readonly interactions: AsyncIterable<Interaction> | Iterable<Interaction>;
  /** Items by id (a reader's output); the dataset keeps those that hold rows, in this map's order. */
  readonly items: ReadonlyMap<ItemId, Item>;
  /** Labelling and split protocol, e.g. {@link ML1M_PROTOCOL}. */
  readonly protocol: DatasetProtocol;
  /** Dataset name ("ml-1m", "synthetic"). */
  readonly name: string;
  /** Domain; selects the nouns of the prompts. */
  readonly domain: Domain;
  /**
   * What to do with interactions whose item is not in `items`: `"error"` throws
   * {@link UnknownIdError} listing a few ids and the count, `"drop"` drops them (and logs a warning).
   * @defaultValue "error"
   */
  readonly missingItems?: 'error' | 'drop';
  /** Receives `data.prepare` events counting interactions read. @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** @defaultValue silentLogger */
  readonly logger?: Logger;
}

const NO_SPLIT = -1;
const PROGRESS_EVERY = 100_000;

/**
 * Applies a protocol to raw interactions and returns a {@link PreparedDataset}:
 * 1. reads every interaction into compact columns;
 * 2. checks that every item is in `items` (see `missingItems`);
 * 3. orders rows by (timestamp, file order) and removes duplicate (user, item, timestamp) rows,
 *    keeping the first and counting the others;
 * 4. labels rows (an interaction's own `label` wins, else `rating` is binarized) and assigns
 *    splits (calendar months, or the given `split` column);
 * 5. throws {@link EmptySplitError} when a split has no rows.
 * Histories follow the rule of {@link PreparedDataset}.
 */
export async function prepareDataset(options: PrepareDatasetOptions): Promise<PreparedDataset> {
  checkObject('options', options);
  const name = stringOption('name', options.name);
  const domain = stringOption('domain', options.domain);
  const protocol = validateProtocol(options.protocol);
  const missingItems = checkOneOf('missingItems', options.missingItems ?? 'error', ['error', 'drop'] as const);
  if (!(options.items instanceof Map)) throw new InvalidOptionError('items', 'expected a Map of item id to item.', options.items);
  const logger = options.logger ?? silentLogger;
  if (options.interactions === null || typeof options.interactions !== 'object') {
    throw new InvalidOptionError('interactions', 'expected an iterable or async iterable of interactions.', options.interactions);
  }
  const raw = await readRawColumns(options.interactions, options.onProgress);
  const dropItem = missingItemFlags(raw, options.items, missingItems, logger);
  const { order, keep, duplicatesRemoved } = orderAndDeduplicate(raw);
  for (let r = 0; r < raw.count; r++) if (dropItem[raw.rowItem[r]] === 1) keep[r] = 0;
  const label = labelRows(raw, keep, protocol.binarize);
  const { split, window } = protocol.kind === 'given-split' ? givenSplits(raw, keep) : monthSplits(raw, order, keep, protocol);
  const assembled = assembleRows(raw, order, keep, label, { split, window }, options.items);
  logger.info('Prepared dataset.', { name, rows: assembled.rowUser.length, users: assembled.userIds.length, items: assembled.items.length, duplicatesRemoved });
  return new PreparedDataset({ name, domain, ...assembled, duplicatesRemoved, protocol });
}

/** The interactions as read, in file order: compact columns with user and item ids interned. */
interface RawColumns {
  readonly count: number;
  readonly userIds: readonly UserId[];
  readonly itemIds: readonly ItemId[];
  readonly itemIndex: ReadonlyMap<ItemId, number>;
  readonly rowUser: Int32Array;
  readonly rowItem: Int32Array;
  readonly rowTime: Float64Array;
  /** NaN where the interaction has no rating. */
  readonly rowRating: Float64Array;
  /** -1 where the interaction has no label. */
  readonly rowLabel: Int8Array;
  /** Index in SPLIT_NAMES, or NO_SPLIT. */
  readonly rowGiven: Int8Array;
}

/** Step 1: reads every interaction into compact columns (ids interned), checking its timestamp. */
async function readRawColumns(interactions: AsyncIterable<Interaction> | Iterable<Interaction>, onProgress: ProgressCallback | undefined): Promise<RawColumns> {
  const userIndex = new Map<UserId, number>();
  const userIds: UserId[] = [];
  const itemIndex = new Map<ItemId, number>();
  const itemIds: ItemId[] = [];
  const users = new GrowableColumn(Int32Array, 1 << 16);
  const itemsColumn = new GrowableColumn(Int32Array, 1 << 16);
  const times = new GrowableColumn(Float64Array, 1 << 16);
  const ratings = new GrowableColumn(Float64Array, 1 << 16);
  const labels = new GrowableColumn(Int8Array, 1 << 16);
  const givenSplits = new GrowableColumn(Int8Array, 1 << 16);
  for await (const interaction of interactions) {
    let u = userIndex.get(interaction.userId);
    if (u === undefined) {
      u = userIds.length;
      userIndex.set(interaction.userId, u);
      userIds.push(interaction.userId);
    }
    let i = itemIndex.get(interaction.itemId);
    if (i === undefined) {
      i = itemIds.length;
      itemIndex.set(interaction.itemId, i);
      itemIds.push(interaction.itemId);
    }
    const problem = typeof interaction.timestamp === 'number' && Number.isFinite(interaction.timestamp) ? timestampProblem(interaction.timestamp) : 'is not a finite number of seconds.';
    if (problem !== undefined) {
      const shown = typeof interaction.timestamp === 'number' ? String(interaction.timestamp) : JSON.stringify(interaction.timestamp) ?? String(interaction.timestamp);
      throw new InvalidOptionError('interactions', `interaction ${users.length + 1} (user ${JSON.stringify(interaction.userId)}, item ${JSON.stringify(interaction.itemId)}) has timestamp ${shown}, which ${problem}`, interaction.timestamp);
    }
    users.push(u);
    itemsColumn.push(i);
    times.push(interaction.timestamp);
    ratings.push(interaction.rating ?? Number.NaN);
    labels.push(interaction.label ?? -1);
    givenSplits.push(interaction.split === undefined ? NO_SPLIT : SPLIT_NAMES.indexOf(interaction.split));
    if (users.length % PROGRESS_EVERY === 0) onProgress?.({ task: 'data.prepare', done: users.length, unit: 'interactions' });
  }
  const count = users.length;
  onProgress?.({ task: 'data.prepare', done: count, unit: 'interactions', finished: true });
  return {
    count,
    userIds,
    itemIds,
    itemIndex,
    rowUser: users.view(),
    rowItem: itemsColumn.view(),
    rowTime: times.view(),
    rowRating: ratings.view(),
    rowLabel: labels.view(),
    rowGiven: givenSplits.view(),
  };
}

/** Step 2: 1 for each interned item missing from `items` (an error unless `missingItems` is "drop", then a warning). */
function missingItemFlags(raw: RawColumns, items: ReadonlyMap<ItemId, Item>, missingItems: 'error' | 'drop', logger: Logger): Uint8Array {
  const { itemIds, rowItem, count } = raw;
  const missing = itemIds.map((id, index) => (items.has(id) ? -1 : index)).filter((index) => index >= 0);
  const dropItem = new Uint8Array(itemIds.length);
  if (missing.length > 0) {
    for (const index of missing) dropItem[index] = 1;
    let rowsMissing = 0;
    for (let r = 0; r < count; r++) rowsMissing += dropItem[rowItem[r]];
    const ids = missing.slice(0, 20).map((index) => itemIds[index]);
    if (missingItems === 'error') {
      throw new UnknownIdError('item', ids, missing.length, `in ${rowsMissing} interaction${rowsMissing === 1 ? '' : 's'} are missing from the items file (pass missingItems: "drop" to drop them)`);
    }
    logger.warn('Dropping interactions whose items are missing from the items file.', { items: missing.length, interactions: rowsMissing, examples: ids.slice(0, 5) });
  }
  return dropItem;
}

/** Step 3: rows ordered by (timestamp, file order); `keep` is 0 for each repeat of a (user, item, timestamp) row. */
function orderAndDeduplicate(raw: RawColumns): { order: Uint32Array; keep: Uint8Array; duplicatesRemoved: number } {
  const { count, rowTime, rowUser, rowItem, itemIds } = raw;
  const order = new Uint32Array(count);
  for (let r = 0; r < count; r++) order[r] = r;
  order.sort((a, b) => rowTime[a] - rowTime[b] || a - b);
  const keep = new Uint8Array(count);
  let duplicatesRemoved = 0;
  const group = new Set<number>();
  for (let start = 0; start < count; ) {
    let end = start + 1;
    while (end < count && rowTime[order[end]] === rowTime[order[start]]) end++;
    if (end - start === 1) keep[order[start]] = 1;
    else {
      group.clear();
      for (let k = start; k < end; k++) {
        const r = order[k];
        const key = rowUser[r] * itemIds.length + rowItem[r];
        if (group.has(key)) duplicatesRemoved++;
        else {
          group.add(key);
          keep[r] = 1;
        }
      }
    }
    start = end;
  }
  return { order, keep, duplicatesRemoved };
}

/** Step 4a: the label of each kept row: its own label, else its rating binarized by the protocol. */
function labelRows(raw: RawColumns, keep: Uint8Array, binarize: Binarization | undefined): Uint8Array {
  const { count, rowLabel, rowRating, userIds, itemIds, rowUser, rowItem } = raw;
  const label = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    if (keep[r] === 0) continue;
    if (rowLabel[r] >= 0) label[r] = rowLabel[r];
    else if (!Number.isNaN(rowRating[r]) && binarize !== undefined) {
      label[r] = (binarize.inclusive ? rowRating[r] >= binarize.threshold : rowRating[r] > binarize.threshold) ? 1 : 0;
    } else {
      throw new InvalidOptionError(
        'protocol.binarize',
        `interaction ${r + 1} (user ${JSON.stringify(userIds[rowUser[r]])}, item ${JSON.stringify(itemIds[rowItem[r]])}) has a rating but no label; give protocol.binarize to turn ratings into labels.`,
      );
    }
  }
  return label;
}

/** The split code of each row (NO_SPLIT for dropped rows) and a sentence on the window, for empty-split errors. */
interface RowSplits {
  readonly split: Int8Array;
  readonly window: string;
}

/** Step 4b, "given-split" protocol: each kept row's own split column. */
function givenSplits(raw: RawColumns, keep: Uint8Array): RowSplits {
  const split = new Int8Array(raw.count).fill(NO_SPLIT);
  for (let r = 0; r < raw.count; r++) {
    if (keep[r] === 0) continue;
    if (raw.rowGiven[r] === NO_SPLIT) {
      throw new InvalidOptionError('protocol', `interaction ${r + 1} (user ${JSON.stringify(raw.userIds[raw.rowUser[r]])}) has no split; the "given-split" protocol needs a split column on every row.`);
    }
    split[r] = raw.rowGiven[r];
  }
  return { split, window: '' };
}

/** The calendar months [from, to] a "months" protocol reads. */
function monthWindow(raw: RawColumns, keep: Uint8Array, protocol: MonthSplitProtocol): { from: number; to: number } {
  const { count, rowTime } = raw;
  let latest = -Infinity;
  for (let r = 0; r < count; r++) if (keep[r] === 1 && rowTime[r] > latest) latest = rowTime[r];
  const lastMonth = count === 0 || latest === -Infinity ? 0 : monthOf(latest);
  if (protocol.window !== undefined) {
    return { from: parseMonth('protocol.window.from', protocol.window.from), to: parseMonth('protocol.window.to', protocol.window.to) };
  }
  if (protocol.lastMonths !== undefined) {
    const to = lastMonth - (protocol.skipLastMonths ?? 0);
    return { from: to - protocol.lastMonths + 1, to };
  }
  let earliest = Infinity;
  for (let r = 0; r < count; r++) if (keep[r] === 1 && rowTime[r] < earliest) earliest = rowTime[r];
  return { from: earliest === Infinity ? 0 : monthOf(earliest), to: lastMonth - (protocol.skipLastMonths ?? 0) };
}

/**
 * Step 4b, "months" protocol: train, valid and test by calendar month; rows outside the window
 * are dropped (`keep` 0); without `validMonths` the rows after the train months are halved, in
 * (timestamp, file order), into valid and test.
 */
function monthSplits(raw: RawColumns, order: Uint32Array, keep: Uint8Array, protocol: MonthSplitProtocol): RowSplits {
  const { count, rowTime } = raw;
  const split = new Int8Array(count).fill(NO_SPLIT);
  const { from, to } = monthWindow(raw, keep, protocol);
  const trainEnd = from + protocol.trainMonths;
  const validEnd = protocol.validMonths === undefined ? undefined : trainEnd + protocol.validMonths;
  const testEnd = protocol.testMonths === undefined || validEnd === undefined ? to + 1 : Math.min(to + 1, validEnd + protocol.testMonths);
  const window = `The window holds ${formatMonth(from)} .. ${formatMonth(to)} (train from ${formatMonth(from)}, ${protocol.trainMonths} months).`;
  const rest: number[] = [];
  for (let k = 0; k < count; k++) {
    const r = order[k];
    if (keep[r] === 0) continue;
    const month = monthOf(rowTime[r]);
    if (month < from || month >= testEnd) {
      keep[r] = 0;
      continue;
    }
    if (month < trainEnd) split[r] = 0;
    else if (validEnd === undefined) rest.push(r);
    else split[r] = month < validEnd ? 1 : 2;
  }
  const half = Math.floor(rest.length / 2);
  rest.forEach((r, k) => {
    split[r] = k < half ? 1 : 2;
  });
  return { split, window };
}

/**
 * Step 5: the kept rows in (timestamp, file order), users renumbered in first-seen order, items
 * in `items` order (only those that hold rows).
 * @throws EmptySplitError when a split has no rows.
 */
function assembleRows(raw: RawColumns, order: Uint32Array, keep: Uint8Array, label: Uint8Array, splits: RowSplits, items: ReadonlyMap<ItemId, Item>) {
  const { split, window } = splits;
  const { count, rowUser, rowItem, rowTime, userIds, itemIds, itemIndex } = raw;
  let kept = 0;
  const splitCounts = [0, 0, 0];
  for (let r = 0; r < count; r++) {
    if (keep[r] === 1) {
      kept++;
      splitCounts[split[r]]++;
    }
  }
  SPLIT_NAMES.forEach((splitName, code) => {
    if (splitCounts[code] === 0) throw new EmptySplitError(splitName, window || 'No row carries this split.');
  });
  const usedItem = new Uint8Array(itemIds.length);
  for (let r = 0; r < count; r++) if (keep[r] === 1) usedItem[rowItem[r]] = 1;
  const finalItems: Item[] = [];
  const finalItemIndex = new Int32Array(itemIds.length).fill(-1);
  for (const [id, item] of items) {
    const index = itemIndex.get(id);
    if (index !== undefined && usedItem[index] === 1) {
      finalItemIndex[index] = finalItems.length;
      finalItems.push(item);
    }
  }
  const finalUserIndex = new Int32Array(userIds.length).fill(-1);
  const finalUserIds: UserId[] = [];
  const columns = {
    rowUser: new Int32Array(kept),
    rowItem: new Int32Array(kept),
    rowLabel: new Uint8Array(kept),
    rowTimestamp: new Float64Array(kept),
    rowSplit: new Uint8Array(kept),
  };
  let at = 0;
  for (let k = 0; k < count; k++) {
    const r = order[k];
    if (keep[r] === 0) continue;
    const u = rowUser[r];
    if (finalUserIndex[u] < 0) {
      finalUserIndex[u] = finalUserIds.length;
      finalUserIds.push(userIds[u]);
    }
    columns.rowUser[at] = finalUserIndex[u];
    columns.rowItem[at] = finalItemIndex[rowItem[r]];
    columns.rowLabel[at] = label[r];
    columns.rowTimestamp[at] = rowTime[r];
    columns.rowSplit[at] = split[r];
    at++;
  }
  return { userIds: finalUserIds, items: finalItems, ...columns };
}

/** Checks a protocol once, naming the bad field. */
export function validateProtocol(value: unknown): DatasetProtocol {
  checkObject('protocol', value);
  const protocol = value as unknown as DatasetProtocol;
  checkOneOf('protocol.kind', protocol.kind, ['months', 'given-split'] as const);
  const checkBinarize = (binarize: Binarization | undefined): void => {
    if (binarize === undefined) return;
    checkObject('protocol.binarize', binarize);
    checkNumber('protocol.binarize.threshold', binarize.threshold);
    if (binarize.inclusive !== undefined && typeof binarize.inclusive !== 'boolean') {
      throw new InvalidOptionError('protocol.binarize.inclusive', `expected true or false, got ${String(binarize.inclusive)}.`, binarize.inclusive);
    }
  };
  if (protocol.kind === 'given-split') {
    checkBinarize(protocol.binarize);
    return protocol;
  }
  if (protocol.binarize === undefined) throw new InvalidOptionError('protocol.binarize', 'the "months" protocol needs { threshold, inclusive? }.');
  checkBinarize(protocol.binarize);
  const train = checkInteger('protocol.trainMonths', protocol.trainMonths, 1);
  const valid = protocol.validMonths === undefined ? 0 : checkInteger('protocol.validMonths', protocol.validMonths, 1);
  const test = protocol.testMonths === undefined ? 0 : checkInteger('protocol.testMonths', protocol.testMonths, 1);
  if (protocol.skipLastMonths !== undefined) checkInteger('protocol.skipLastMonths', protocol.skipLastMonths, 0);
  if (protocol.testMonths !== undefined && protocol.validMonths === undefined) {
    throw new InvalidOptionError('protocol.testMonths', 'testMonths needs validMonths (without validMonths the rows after train are halved).');
  }
  let span: number | undefined;
  if (protocol.window !== undefined) {
    if (protocol.lastMonths !== undefined) throw new InvalidOptionError('protocol.window', 'give either window or lastMonths, not both.');
    checkObject('protocol.window', protocol.window);
    const from = parseMonth('protocol.window.from', protocol.window.from);
    const to = parseMonth('protocol.window.to', protocol.window.to);
    if (to < from) throw new InvalidOptionError('protocol.window.to', `the window ends (${protocol.window.to}) before it starts (${protocol.window.from}).`);
    span = to - from + 1;
  } else if (protocol.lastMonths !== undefined) {
    span = checkInteger('protocol.lastMonths', protocol.lastMonths, 1);
  }
  if (span !== undefined && train + valid + test > span) {
    throw new InvalidOptionError('protocol.trainMonths', `train, valid and test months (${train} + ${valid} + ${test}) exceed the ${span} months of the window.`);
  }
  if (span !== undefined && protocol.validMonths === undefined && train >= span) {
    throw new InvalidOptionError('protocol.trainMonths', `${train} train months leave no months of the ${span}-month window for valid and test.`);
  }
  return protocol;
}
