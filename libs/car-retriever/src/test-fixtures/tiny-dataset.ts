import { SPLIT_NAMES, type Dataset, type DatasetStatistics, type Item, type ItemId, type Row, type SplitName, type UserId } from '@score/core';

/** One labelled interaction of a hand-built test dataset. */
export interface TinyInteraction {
  readonly userId: UserId;
  readonly itemId: ItemId;
  readonly timestamp: number;
  readonly label: 0 | 1;
}

/**
 * A small in-memory {@link Dataset} with the core history rule; rows get their split from two
 * time boundaries: train before `validStart`, valid before `testStart`, test after.
 */
export function createTinyDataset(options: {
  readonly items: readonly ItemId[];
  readonly interactions: readonly TinyInteraction[];
  readonly validStart: number;
  readonly testStart: number;
}): Dataset {
  const items = new Map<ItemId, Item>(options.items.map((id) => [id, { id, title: `Title ${id}`, attributes: {} }]));
  const ordered = options.interactions.map((interaction, order) => ({ ...interaction, order }));
  const users: UserId[] = [];
  for (const interaction of ordered) if (!users.includes(interaction.userId)) users.push(interaction.userId);
  const positives = new Map<UserId, ItemId[]>(users.map((u) => [u, []]));
  const positiveTimes = new Map<UserId, number[]>(users.map((u) => [u, []]));
  const rows: Row[] = [];
  for (const userId of users) {
    const own = ordered.filter((i) => i.userId === userId).sort((a, b) => a.timestamp - b.timestamp || a.order - b.order);
    for (const interaction of own) {
      const split: SplitName = interaction.timestamp < options.validStart ? 'train' : interaction.timestamp < options.testStart ? 'valid' : 'test';
      const liked = positives.get(userId)!;
      rows.push({ index: rows.length, userId, itemId: interaction.itemId, label: interaction.label, timestamp: interaction.timestamp, split, historyLength: liked.length });
      if (interaction.label === 1) {
        liked.push(interaction.itemId);
        positiveTimes.get(userId)!.push(interaction.timestamp);
      }
    }
  }
  const split = (name: SplitName) => rows.filter((row) => row.split === name);
  return {
    name: 'tiny',
    domain: 'movies',
    items,
    rows,
    users,
    split,
    positives: (userId) => positives.get(userId) ?? [],
    positiveTimes: (userId) => positiveTimes.get(userId) ?? [],
    history(row, maxItems) {
      const all = (positives.get(row.userId) ?? []).slice(0, row.historyLength);
      return maxItems === undefined ? all : all.slice(Math.max(0, all.length - maxItems));
    },
    statistics(): DatasetStatistics {
      const count = (name: SplitName) => split(name).length;
      const rate = (list: readonly Row[]) => (list.length === 0 ? 0 : list.filter((r) => r.label === 1).length / list.length);
      const range = (name: SplitName): readonly [number, number] | null => {
        const times = split(name).map((r) => r.timestamp);
        return times.length === 0 ? null : [Math.min(...times), Math.max(...times)];
      };
      return {
        users: users.length,
        items: items.size,
        rows: { train: count('train'), valid: count('valid'), test: count('test') },
        positiveRate: { train: rate(split('train')), valid: rate(split('valid')), test: rate(split('test')), all: rate(rows) },
        duplicatesRemoved: 0,
        timeRange: Object.fromEntries(SPLIT_NAMES.map((name) => [name, range(name)])) as DatasetStatistics['timeRange'],
      };
    },
  };
}

/**
 * A deterministic bag-of-words text embedding for tests: each word hashed into `dimensions`
 * buckets, then L2-normalised. Texts sharing titles get close vectors.
 */
export function hashEmbed(texts: readonly string[], dimensions = 32): { rows: number; cols: number; data: Float32Array } {
  const data = new Float32Array(texts.length * dimensions);
  texts.forEach((text, r) => {
    for (const word of text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean)) {
      let hash = 2166136261;
      for (const char of word) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
      data[r * dimensions + ((hash >>> 0) % dimensions)] += 1;
    }
    let norm = 0;
    for (let c = 0; c < dimensions; c++) norm += data[r * dimensions + c] ** 2;
    const scale = norm === 0 ? 0 : 1 / Math.sqrt(norm);
    for (let c = 0; c < dimensions; c++) data[r * dimensions + c] *= scale;
    if (norm === 0) data[r * dimensions] = 1;
  });
  return { rows: texts.length, cols: dimensions, data };
}
