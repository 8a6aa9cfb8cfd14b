import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { formatFieldPath, MAX_BATCH_REQUESTS, parseBatchScoreRequest, parseScoreRequest } from './schemas';

function fieldOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidOptionError) return error.field;
    throw error;
  }
  return undefined;
}

describe('request schemas', () => {
  it('accepts exactly one of userId/history and of itemId/item', () => {
    expect(parseScoreRequest({ userId: 'u', itemId: 'i', ks: 3 })).toEqual({ userId: 'u', itemId: 'i', ks: 3 });
    expect(parseScoreRequest({ history: ['a', 'b'], item: { title: 'New', attributes: { genres: ['Drama'] } } })).toEqual({
      history: ['a', 'b'],
      item: { title: 'New', attributes: { genres: ['Drama'] } },
    });
    expect(fieldOf(() => parseScoreRequest({ itemId: 'i' }))).toBe('userId');
    expect(fieldOf(() => parseScoreRequest({ userId: 'u', itemId: 'i', item: { title: 't' } }))).toBe('itemId');
    expect(fieldOf(() => parseScoreRequest({ userId: 'u', itemId: 'i', ks: 1.5 }))).toBe('ks');
    expect(fieldOf(() => parseScoreRequest({ history: [], itemId: 'i' }))).toBe('history');
    expect(fieldOf(() => parseScoreRequest({ userId: 'u', item: { title: 't', year: 1 } }))).toBe('item.year');
    expect(fieldOf(() => parseScoreRequest([1, 2]))).toBe('body');
  });

  it('names fields inside batches and bounds their size', () => {
    const pair = { userId: 'u', itemId: 'i' };
    expect(parseBatchScoreRequest({ requests: [pair] }).requests).toEqual([pair]);
    expect(fieldOf(() => parseBatchScoreRequest({ requests: [pair, { ...pair, history: [7] }] }))).toBe('requests[1].history[0]');
    expect(fieldOf(() => parseBatchScoreRequest({ requests: Array(MAX_BATCH_REQUESTS + 1).fill(pair) }))).toBe('requests');
    expect(formatFieldPath(['requests', 2, 'item', 'attributes', 'genres', 0])).toBe('requests[2].item.attributes.genres[0]');
  });
});
