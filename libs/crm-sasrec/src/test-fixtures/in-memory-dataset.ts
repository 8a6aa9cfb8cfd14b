import { createRandom } from '@score/core';
import type { Dataset, DatasetStatistics, Item, ItemId, Row, SplitName, UserId } from '@score/core';

/** One labelled interaction of an {@link InMemoryDataset}. */
export interface InMemoryRow {
  readonly userId: UserId;
  readonly itemId: ItemId;
  readonly label: 0 | 1;
  readonly timestamp: number;
  readonly split: SplitName;
}

/** A small `Dataset` built from rows in memory (tests and benchmarks). */
export class InMemoryDataset implements Dataset {
  readonly name: string;
  readonly domain = 'movies';
  readonly items: ReadonlyMap<ItemId, Item>;
  readonly rows: readonly Row[];
  readonly users: readonly UserId[];
  readonly #positives = new Map<UserId, ItemId[]>();
  readonly #times = new Map<UserId, number[]>();

  constructor(name: string, itemIds: readonly ItemId[], input: readonly InMemoryRow[]) {
    this.name = name;
    this.items = new Map(itemIds.map((id) => [id, { id, title: `Item ${id}`, attributes: {} }]));
    const byUser = new Map<UserId, InMemoryRow[]>();
    for (const row of input) {
      let list = byUser.get(row.userId);
      if (!list) byUser.set(row.userId, (list = []));
      list.push(row);
    }
    const rows: Row[] = [];
    for (const [userId, list] of byUser) {
      const sorted = list.map((row, order) => ({ row, order })).sort((a, b) => a.row.timestamp - b.row.timestamp || a.order - b.order);
      const positives: ItemId[] = [];
      const times: number[] = [];
      for (const { row } of sorted) {
        rows.push({ index: rows.length, userId, itemId: row.itemId, label: row.label, timestamp: row.timestamp, split: row.split, historyLength: positives.length });
        if (row.label === 1) {
          positives.push(row.itemId);
          times.push(row.timestamp);
        }
      }
      this.#positives.set(userId, positives);
      this.#times.set(userId, times);
    }
    this.rows = rows;
    this.users = [...byUser.keys()];
  }

  split(name: SplitName): readonly Row[] {
    return this.rows.filter((row) => row.split === name);
  }

  positives(userId: UserId): readonly ItemId[] {
    return this.#positives.get(userId) ?? [];
  }

  positiveTimes(userId: UserId): readonly number[] {
    return this.#times.get(userId) ?? [];
  }

  history(row: Row, maxItems?: number): readonly ItemId[] {
    const all = this.positives(row.userId).slice(0, row.historyLength);
    return maxItems === undefined ? all : all.slice(Math.max(0, all.length - maxItems));
  }

  statistics(): DatasetStatistics {
    const count = (split: SplitName) => this.rows.filter((row) => row.split === split).length;
    const rate = (rows: readonly Row[]) => (rows.length ? rows.filter((row) => row.label === 1).length / rows.length : 0);
    return {
      users: this.users.length,
      items: this.items.size,
      rows: { train: count('train'), valid: count('valid'), test: count('test') },
      positiveRate: { train: rate(this.split('train')), valid: rate(this.split('valid')), test: rate(this.split('test')), all: rate(this.rows) },
      duplicatesRemoved: 0,
      timeRange: { train: null, valid: null, test: null },
    };
  }
}

/** Options of {@link makeSequentialDataset}. */
export interface SequentialDatasetOptions {
  readonly users?: number;
  readonly items?: number;
  readonly rowsPerUser?: number;
  readonly clusters?: number;
  readonly seed?: number;
  /** Chance per step that the user's current cluster changes. */
  readonly switchProbability?: number;
  /** Share of changes that go back to one of the user's two favourite clusters. */
  readonly favouriteShare?: number;
}

/**
 * Synthetic CTR data with a sequential signal: each user drifts between taste clusters (a
 * Markov chain that mostly stays), items belong to clusters with Zipf popularity, and a row is
 * liked mostly when its item's cluster is the user's current one. Time is global: the first 60%
 * of each user's steps are train, the next 20% valid, the last 20% test.
 */
export function makeSequentialDataset(options: SequentialDatasetOptions = {}): InMemoryDataset {
  const users = options.users ?? 200;
  const itemCount = options.items ?? 300;
  const rowsPerUser = options.rowsPerUser ?? 40;
  const clusters = options.clusters ?? 8;
  const random = createRandom(options.seed ?? 7);
  const switchProbability = options.switchProbability ?? 0.25;
  const favouriteShare = options.favouriteShare ?? 0.7;
  const itemIds = Array.from({ length: itemCount }, (_, i) => `i${i + 1}`);
  const clusterOf = itemIds.map((_, i) => i % clusters);
  const byCluster = Array.from({ length: clusters }, (_, c) => itemIds.map((_, i) => i).filter((i) => clusterOf[i] === c));
  const weight = itemIds.map((_, i) => 1 / (1 + Math.floor(i / clusters)) ** 0.8);
  // Cumulative weights per candidate list, sampled by binary search.
  const cumulative = (candidates: number[]) => {
    let total = 0;
    return Float64Array.from(candidates, (i) => (total += weight[i]!));
  };
  const all = itemIds.map((_, i) => i);
  const lists = [...byCluster, all];
  const sums = lists.map(cumulative);
  const pick = (list: number) => {
    const sum = sums[list]!;
    const target = random() * sum[sum.length - 1]!;
    let low = 0;
    let high = sum.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (sum[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return lists[list]![low]!;
  };
  const rows: InMemoryRow[] = [];
  for (let u = 0; u < users; u++) {
    const favourites = [Math.floor(random() * clusters), Math.floor(random() * clusters)];
    let current = favourites[0]!;
    for (let step = 0; step < rowsPerUser; step++) {
      if (random() < switchProbability) current = random() < favouriteShare ? favourites[Math.floor(random() * 2)]! : Math.floor(random() * clusters);
      const item = random() < 0.6 ? pick(current) : pick(clusters);
      const liked = clusterOf[item] === current ? random() < 0.85 : favourites.includes(clusterOf[item]!) ? random() < 0.45 : random() < 0.15;
      const fraction = step / rowsPerUser;
      rows.push({ userId: `u${u + 1}`, itemId: itemIds[item]!, label: liked ? 1 : 0, timestamp: 1000 + step * 10 + u % 7, split: fraction < 0.6 ? 'train' : fraction < 0.8 ? 'valid' : 'test' });
    }
  }
  return new InMemoryDataset('sequential-synthetic', itemIds, rows);
}
