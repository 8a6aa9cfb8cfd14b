import { SPLIT_NAMES, type Dataset, type DatasetStatistics, type SplitName } from '@score/core';

/** Options of {@link computeStatistics}. */
export interface ComputeStatisticsOptions {
  /** Duplicates removed while preparing. @defaultValue the dataset's `duplicatesRemoved` when it has one, else 0 */
  readonly duplicatesRemoved?: number;
}

/**
 * Counts a dataset in the form of the paper's Table 1: users and items that hold rows, rows per
 * split, the positive rate per split and overall, duplicates removed, and each split's time range.
 */
export function computeStatistics(dataset: Dataset, options: ComputeStatisticsOptions = {}): DatasetStatistics {
  const users = new Set<string>();
  const items = new Set<string>();
  const rows: Record<SplitName, number> = { train: 0, valid: 0, test: 0 };
  const positives: Record<SplitName, number> = { train: 0, valid: 0, test: 0 };
  const first: Record<SplitName, number> = { train: Infinity, valid: Infinity, test: Infinity };
  const last: Record<SplitName, number> = { train: -Infinity, valid: -Infinity, test: -Infinity };
  for (const row of dataset.rows) {
    users.add(row.userId);
    items.add(row.itemId);
    rows[row.split]++;
    positives[row.split] += row.label;
    if (row.timestamp < first[row.split]) first[row.split] = row.timestamp;
    if (row.timestamp > last[row.split]) last[row.split] = row.timestamp;
  }
  const total = rows.train + rows.valid + rows.test;
  const allPositives = positives.train + positives.valid + positives.test;
  const rate = (count: number, of: number): number => (of === 0 ? 0 : count / of);
  const own = (dataset as { duplicatesRemoved?: unknown }).duplicatesRemoved;
  return {
    users: users.size,
    items: items.size,
    rows,
    positiveRate: {
      train: rate(positives.train, rows.train),
      valid: rate(positives.valid, rows.valid),
      test: rate(positives.test, rows.test),
      all: rate(allPositives, total),
    },
    duplicatesRemoved: options.duplicatesRemoved ?? (typeof own === 'number' ? own : 0),
    timeRange: Object.fromEntries(SPLIT_NAMES.map((split) => [split, rows[split] === 0 ? null : [first[split], last[split]] as const])) as Record<
      SplitName,
      readonly [number, number] | null
    >,
  };
}

/** Options of {@link formatStatistics}. */
export interface FormatStatisticsOptions {
  /** Dataset name in the first column. @defaultValue `"dataset"` */
  readonly name?: string;
}

/**
 * Writes statistics as a plain-text table like the paper's Table 1 (users, items, rows of
 * train / validation / test), followed by the positive rates, the time ranges (UTC dates) and
 * the duplicates removed.
 */
export function formatStatistics(statistics: DatasetStatistics, options: FormatStatisticsOptions = {}): string {
  const number = (value: number): string => value.toLocaleString('en-US');
  const header = ['Dataset', '# Users', '# Items', 'Train', 'Validation', 'Test'];
  const values = [
    options.name ?? 'dataset',
    number(statistics.users),
    number(statistics.items),
    number(statistics.rows.train),
    number(statistics.rows.valid),
    number(statistics.rows.test),
  ];
  const widths = header.map((title, c) => Math.max(title.length, values[c].length));
  const line = (cells: string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  const day = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10);
  const range = (split: SplitName): string => {
    const span = statistics.timeRange[split];
    return span === null ? 'none' : `${day(span[0])} .. ${day(span[1])}`;
  };
  return [
    line(header),
    line(values),
    '',
    `Positive rate: train ${percent(statistics.positiveRate.train)}, validation ${percent(statistics.positiveRate.valid)}, test ${percent(statistics.positiveRate.test)}, all ${percent(statistics.positiveRate.all)}`,
    `Time range: train ${range('train')}; validation ${range('valid')}; test ${range('test')}`,
    `Duplicates removed: ${number(statistics.duplicatesRemoved)}`,
  ].join('\n');
}
