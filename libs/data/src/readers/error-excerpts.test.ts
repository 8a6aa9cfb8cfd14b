import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError } from '@score/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readAmazonReviews } from './amazon';
import { readGenericInteractions } from './generic-interactions';
import { readMovieLens1M } from './movielens-1m';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-excerpts-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function drain(source: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of source);
}

async function failure(promise: Promise<unknown>): Promise<DataFormatError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DataFormatError);
  return error as DataFormatError;
}

const TEN_MB = 10 * 1024 * 1024;

describe('error messages quote at most about 200 characters of a line', () => {
  it('a 10 MB header without the needed columns', async () => {
    const file = path.join(root, 'wide.csv');
    // 10,240 columns with names of 1,023 characters.
    const columns = Array.from({ length: TEN_MB / 1024 }, (_, index) => `c${String(index).padStart(8, '0')}${'n'.repeat(1014)}`);
    fs.writeFileSync(file, `${columns.join(',')}\n`);
    const error = await failure(drain(readGenericInteractions({ path: file })));
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).toMatch(/the header has no "user_id" column \(found: c00000000n+\.\.\. \(1,023 characters in all\), c00000001n+.*\.\.\. \([\d,]+ characters in all\)\)\.$/);
  });

  it('a 10 MB header whose rows have the wrong number of fields', async () => {
    const file = path.join(root, 'wide-rows.csv');
    const columns = ['user_id', 'item_id', 'timestamp', 'rating', ...Array.from({ length: TEN_MB / 1024 }, (_, index) => `c${String(index).padStart(8, '0')}${'n'.repeat(1014)}`)];
    fs.writeFileSync(file, `${columns.join(',')}\nu1,i1,100,5\n`);
    const error = await failure(drain(readGenericInteractions({ path: file })));
    expect(error.line).toBe(2);
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).toMatch(/expected 10244 fields \(user_id,item_id,timestamp,rating,c00000000n+.*characters in all\)\), found 4\.$/);
  });

  it('a 10 MB header naming one 10 MB column twice', async () => {
    const file = path.join(root, 'twice.csv');
    const name = 'n'.repeat(TEN_MB / 2);
    fs.writeFileSync(file, `${name},${name}\n`);
    const error = await failure(drain(readGenericInteractions({ path: file })));
    expect(error.message.length).toBeLessThan(600);
  });

  it('a 10 MB JSON line that does not parse', async () => {
    const file = path.join(root, 'bad.jsonl');
    fs.writeFileSync(file, `{"user_id": "${'u'.repeat(TEN_MB)}\n`);
    const error = await failure(drain(readGenericInteractions({ path: file })));
    expect(error.line).toBe(1);
    expect(error.message.length).toBeLessThan(600);
    const amazon = path.join(root, 'bad-reviews.json');
    fs.writeFileSync(amazon, `{"reviewerID": "${'u'.repeat(TEN_MB / 5)}\n`);
    const reviews = await failure(drain(readAmazonReviews({ path: amazon })));
    expect(reviews.message.length).toBeLessThan(600);
  });

  it('a 10 MB field of a MovieLens line', async () => {
    const dir = path.join(root, 'ml-1m');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'ratings.dat'), `1::2::${'9x'.repeat(TEN_MB / 2)}::978300760\n`);
    fs.writeFileSync(path.join(dir, 'movies.dat'), '2::A (1995)::Drama\n');
    const error = await failure(drain(readMovieLens1M({ directory: dir })));
    expect(error.line).toBe(1);
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).toContain('characters in all');
  });
});
