import type { Dataset, Item, Row, UserId } from '@score/core';
import { InvalidOptionError, UnknownIdError, checkMethods, checkObject, integerOption } from '@score/core';
import { createRandom, shuffleInPlace } from '@score/metrics';
import { type AssessmentPair, assessmentPairId } from './assessment';

/** Options of {@link sampleAssessmentPairs}. */
export interface SampleAssessmentPairsOptions {
  /**
   * Number of pairs (train rows) to sample, spread over the users: one row of every eligible
   * user first, then a second row of every user that has one, and so on (several per user where
   * the split has them); every eligible row when fewer. The paper assessed 10,000 samples.
   * @defaultValue 10000
   */
  readonly sample?: number;
  /**
   * Seed of the sampling. The users and each user's rows are shuffled once and the pairs taken in
   * rounds, so a larger sample with the same seed keeps every pair of a smaller one.
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
 * Samples `sample` target pairs of self-assessment from the train split's eligible rows (see
 * `labels` and `minHistory`): the users are shuffled with `seed`, and so are each user's rows;
 * round r takes each user's r-th row (users with fewer rows drop out), until `sample` pairs are
 * taken. So a sample below the number of users has one pair per user, and a larger one several
 * per user where the split has them. Pairs come in the sampled order.
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
  const queues = users.map((userId) => shuffleInPlace([...byUser.get(userId)!], random));
  const pairs: AssessmentPair[] = [];
  const item = (id: string, row: Row): Item => {
    const found = dataset.items.get(id);
    if (!found) throw new UnknownIdError('item', [id], 1, `in row ${row.index} of the dataset`);
    return found;
  };
  for (let round = 0; pairs.length < sample; round++) {
    let taken = false;
    for (const queue of queues) {
      if (pairs.length >= sample) break;
      const row = queue[round];
      if (row === undefined) continue;
      taken = true;
      pairs.push({
        id: assessmentPairId(row.userId, row.itemId, row.timestamp),
        rowIndex: row.index,
        userId: row.userId,
        itemId: row.itemId,
        label: row.label,
        timestamp: row.timestamp,
        history: dataset.history(row, maxHistory).map((id) => item(id, row)),
        target: item(row.itemId, row),
      });
    }
    if (!taken) break;
  }
  return pairs;
}
