import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError, InvalidOptionError } from '@score/core';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataset } from '../dataset/prepare-dataset';
import { readAmazonReviews } from './amazon';
import { readGenericInteractions } from './generic-interactions';
import { readMovieLens100K } from './movielens-100k';
import { readMovieLens1M } from './movielens-1m';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-timestamps-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

async function failure<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

const write = (name: string, content: string): string => {
  const file = path.join(root, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
};

describe('timestamps', () => {
  it('refuses milliseconds in a seconds column, naming file, line, value and the fix', async () => {
    const file = write('ms.csv', 'user_id,item_id,timestamp,rating\nu1,i1,1700000000,5\nu1,i2,1700000000123,4\n');
    const error = await failure(collect(readGenericInteractions({ path: file })), DataFormatError);
    expect(error.line).toBe(3);
    expect(error.field).toBe('timestamp');
    expect(error.message).toBe(
      `${file}, line 3, field "timestamp": 1700000000123 is not a Unix time in seconds (it would fall after the year 5138); it looks like milliseconds (2023-11-14T22:13:20.123Z). Read the file with timestampUnit "milliseconds" (score-train prepare --timestamp-unit milliseconds, or data.source.timestampUnit in the config), or divide the column by 1000.`,
    );
  });

  it('reads milliseconds when told to, as seconds', async () => {
    const file = write('ms-ok.jsonl', '{"user_id":"u1","item_id":"i1","timestamp":1700000000123,"rating":5}\n{"user_id":"u1","item_id":"i2","timestamp":"1700000001000","label":1}\n');
    expect(await collect(readGenericInteractions({ path: file, timestampUnit: 'milliseconds' }))).toEqual([
      { userId: 'u1', itemId: 'i1', timestamp: 1700000000.123, rating: 5 },
      { userId: 'u1', itemId: 'i2', timestamp: 1700000001, label: 1 },
    ]);
    expect(() => readGenericInteractions({ path: file, timestampUnit: 'minutes' as 'seconds' })).toThrow('Invalid "timestampUnit": expected "seconds" or "milliseconds", got "minutes".');
  });

  it('names file, line and value of a timestamp out of any range', async () => {
    const file = write('huge.csv', 'user_id,item_id,timestamp,rating\nu1,i1,100,5\nu1,i2,1e300,4\n');
    const error = await failure(collect(readGenericInteractions({ path: file })), DataFormatError);
    expect(error.message).toBe(`${file}, line 3, field "timestamp": 1e+300 is out of range for a Unix time in seconds (expected -1e11 to 1e11, i.e. before the year 5138).`);
    const negative = write('negative.csv', 'user_id,item_id,timestamp,rating\nu1,i1,-1e15,5\n');
    expect((await failure(collect(readGenericInteractions({ path: negative })), DataFormatError)).line).toBe(2);
    const msHuge = write('ms-huge.csv', 'user_id,item_id,timestamp,rating\nu1,i1,1e20,5\n');
    const msError = await failure(collect(readGenericInteractions({ path: msHuge, timestampUnit: 'milliseconds' })), DataFormatError);
    expect(msError.message).toBe(`${msHuge}, line 2, field "timestamp": 100000000000000000000 is out of range for a Unix time in milliseconds (expected -1e14 to 1e14, i.e. before the year 5138).`);
  });

  it('checks the native readers too', async () => {
    const ml1m = write('ml-1m/ratings.dat', '1::10::5::978300760\n1::11::4::978300760000\n');
    write('ml-1m/movies.dat', '10::A (1995)::Drama\n11::B (1995)::Drama\n');
    const error = await failure(collect(readMovieLens1M({ directory: path.dirname(ml1m) })), DataFormatError);
    expect(error.line).toBe(2);
    expect(error.message).toContain('978300760000 is not a Unix time in seconds');
    const ml100k = write('ml-100k/u.data', '1\t10\t5\t874965758\n1\t11\t4\t8749657580000000\n');
    const error100k = await failure(collect(readMovieLens100K({ directory: path.dirname(ml100k) })), DataFormatError);
    expect(error100k.line).toBe(2);
    expect(error100k.message).toContain('8749657580000000 is out of range for a Unix time in seconds');
    const amazon = write('reviews.json', '{"reviewerID":"u1","asin":"a1","overall":5,"unixReviewTime":1388534400000}\n');
    const amazonError = await failure(collect(readAmazonReviews({ path: amazon })), DataFormatError);
    expect(amazonError.field).toBe('unixReviewTime');
    expect(amazonError.message).toContain('it looks like milliseconds');
  });

  it('prepareDataset names the interaction whose timestamp is out of range (not "Invalid time value")', async () => {
    const items = new Map([['i1', { id: 'i1', title: 'One', attributes: {} }]]);
    const interactions = [
      { userId: 'u1', itemId: 'i1', timestamp: 100, rating: 5, split: 'train' as const },
      { userId: 'u2', itemId: 'i1', timestamp: 1e15, rating: 5, split: 'train' as const },
    ];
    const error = await failure(prepareDataset({ interactions, items, protocol: { kind: 'given-split', binarize: { threshold: 3 } }, name: 'x', domain: 'movies' }), InvalidOptionError);
    expect(error.message).toBe('Invalid "interactions": interaction 2 (user "u2", item "i1") has timestamp 1000000000000000, which is out of range for a Unix time in seconds (expected -1e11 to 1e11, i.e. before the year 5138).');
  });
});
