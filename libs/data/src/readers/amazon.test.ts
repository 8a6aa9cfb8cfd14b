import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DataFormatError } from '@score/core';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEntities, readAmazonMetadata, readAmazonReviews } from './amazon';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-amazon-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

const write = (name: string, lines: string[], gzip = false): string => {
  const file = path.join(root, name);
  const text = `${lines.join('\n')}\n`;
  fs.writeFileSync(file, gzip ? zlib.gzipSync(text) : text);
  return file;
};

describe('readAmazonReviews', () => {
  it('reads the 2014 field names', async () => {
    const file = write('reviews-2014.json', [
      JSON.stringify({ reviewerID: 'A2HD75EMZR8QLN', asin: '0700099867', reviewerName: 'Ann', helpful: [8, 12], reviewText: 'Fun.', overall: 1.0, summary: 'x', unixReviewTime: 1341792000, reviewTime: '07 9, 2012' }),
      JSON.stringify({ reviewerID: 'A3UR8NLLY1ZHCX', asin: '0700099867', overall: 4.0, unixReviewTime: 1372550400 }),
    ]);
    expect(await collect(readAmazonReviews({ path: file }))).toEqual([
      { userId: 'A2HD75EMZR8QLN', itemId: '0700099867', rating: 1, timestamp: 1341792000 },
      { userId: 'A3UR8NLLY1ZHCX', itemId: '0700099867', rating: 4, timestamp: 1372550400 },
    ]);
  });

  it('reads the 2018 field names from a gzip file, and the 2023 ones', async () => {
    const file = write(
      'Video_Games.json.gz',
      [
        JSON.stringify({ overall: 5.0, verified: true, reviewTime: '06 9, 2014', reviewerID: 'A1HP7NVNPFMA4N', asin: '0700026657', style: { 'Format:': ' Video Game' }, unixReviewTime: 1402272000 }),
        JSON.stringify({ user_id: 'AGXVBIUFLFGMVLATYXHJYL4A5Q7Q', parent_asin: 'B07DK1H3H5', asin: 'B07DK1H3H6', rating: 4.0, timestamp: 1642607837393 }),
      ],
      true,
    );
    expect(await collect(readAmazonReviews({ path: file }))).toEqual([
      { userId: 'A1HP7NVNPFMA4N', itemId: '0700026657', rating: 5, timestamp: 1402272000 },
      { userId: 'AGXVBIUFLFGMVLATYXHJYL4A5Q7Q', itemId: 'B07DK1H3H5', rating: 4, timestamp: 1642607837 },
    ]);
  });

  it('names the line and field of a bad review', async () => {
    const file = write('bad-reviews.json', [JSON.stringify({ reviewerID: 'A', asin: 'B', overall: 5, unixReviewTime: 1 }), JSON.stringify({ reviewerID: 'A', asin: 'C', overall: 'five', unixReviewTime: 2 })]);
    const error = (await collect(readAmazonReviews({ path: file })).catch((caught: unknown) => caught)) as DataFormatError;
    expect(error).toBeInstanceOf(DataFormatError);
    expect([error.line, error.field]).toEqual([2, 'overall']);
    const missing = write('missing-time.json', [JSON.stringify({ reviewerID: 'A', asin: 'B', overall: 5 })]);
    const timeError = (await collect(readAmazonReviews({ path: missing })).catch((caught: unknown) => caught)) as DataFormatError;
    expect([timeError.line, timeError.field]).toEqual([1, 'unixReviewTime']);
    const notJson = write('not-json.json', ['{"reviewerID": "A",']);
    const jsonError = (await collect(readAmazonReviews({ path: notJson })).catch((caught: unknown) => caught)) as DataFormatError;
    expect(jsonError.line).toBe(1);
    expect(jsonError.message).toContain('neither JSON nor a Python dict');
  });
});

describe('readAmazonMetadata', () => {
  it('reads 2014 metadata written as Python dicts', async () => {
    const file = write('meta-2014.json', [
      "{'asin': '0700099867', 'title': \"Dirt 3 - Xbox 360\", 'price': 8.95, 'salesRank': {'Video Games': 4628}, 'categories': [['Video Games', 'Xbox 360', 'Games']], 'brand': 'Codemasters'}",
      "{'asin': '6050036071', 'categories': [['Video Games']], 'description': 'no title'}",
    ]);
    const items = await readAmazonMetadata({ path: file });
    expect([...items.keys()]).toEqual(['0700099867']);
    expect(items.get('0700099867')).toEqual({
      id: '0700099867',
      title: 'Dirt 3 - Xbox 360',
      attributes: { categories: ['Video Games', 'Xbox 360', 'Games'], brand: ['Codemasters'], price: ['8.95'] },
    });
  });

  it('reads 2018 metadata and decodes HTML entities', async () => {
    const file = write('meta-2018.json', [
      JSON.stringify({ category: ['Video Games', 'PC', 'Games'], title: 'Mass Effect &amp; Friends', brand: 'by\n    \n    EA', main_cat: 'Video Games', price: '$19.99', asin: 'B00000JRSB' }),
    ]);
    const items = await readAmazonMetadata({ path: file });
    expect(items.get('B00000JRSB')?.title).toBe('Mass Effect & Friends');
    expect(items.get('B00000JRSB')?.attributes.mainCategory).toEqual(['Video Games']);
    expect(items.get('B00000JRSB')?.attributes.categories).toEqual(['Video Games', 'PC', 'Games']);
    expect(items.get('B00000JRSB')?.attributes.price).toEqual(['$19.99']);
  });

  it('decodes named and numeric entities', () => {
    expect(decodeEntities('Tom &quot;Clancy&quot;&#39;s &#x27;R6&#x27; &lt;3 &unknown;')).toBe('Tom "Clancy"\'s \'R6\' <3 &unknown;');
  });
});
