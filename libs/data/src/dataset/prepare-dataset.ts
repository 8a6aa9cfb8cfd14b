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
import type { Binarization, DatasetProtocol } from '../protocol/protocol';
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

  // 1. Compact columns, ids interned.
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
  for await (const interaction of options.interactions) {
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
    if (users.length % PROGRESS_EVERY === 0) options.onProgress?.({ task: 'data.prepare', done: users.length, unit: 'interactions' });
  }
  const count = users.length;
  options.onProgress?.({ task: 'data.prepare', done: count, unit: 'interactions', finished: true });
  const rowUser = users.view();
  const rowItem = itemsColumn.view();
  const rowTime = times.view();
  const rowRating = ratings.view();
  const rowLabel = labels.view();
  const rowGiven = givenSplits.view();

  // 2. Items must be known.
  const missing = itemIds.map((id, index) => (options.items.has(id) ? -1 : index)).filter((index) => index >= 0);
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

  // 3. (timestamp, file order), then duplicates.
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
  for (let r = 0; r < count; r++) if (dropItem[rowItem[r]] === 1) keep[r] = 0;

  // 4. Labels and splits.
  const label = new Uint8Array(count);
  const binarize = protocol.binarize;
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
  const split = new Int8Array(count).fill(NO_SPLIT);
  let window = '';
  if (protocol.kind === 'given-split') {
    for (let r = 0; r < count; r++) {
      if (keep[r] === 0) continue;
      if (rowGiven[r] === NO_SPLIT) {
        throw new InvalidOptionError('protocol', `interaction ${r + 1} (user ${JSON.stringify(userIds[rowUser[r]])}) has no split; the "given-split" protocol needs a split column on every row.`);
      }
      split[r] = rowGiven[r];
    }
  } else {
    let latest = -Infinity;
    for (let r = 0; r < count; r++) if (keep[r] === 1 && rowTime[r] > latest) latest = rowTime[r];
    const lastMonth = count === 0 || latest === -Infinity ? 0 : monthOf(latest);
    let from = -Infinity;
    let to = Infinity;
    if (protocol.window !== undefined) {
      from = parseMonth('protocol.window.from', protocol.window.from);
      to = parseMonth('protocol.window.to', protocol.window.to);
    } else if (protocol.lastMonths !== undefined) {
      to = lastMonth - (protocol.skipLastMonths ?? 0);
      from = to - protocol.lastMonths + 1;
    } else {
      let earliest = Infinity;
      for (let r = 0; r < count; r++) if (keep[r] === 1 && rowTime[r] < earliest) earliest = rowTime[r];
      from = earliest === Infinity ? 0 : monthOf(earliest);
      to = lastMonth - (protocol.skipLastMonths ?? 0);
    }
    const trainEnd = from + protocol.trainMonths;
    const validEnd = protocol.validMonths === undefined ? undefined : trainEnd + protocol.validMonths;
    const testEnd = protocol.testMonths === undefined || validEnd === undefined ? to + 1 : Math.min(to + 1, validEnd + protocol.testMonths);
    window = `The window holds ${formatMonth(from)} .. ${formatMonth(to)} (train from ${formatMonth(from)}, ${protocol.trainMonths} months).`;
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
  }

  // 5. Rows in (timestamp, file order); users in first-seen order; items in map order.
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
  for (const [id, item] of options.items) {
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
  logger.info('Prepared dataset.', { name, rows: kept, users: finalUserIds.length, items: finalItems.length, duplicatesRemoved });
  return new PreparedDataset({ name, domain, userIds: finalUserIds, items: finalItems, ...columns, duplicatesRemoved, protocol });
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
