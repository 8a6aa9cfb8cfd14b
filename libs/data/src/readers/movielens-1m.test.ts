import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError } from '@score/core';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataset } from '../dataset/prepare-dataset';
import { ML1M_PROTOCOL } from '../protocol/protocol';
import { readMovieLens1M, readMovieLens1MItems } from './movielens-1m';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-ml1m-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const at = (iso: string): number => Date.parse(iso) / 1000;

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

/** An ML-1M-format fixture: synthetic values, the real layout (`::`, latin-1, LF/CRLF lines). */
function writeFixture(): string {
  const directory = fs.mkdtempSync(path.join(root, 'fixture-'));
  const ratings = [
    `1::10::5::${at('2001-05-31T23:59:59Z')}`, // before the window: dropped
    `1::11::4::${at('2001-06-01T00:00:00Z')}`, // first train second
    `1::12::2::${at('2001-07-15T12:00:00Z')}`,
    `1::13::5::${at('2002-04-01T00:00:00Z')}`, // first valid second
    `1::14::4::${at('2002-09-10T08:00:00Z')}`,
    `1::15::3::${at('2003-02-01T00:00:00Z')}`, // final month: dropped (skipLastMonths 1)
    `2::11::4::${at('2002-03-31T23:59:59Z')}`, // last train second
    `2::13::1::${at('2002-03-31T23:59:59Z')}`, // same second, later in file
    `2::14::5::${at('2002-08-31T23:59:59Z')}`, // last valid second
    `2::12::4::${at('2003-01-31T23:59:59Z')}`, // last test second
    `3::16::4::${at('2002-10-01T00:00:00Z')}`,
    `3::10::5::${at('2002-10-01T00:00:00Z')}`,
    `3::11::2::${at('2002-05-01T00:00:00Z')}`, // earlier than the user's previous lines
  ];
  fs.writeFileSync(path.join(directory, 'ratings.dat'), `${ratings.join('\n')}\n`);
  const movies = [
    '10::Toy Story (1995)::Animation|Children\'s|Comedy',
    '11::Am\xe9lie (2001)::Comedy|Romance',
    '12::Heat (1995)::Action|Crime|Thriller',
    '13::Sabrina (1995)::Comedy|Romance',
    '14::GoldenEye (1995)::Action|Adventure|Thriller',
    '15::Nixon (1995)::Drama',
    '16::Cit\xe9 des enfants perdus, La (1995)::Adventure|Sci-Fi',
  ];
  fs.writeFileSync(path.join(directory, 'movies.dat'), Buffer.from(`${movies.join('\r\n')}\r\n`, 'latin1'));
  return directory;
}

describe('readMovieLens1M', () => {
  it('streams ratings in file order with string ids and numeric values', async () => {
    const directory = writeFixture();
    const rows = await collect(readMovieLens1M({ directory }));
    expect(rows).toHaveLength(13);
    expect(rows[0]).toEqual({ userId: '1', itemId: '10', rating: 5, timestamp: 991353599 });
    expect(rows[12]).toEqual({ userId: '3', itemId: '11', rating: 2, timestamp: at('2002-05-01T00:00:00Z') });
  });

  it('reads latin-1 titles, genres and the year', async () => {
    const items = await readMovieLens1MItems({ directory: writeFixture() });
    expect(items.size).toBe(7);
    expect(items.get('11')).toEqual({ id: '11', title: 'Amélie (2001)', attributes: { genres: ['Comedy', 'Romance'], year: ['2001'] } });
    expect(items.get('16')?.title).toBe('Cité des enfants perdus, La (1995)');
    expect(items.get('10')?.attributes.genres).toEqual(['Animation', "Children's", 'Comedy']);
  });

  it('applies the ML-1M protocol: calendar months, final month dropped, 10/5/5, and the history rule', async () => {
    const directory = writeFixture();
    const dataset = await prepareDataset({
      interactions: readMovieLens1M({ directory }),
      items: await readMovieLens1MItems({ directory }),
      protocol: ML1M_PROTOCOL,
      name: 'ml-1m-fixture',
      domain: 'movies',
    });
    const ids = (split: 'train' | 'valid' | 'test') => dataset.split(split).map((row) => `${row.userId}:${row.itemId}`);
    expect(ids('train')).toEqual(['1:11', '1:12', '2:11', '2:13']);
    expect(ids('valid')).toEqual(['1:13', '3:11', '2:14']);
    expect(ids('test')).toEqual(['1:14', '3:16', '3:10', '2:12']);
    expect(dataset.users).toEqual(['1', '2', '3']);
    expect([...dataset.items.keys()]).toEqual(['10', '11', '12', '13', '14', '16']);

    const row = (user: string, item: string) => dataset.rows.find((r) => r.userId === user && r.itemId === item)!;
    expect(dataset.history(row('1', '14'))).toEqual(['11', '13']);
    expect(dataset.history(row('2', '13'))).toEqual(['11']); // same second, earlier in the file
    expect(dataset.history(row('2', '11'))).toEqual([]);
    expect(dataset.history(row('2', '14'))).toEqual(['11']); // the negative 13 is not history
    expect(dataset.history(row('2', '12'))).toEqual(['11', '14']); // crosses splits
    expect(dataset.history(row('2', '12'), 1)).toEqual(['14']);
    expect(dataset.history(row('3', '16'))).toEqual([]);
    expect(dataset.history(row('3', '10'))).toEqual(['16']);
    expect(dataset.positives('2')).toEqual(['11', '14', '12']);
    expect(dataset.positiveTimes('2')).toEqual([at('2002-03-31T23:59:59Z'), at('2002-08-31T23:59:59Z'), at('2003-01-31T23:59:59Z')]);
  });

  it('names the file, line and field of a malformed line', async () => {
    const directory = fs.mkdtempSync(path.join(root, 'bad-'));
    const file = path.join(directory, 'ratings.dat');
    const failure = async (lines: string[]): Promise<DataFormatError> => {
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      const error = await collect(readMovieLens1M({ directory })).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(DataFormatError);
      return error as DataFormatError;
    };
    const fieldCount = await failure(['1::10::5::978300760', '1::11::4']);
    expect(fieldCount.line).toBe(2);
    expect(fieldCount.path).toBe(file);
    expect(fieldCount.message).toBe(`${file}, line 2: expected 4 fields separated by "::" (UserID::MovieID::Rating::Timestamp), found 3.`);
    const rating = await failure(['1::10::5::978300760', '1::10::5::978300761', '1::11::four::978300762']);
    expect([rating.line, rating.field]).toEqual([3, 'Rating']);
    expect(rating.message).toContain('expected a number, got "four"');
    const timestamp = await failure(['1::10::5::2000-12-31']);
    expect([timestamp.line, timestamp.field]).toEqual([1, 'Timestamp']);
    const tooMany = await failure(['1::10::5::978300760::extra']);
    expect(tooMany.message).toContain('found more than 4');
  });
});
