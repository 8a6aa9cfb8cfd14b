import type { Dataset, Item, Row, UserId } from '@score/core';
import { InvalidOptionError, UnknownIdError } from '@score/core';
import { createRandom, shuffleInPlace } from '@score/metrics';
import { type AssessmentPair, assessmentPairId } from './assessment';
import { checkMethods, checkObject, integerOption } from './validate';

/** Options of {@link sampleAssessmentPairs}. */
export interface SampleAssessmentPairsOptions {
  /**
   * Number of users to sample (one pair each); all eligible users when fewer. The paper sampled
   * 10,000 users.
   * @defaultValue 10000
   */
  readonly sample?: number;
  /**
   * Seed of the sampling. The users are shuffled once and the first `sample` kept, so a larger
   * sample with the same seed keeps every pair of a smaller one.
   * @defaultValue 42
   */
  readonly seed?: number;
  /**
   * Which train rows may be a user's pair: `"any"` every labelled row (liked or not, as the
   * recommendation task's targets), `"positive"` only liked rows.
   * @defaultValue "any"
   */
  readonly labels?: 'any' | 'positive';
  /**
   * Fewest history items a row needs (the prompts list the history).
   * @defaultValue 1
   */
  readonly minHistory?: number;
  /**
   * Most history items kept per pair (the most recent).
   * @defaultValue 20
   */
  readonly maxHistory?: number;
}

/**
 * Samples the target pairs of self-assessment from the train split: users who have at least one
 * eligible row (see `labels` and `minHistory`) are shuffled with `seed`, the first `sample` are
 * kept, and for each one of its eligible train rows is picked uniformly at random. Pairs come in
 * the sampled order.
 *
 * @throws InvalidOptionError for a bad option; UnknownIdError when a row names an item the
 *   dataset lacks.
 */
export function sampleAssessmentPairs(dataset: Dataset, options: SampleAssessmentPairsOptions = {}): AssessmentPair[] {
  checkMethods('dataset', dataset, ['split', 'history'], 'a prepared dataset');
  checkObject('options', options);
  const sample = integerOption('sample', options.sample, 10_000, 1);
  const seed = integerOption('seed', options.seed, 42, 0);
  const minHistory = integerOption('minHistory', options.minHistory, 1, 0);
  const maxHistory = integerOption('maxHistory', options.maxHistory, 20, 1);
  const labels = options.labels ?? 'any';
  if (labels !== 'any' && labels !== 'positive') {
    throw new InvalidOptionError('labels', `must be "any" or "positive", got ${JSON.stringify(labels)}.`, labels);
  }

  const byUser = new Map<UserId, Row[]>();
  for (const row of dataset.split('train')) {
    if (row.historyLength < minHistory || (labels === 'positive' && row.label !== 1)) continue;
    const list = byUser.get(row.userId);
    if (list) list.push(row);
    else byUser.set(row.userId, [row]);
  }
  const random = createRandom(seed);
  const users = shuffleInPlace([...byUser.keys()], random);
  const pairs: AssessmentPair[] = [];
  for (const userId of users.slice(0, sample)) {
    const rows = byUser.get(userId)!;
    const row = rows[Math.floor(random() * rows.length)];
    const item = (id: string): Item => {
      const found = dataset.items.get(id);
      if (!found) throw new UnknownIdError('item', [id], 1, `in row ${row.index} of the dataset`);
      return found;
    };
    pairs.push({
      id: assessmentPairId(row.userId, row.itemId, row.timestamp),
      rowIndex: row.index,
      userId: row.userId,
      itemId: row.itemId,
      label: row.label,
      timestamp: row.timestamp,
      history: dataset.history(row, maxHistory).map(item),
      target: item(row.itemId),
    });
  }
  return pairs;
}
