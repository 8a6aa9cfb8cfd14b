import type { Row } from '@score/core';
import { PROMPT_VARIANTS, type PromptRecord, type PromptVariantId } from '@score/prompt-kit';

/**
 * How often the rows of one prompt variant and split found no similar user and fell back to the
 * basic prompt P^b (`metrics.json`'s `retrievalFallback`, the rec stage's `rec.json`).
 */
export interface FallbackRate {
  /** The prompt variant (`cf`, `base`, `car`, `score`). */
  readonly variant: PromptVariantId;
  /** The split the rows come from. */
  readonly split: 'train' | 'valid' | 'test';
  /** Rows whose prompts were built. */
  readonly rows: number;
  /** Rows that got P^b because retrieval found nobody. */
  readonly fallbackRows: number;
  /** `fallbackRows / rows` (0 for no rows). */
  readonly rate: number;
  /**
   * Rows at or before the first snapshot boundary: no snapshot precedes them, so they always fall
   * back (on a monthly schedule, the train split's first month).
   */
  readonly beforeFirstSnapshot?: number;
}

/**
 * The {@link FallbackRate} of prompts built for `rows` (same order) with a retrieval variant: a
 * record without similar users fell back to P^b. `snapshotTimes` (the corpus boundaries) counts
 * the rows before the first snapshot. `undefined` for `basic`, which never retrieves.
 */
export function fallbackRate(
  variant: PromptVariantId,
  split: FallbackRate['split'],
  rows: readonly Row[],
  records: readonly PromptRecord[],
  snapshotTimes?: readonly number[],
): FallbackRate | undefined {
  if (PROMPT_VARIANTS[variant].retriever === undefined) return undefined;
  if (records.length !== rows.length) throw new RangeError(`fallbackRate: ${records.length} prompt records for ${rows.length} rows.`);
  const fallbackRows = records.filter((record) => record.similarUsers.length === 0).length;
  const first = snapshotTimes?.[0];
  return {
    variant,
    split,
    rows: rows.length,
    fallbackRows,
    rate: rows.length === 0 ? 0 : fallbackRows / rows.length,
    ...(first === undefined ? {} : { beforeFirstSnapshot: rows.filter((row) => row.timestamp <= first).length }),
  };
}
