import { type Dataset, InvalidOptionError, type ItemId, type Row, UnknownIdError, type UserId } from '@score/core';
import type { IdVocabulary } from './vocabulary';

/**
 * Rows turned into index arrays: each history is its last `maxHistory` items, left-padded with
 * index 0 (oldest first, the most recent item in the last slot).
 */
export interface EncodedRows {
  readonly count: number;
  readonly maxHistory: number;
  /** count x maxHistory item indices, row-major; 0 = padding. */
  readonly histories: Int32Array;
  /** Target item index of each row (0 when the rows have no target, e.g. user embeddings). */
  readonly targets: Int32Array;
  /** Label of each row (0 when unlabelled). */
  readonly labels: Float32Array;
  /** User index of each row (0 = unknown or not given). */
  readonly users: Int32Array;
}

function allocate(count: number, maxHistory: number): { histories: Int32Array; targets: Int32Array; labels: Float32Array; users: Int32Array } {
  return { histories: new Int32Array(count * maxHistory), targets: new Int32Array(count), labels: new Float32Array(count), users: new Int32Array(count) };
}

/** Writes the last `maxHistory` entries of `history` (already indices) left-padded into `out` at `offset`. */
function writeHistory(out: Int32Array, offset: number, maxHistory: number, history: ArrayLike<number>): void {
  const take = Math.min(history.length, maxHistory);
  const skip = history.length - take;
  const pad = maxHistory - take;
  for (let j = 0; j < take; j++) out[offset + pad + j] = history[skip + j]!;
}

/**
 * Encodes labelled dataset rows; each row's history follows the dataset's history rule
 * (earlier positives only, never the row itself or later ones).
 */
export function encodeDatasetRows(dataset: Dataset, rows: readonly Row[], items: IdVocabulary, users: IdVocabulary | undefined, maxHistory: number): EncodedRows {
  const out = allocate(rows.length, maxHistory);
  const positiveIndices = new Map<UserId, Int32Array>();
  rows.forEach((row, i) => {
    let positives = positiveIndices.get(row.userId);
    if (!positives) {
      positives = items.encode(dataset.positives(row.userId), `in the positives of user ${JSON.stringify(row.userId)}`);
      positiveIndices.set(row.userId, positives);
    }
    const end = row.historyLength;
    const start = Math.max(0, end - maxHistory);
    writeHistory(out.histories, i * maxHistory, maxHistory, positives.subarray(start, end));
    out.targets[i] = items.encode([row.itemId], `in row ${row.index}`)[0]!;
    out.labels[i] = row.label;
    out.users[i] = users ? users.indexOf(row.userId) : 0;
  });
  return { count: rows.length, maxHistory, ...out };
}

/** An input to score or embed: a history (oldest first), and optionally a target item and a user. */
export interface RecommenderInput {
  readonly history: readonly ItemId[];
  readonly itemId?: ItemId;
  readonly userId?: UserId;
}

/**
 * Encodes scoring inputs, checking every id first.
 * @throws UnknownIdError listing the unknown item ids (history or target) of all inputs at once.
 */
export function encodeInputs(inputs: readonly RecommenderInput[], items: IdVocabulary, users: IdVocabulary | undefined, maxHistory: number, requireTarget: boolean): EncodedRows {
  const out = allocate(inputs.length, maxHistory);
  const unknown: string[] = [];
  let unknownCount = 0;
  const lookup = (id: ItemId): number => {
    const index = items.indexOf(id);
    if (index === 0) {
      unknownCount += 1;
      if (unknown.length < 20 && !unknown.includes(id)) unknown.push(id);
    }
    return index;
  };
  const scratch: number[] = [];
  inputs.forEach((input, i) => {
    scratch.length = 0;
    const history = input.history;
    const start = Math.max(0, history.length - maxHistory);
    for (let j = start; j < history.length; j++) scratch.push(lookup(history[j]!));
    writeHistory(out.histories, i * maxHistory, maxHistory, scratch);
    if (input.itemId !== undefined) out.targets[i] = lookup(input.itemId);
    else if (requireTarget) throw new InvalidOptionError(`inputs[${i}].itemId`, 'is required to score a row (the target item).');
    out.users[i] = users && input.userId !== undefined ? users.indexOf(input.userId) : 0;
  });
  if (unknownCount > 0) throw new UnknownIdError('item', unknown, unknownCount, 'in the scoring inputs (items the model was not trained with)');
  return { count: inputs.length, maxHistory, ...out };
}

/** Copies rows `order[start..end)` of `source` into a new batch. */
export function gatherRows(source: EncodedRows, order: Int32Array | null, start: number, end: number): EncodedRows {
  const count = end - start;
  const length = source.maxHistory;
  const out = allocate(count, length);
  for (let i = 0; i < count; i++) {
    const from = order ? order[start + i]! : start + i;
    out.histories.set(source.histories.subarray(from * length, (from + 1) * length), i * length);
    out.targets[i] = source.targets[from]!;
    out.labels[i] = source.labels[from]!;
    out.users[i] = source.users[from]!;
  }
  return { count, maxHistory: length, ...out };
}
