import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError } from '@score/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readMovieLens100K, readMovieLens100KItems } from './movielens-100k';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-ml100k-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

const flags = (...on: number[]): string => Array.from({ length: 19 }, (_, g) => (on.includes(g) ? '1' : '0')).join('|');

function writeFixture(withGenreFile: boolean): string {
  const directory = fs.mkdtempSync(path.join(root, 'fixture-'));
  fs.writeFileSync(path.join(directory, 'u.data'), ['196\t242\t3\t881250949', '186\t302\t3\t891717742', '22\t377\t1\t878887116', ''].join('\n'));
  const items = [
    `242|Kolya (1996)|24-Jan-1997||http://us.imdb.com/M/title-exact?Kolya%20(1996)|${flags(5)}`,
    `302|L.A. Confidential (1997)|01-Jan-1997||http://us.imdb.com/M/title-exact?L%2EA%2E+Confidential+(1997)|${flags(6, 10, 13, 16)}`,
    `377|Heavyweights|01-Jan-1994||http://us.imdb.com/M/title-exact?Heavyweights|${flags(4, 5)}`,
    `1300|'Til There Was You (1997)|30-May-1997||http://us.imdb.com/M/title-exact?Til|${flags(8, 14)}`,
    `1500|Mis\xe9rables, Les (1995)|01-Jan-1995||http://us.imdb.com|${flags(8, 12)}`,
  ];
  fs.writeFileSync(path.join(directory, 'u.item'), Buffer.from(`${items.join('\n')}\n`, 'latin1'));
  if (withGenreFile) {
    const genres = ['unknown', 'Action', 'Adventure', 'Animation', 'Kids', 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western'];
    fs.writeFileSync(path.join(directory, 'u.genre'), `${genres.map((name, index) => `${name}|${index}`).join('\n')}\n\n`);
  }
  return directory;
}

describe('readMovieLens100K', () => {
  it('streams u.data ratings', async () => {
    const rows = await collect(readMovieLens100K({ directory: writeFixture(true) }));
    expect(rows).toEqual([
      { userId: '196', itemId: '242', rating: 3, timestamp: 881250949 },
      { userId: '186', itemId: '302', rating: 3, timestamp: 891717742 },
      { userId: '22', itemId: '377', rating: 1, timestamp: 878887116 },
    ]);
  });

  it('reads u.item genres from the flags, named by u.genre, and the year', async () => {
    const items = await readMovieLens100KItems({ directory: writeFixture(true) });
    expect(items.get('302')).toEqual({
      id: '302',
      title: 'L.A. Confidential (1997)',
      attributes: { genres: ['Crime', 'Film-Noir', 'Mystery', 'Thriller'], year: ['1997'] },
    });
    expect(items.get('377')?.attributes).toEqual({ genres: ['Kids', 'Comedy'], year: ['1994'] });
    expect(items.get('1500')?.title).toBe('Misérables, Les (1995)');
  });

  it('uses the standard genre names without u.genre', async () => {
    const items = await readMovieLens100KItems({ directory: writeFixture(false) });
    expect(items.get('377')?.attributes.genres).toEqual(["Children's", 'Comedy']);
  });

  it('names the line and field of bad input', async () => {
    const directory = writeFixture(true);
    fs.appendFileSync(path.join(directory, 'u.data'), '5\t10\t4.5x\t881250950\n');
    const error = await collect(readMovieLens100K({ directory })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).line).toBe(4);
    expect((error as DataFormatError).field).toBe('rating');
    fs.appendFileSync(path.join(directory, 'u.item'), `9|Short line|${flags(1)}\n`);
    const itemError = await readMovieLens100KItems({ directory }).catch((caught: unknown) => caught);
    expect(itemError).toBeInstanceOf(DataFormatError);
    expect((itemError as DataFormatError).line).toBe(6);
    expect((itemError as DataFormatError).message).toContain('expected 24 "|"-separated fields');
  });
});
