import { EmptySplitError, InvalidOptionError, UnknownIdError, type Interaction, type Item } from '@score/core';
import { describe, expect, it } from 'vitest';
import { AMAZON_GAMES_PROTOCOL, type DatasetProtocol } from '../protocol/protocol';
import { prepareDataset } from './prepare-dataset';

const at = (iso: string): number => Date.parse(iso) / 1000;

const catalogue = (...ids: string[]): Map<string, Item> => new Map(ids.map((id) => [id, { id, title: `Title ${id}`, attributes: { genres: ['G'] } }]));

const monthly: DatasetProtocol = { kind: 'months', binarize: { threshold: 3 }, lastMonths: 4, trainMonths: 2, validMonths: 1, testMonths: 1 };

function prepare(interactions: Interaction[], protocol: DatasetProtocol = monthly, items = catalogue('a', 'b', 'c', 'd', 'e')) {
  return prepareDataset({ interactions, items, protocol, name: 'fixture', domain: 'movies' });
}

describe('prepareDataset', () => {
  it('splits by calendar months counted back from the latest month', async () => {
    const rows: Interaction[] = [
      { userId: 'u', itemId: 'a', rating: 5, timestamp: at('2020-12-31T23:59:59Z') }, // outside the 4 months
      { userId: 'u', itemId: 'b', rating: 5, timestamp: at('2021-01-01T00:00:00Z') },
      { userId: 'u', itemId: 'c', rating: 2, timestamp: at('2021-02-28T23:59:59Z') },
      { userId: 'u', itemId: 'd', rating: 4, timestamp: at('2021-03-01T00:00:00Z') },
      { userId: 'u', itemId: 'e', rating: 3, timestamp: at('2021-04-30T10:00:00Z') },
    ];
    const dataset = await prepare(rows);
    expect(dataset.rows.map((row) => [row.itemId, row.split, row.label])).toEqual([
      ['b', 'train', 1],
      ['c', 'train', 0],
      ['d', 'valid', 1],
      ['e', 'test', 0], // rating 3 is not > 3
    ]);
    expect(dataset.statistics().timeRange.valid).toEqual([at('2021-03-01T00:00:00Z'), at('2021-03-01T00:00:00Z')]);
    const skipped = await prepare(rows, { ...monthly, skipLastMonths: 1 });
    expect(skipped.rows.map((row) => [row.itemId, row.split])).toEqual([
      ['a', 'train'],
      ['b', 'train'],
      ['c', 'valid'],
      ['d', 'test'],
    ]);
  });

  it('halves the rows after train when validMonths is omitted (the Amazon protocol)', async () => {
    const rows: Interaction[] = [
      { userId: 'u', itemId: 'a', rating: 5, timestamp: at('2012-12-31T00:00:00Z') }, // before 2013
      { userId: 'u', itemId: 'b', rating: 4, timestamp: at('2013-01-05T00:00:00Z') },
      { userId: 'v', itemId: 'b', rating: 3, timestamp: at('2017-01-31T00:00:00Z') }, // month 49
      { userId: 'v', itemId: 'c', rating: 4, timestamp: at('2017-02-01T00:00:00Z') },
      { userId: 'u', itemId: 'd', rating: 5, timestamp: at('2017-05-01T00:00:00Z') },
      { userId: 'v', itemId: 'e', rating: 1, timestamp: at('2017-12-31T23:59:59Z') },
      { userId: 'v', itemId: 'a', rating: 5, timestamp: at('2018-01-01T00:00:00Z') }, // after 2017
    ];
    const dataset = await prepare(rows, AMAZON_GAMES_PROTOCOL);
    expect(dataset.rows.map((row) => `${row.userId}:${row.itemId}:${row.split}:${row.label}`)).toEqual([
      'u:b:train:1',
      'v:b:train:0',
      'v:c:valid:1',
      'u:d:test:1',
      'v:e:test:0',
    ]);
  });

  it('removes duplicate (user, item, timestamp) rows, keeps the first and counts the rest', async () => {
    const rows: Interaction[] = [
      { userId: 'u', itemId: 'a', rating: 5, timestamp: at('2021-01-10T00:00:00Z') },
      { userId: 'u', itemId: 'a', rating: 1, timestamp: at('2021-01-10T00:00:00Z') },
      { userId: 'u', itemId: 'a', rating: 2, timestamp: at('2021-01-11T00:00:00Z') }, // other time: kept
      { userId: 'v', itemId: 'a', rating: 5, timestamp: at('2021-01-10T00:00:00Z') }, // other user: kept
      { userId: 'u', itemId: 'b', rating: 4, timestamp: at('2021-03-10T00:00:00Z') },
      { userId: 'u', itemId: 'c', rating: 4, timestamp: at('2021-04-10T00:00:00Z') },
      { userId: 'u', itemId: 'c', rating: 4, timestamp: at('2021-04-10T00:00:00Z') },
    ];
    const dataset = await prepare(rows);
    expect(dataset.duplicatesRemoved).toBe(2);
    expect(dataset.statistics().duplicatesRemoved).toBe(2);
    expect(dataset.split('train').map((row) => `${row.userId}:${row.itemId}:${row.label}`)).toEqual(['u:a:1', 'v:a:1', 'u:a:0']);
    expect(dataset.size).toBe(5);
  });

  it('follows the history rule: earlier positives only, same-second rows by file order', async () => {
    const t = at('2021-01-10T00:00:00Z');
    const rows: Interaction[] = [
      { userId: 'u', itemId: 'c', rating: 4, timestamp: t + 5 },
      { userId: 'u', itemId: 'a', rating: 5, timestamp: t },
      { userId: 'u', itemId: 'b', rating: 1, timestamp: t }, // same second as a, after it in the file
      { userId: 'u', itemId: 'd', rating: 5, timestamp: t }, // same second again
      { userId: 'u', itemId: 'e', rating: 4, timestamp: at('2021-04-02T00:00:00Z') },
      { userId: 'w', itemId: 'b', rating: 4, timestamp: at('2021-03-02T00:00:00Z') },
    ];
    const dataset = await prepare(rows);
    const history = Object.fromEntries(dataset.rows.filter((row) => row.userId === 'u').map((row) => [row.itemId, dataset.history(row)]));
    expect(history).toEqual({ a: [], b: ['a'], d: ['a'], c: ['a', 'd'], e: ['a', 'd', 'c'] });
    const lengths = dataset.rows.map((row) => row.historyLength);
    expect(lengths).toEqual([0, 1, 1, 2, 0, 3]);
    for (const row of dataset.rows) {
      expect(dataset.history(row)).not.toContain(row.itemId);
      expect(dataset.history(row)).toEqual(dataset.positives(row.userId).slice(0, row.historyLength));
    }
    expect(dataset.positives('u')).toEqual(['a', 'd', 'c', 'e']);
  });

  it('historyItems gives the last n history items as Items, most recent last', async () => {
    const t = at('2021-01-10T00:00:00Z');
    const rows: Interaction[] = [
      { userId: 'u', itemId: 'c', rating: 4, timestamp: t + 5 },
      { userId: 'u', itemId: 'a', rating: 5, timestamp: t },
      { userId: 'u', itemId: 'b', rating: 1, timestamp: t }, // a negative: never in a history
      { userId: 'u', itemId: 'd', rating: 5, timestamp: t },
      { userId: 'u', itemId: 'e', rating: 4, timestamp: at('2021-04-02T00:00:00Z') },
      { userId: 'w', itemId: 'b', rating: 4, timestamp: at('2021-03-02T00:00:00Z') },
    ];
    const dataset = await prepare(rows);
    const last = dataset.rows.find((row) => row.userId === 'u' && row.itemId === 'e')!;
    const titles = (items: readonly Item[]) => items.map((item) => item.title);
    // History of e: a, d (same second, file order), then c.
    expect(titles(dataset.historyItems(last))).toEqual(['Title a', 'Title d', 'Title c']);
    expect(titles(dataset.historyItems(last, 2))).toEqual(['Title d', 'Title c']);
    expect(titles(dataset.historyItems(last, 1))).toEqual(['Title c']);
    expect(dataset.historyItems(last, 0)).toEqual([]);
    expect(titles(dataset.historyItems(last, 10))).toEqual(['Title a', 'Title d', 'Title c']);
    // The Item objects of the catalogue, with their attributes.
    expect(dataset.historyItems(last, 1)[0]).toEqual({ id: 'c', title: 'Title c', attributes: { genres: ['G'] } });
    expect(dataset.historyItems(last, 1)[0]).toBe(dataset.items.get('c'));
    const first = dataset.rows.find((row) => row.userId === 'w')!;
    expect(dataset.historyItems(first, 5)).toEqual([]);
    for (const row of dataset.rows) {
      expect(dataset.historyItems(row, 2).map((item) => item.id)).toEqual(dataset.history(row, 2));
    }
    expect(() => dataset.historyItems(last, -1)).toThrow(InvalidOptionError);
    expect(() => dataset.historyItems(last, 1.5)).toThrow('Invalid "maxItems": must be an integer of at least 0, got 1.5.');
  });

  it('lets an interaction label win over its rating', async () => {
    const rows: Interaction[] = [
      { userId: 'u', itemId: 'a', rating: 5, label: 0, timestamp: at('2021-01-10T00:00:00Z') },
      { userId: 'u', itemId: 'b', label: 1, timestamp: at('2021-03-10T00:00:00Z') },
      { userId: 'u', itemId: 'c', rating: 4, timestamp: at('2021-04-10T00:00:00Z') },
    ];
    const dataset = await prepare(rows, { ...monthly, binarize: { threshold: 4, inclusive: true } });
    expect(dataset.rows.map((row) => row.label)).toEqual([0, 1, 1]);
  });

  it('lists a few missing item ids and their count, or drops them on request', async () => {
    const rows: Interaction[] = [
      { userId: 'u', itemId: 'a', rating: 5, timestamp: at('2021-01-10T00:00:00Z') },
      { userId: 'u', itemId: 'x1', rating: 5, timestamp: at('2021-01-11T00:00:00Z') },
      { userId: 'v', itemId: 'x2', rating: 5, timestamp: at('2021-01-12T00:00:00Z') },
      { userId: 'v', itemId: 'x1', rating: 5, timestamp: at('2021-01-13T00:00:00Z') },
      { userId: 'u', itemId: 'b', rating: 4, timestamp: at('2021-03-10T00:00:00Z') },
      { userId: 'u', itemId: 'c', rating: 4, timestamp: at('2021-04-10T00:00:00Z') },
    ];
    const error = (await prepare(rows).catch((caught: unknown) => caught)) as UnknownIdError;
    expect(error).toBeInstanceOf(UnknownIdError);
    expect(error.ids).toEqual(['x1', 'x2']);
    expect(error.count).toBe(2);
    expect(error.message).toBe('2 unknown item ids in 3 interactions are missing from the items file (pass missingItems: "drop" to drop them): "x1", "x2".');
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} };
    const dropped = await prepareDataset({ interactions: rows, items: catalogue('a', 'b', 'c'), protocol: monthly, name: 'n', domain: 'movies', missingItems: 'drop', logger });
    expect(dropped.rows.map((row) => row.itemId)).toEqual(['a', 'b', 'c']);
    expect(dropped.users).toEqual(['u']);
    expect(warnings).toHaveLength(1);
  });

  it('throws EmptySplitError when a split has no rows', async () => {
    const rows: Interaction[] = [
      { userId: 'u', itemId: 'a', rating: 5, timestamp: at('2021-01-10T00:00:00Z') },
      { userId: 'u', itemId: 'b', rating: 5, timestamp: at('2021-04-10T00:00:00Z') },
    ];
    const error = (await prepare(rows).catch((caught: unknown) => caught)) as EmptySplitError;
    expect(error).toBeInstanceOf(EmptySplitError);
    expect(error.split).toBe('valid');
    expect(error.message).toContain('The window holds 2021-01 .. 2021-04');
    const given = [{ userId: 'u', itemId: 'a', label: 1 as const, timestamp: 1, split: 'train' as const }, { userId: 'u', itemId: 'b', label: 0 as const, timestamp: 2, split: 'test' as const }];
    await expect(prepare(given, { kind: 'given-split' })).rejects.toMatchObject({ split: 'valid' });
  });

  it('validates the protocol once, naming the field', async () => {
    const bad = async (protocol: unknown): Promise<string> => {
      const error = await prepare([], protocol as DatasetProtocol).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidOptionError);
      return (error as InvalidOptionError).field;
    };
    expect(await bad({ kind: 'weeks' })).toBe('protocol.kind');
    expect(await bad({ ...monthly, trainMonths: 0 })).toBe('protocol.trainMonths');
    expect(await bad({ ...monthly, trainMonths: 3 })).toBe('protocol.trainMonths');
    expect(await bad({ ...monthly, binarize: { threshold: 'x' } })).toBe('protocol.binarize.threshold');
    expect(await bad({ kind: 'months', binarize: { threshold: 3 }, window: { from: '2013-1', to: '2017-12' }, trainMonths: 2 })).toBe('protocol.window.from');
    const ratingsOnly = [{ userId: 'u', itemId: 'a', rating: 4, timestamp: 1, split: 'train' as const }];
    await expect(prepare(ratingsOnly, { kind: 'given-split' })).rejects.toMatchObject({ field: 'protocol.binarize' });
  });
});
