import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError, InvalidOptionError } from '@score/core';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataset } from '../dataset/prepare-dataset';
import { readGenericInteractions } from './generic-interactions';
import { readGenericItems } from './generic-items';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-generic-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

const write = (name: string, content: string | Buffer): string => {
  const file = path.join(root, name);
  fs.writeFileSync(file, content);
  return file;
};

async function failure(promise: Promise<unknown>): Promise<DataFormatError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DataFormatError);
  return error as DataFormatError;
}

describe('readGenericInteractions', () => {
  it('reads CSV with a split column, kept as given', async () => {
    const file = write('with-split.csv', 'user_id,item_id,timestamp,rating,split\nu1,i1,100,5,train\nu1,i2,200,2,valid\r\nu2,i1,150,4,test\n');
    expect(await collect(readGenericInteractions({ path: file }))).toEqual([
      { userId: 'u1', itemId: 'i1', timestamp: 100, rating: 5, split: 'train' },
      { userId: 'u1', itemId: 'i2', timestamp: 200, rating: 2, split: 'valid' },
      { userId: 'u2', itemId: 'i1', timestamp: 150, rating: 4, split: 'test' },
    ]);
  });

  it('reads TSV with labels and JSON lines without a split', async () => {
    const tsv = write('labels.tsv', 'label\tuser_id\titem_id\ttimestamp\n1\tu1\ti1\t100\n0\tu2\ti2\t101\n');
    expect(await collect(readGenericInteractions({ path: tsv }))).toEqual([
      { userId: 'u1', itemId: 'i1', timestamp: 100, label: 1 },
      { userId: 'u2', itemId: 'i2', timestamp: 101, label: 0 },
    ]);
    const jsonl = write('rows.jsonl', '{"user_id": 7, "item_id": "i9", "timestamp": 1000, "rating": 3.5}\n\n{"user_id": "7", "item_id": "i8", "timestamp": "1001", "label": 1}\n');
    expect(await collect(readGenericInteractions({ path: jsonl }))).toEqual([
      { userId: '7', itemId: 'i9', timestamp: 1000, rating: 3.5 },
      { userId: '7', itemId: 'i8', timestamp: 1001, label: 1 },
    ]);
  });

  it('names the file, line and field of each bad value', async () => {
    const count = write('count.csv', 'user_id,item_id,timestamp,rating\nu1,i1,100,5\nu1,i2,200\n');
    const countError = await failure(collect(readGenericInteractions({ path: count })));
    expect(countError.message).toBe(`${count}, line 3: expected 4 fields (user_id,item_id,timestamp,rating), found 3.`);
    const rating = write('rating.csv', 'user_id,item_id,timestamp,rating\nu1,i1,100,5\nu1,i2,200,good\n');
    const ratingError = await failure(collect(readGenericInteractions({ path: rating })));
    expect([ratingError.path, ratingError.line, ratingError.field]).toEqual([rating, 3, 'rating']);
    const time = write('time.csv', 'user_id,item_id,timestamp,rating\nu1,i1,yesterday,5\n');
    expect((await failure(collect(readGenericInteractions({ path: time })))).field).toBe('timestamp');
    const split = write('split.csv', 'user_id,item_id,timestamp,label,split\nu1,i1,1,1,training\n');
    const splitError = await failure(collect(readGenericInteractions({ path: split })));
    expect(splitError.message).toContain('expected "train", "valid" or "test", got "training"');
    const label = write('label.csv', 'user_id,item_id,timestamp,label\nu1,i1,1,2\n');
    expect((await failure(collect(readGenericInteractions({ path: label })))).field).toBe('label');
    const header = write('header.csv', 'user,item_id,timestamp,rating\n');
    expect((await failure(collect(readGenericInteractions({ path: header })))).field).toBe('user_id');
  });

  it('reports undecodable bytes with the line', async () => {
    const bytes = Buffer.concat([Buffer.from('user_id,item_id,timestamp,rating\nu1,i1,1,5\nu'), Buffer.from([0xff, 0xfe]), Buffer.from(',i2,2,4\n')]);
    const file = write('bytes.csv', bytes);
    const error = await failure(collect(readGenericInteractions({ path: file })));
    expect(error.line).toBe(3);
    expect(error.message).toContain('not valid UTF-8');
  });

  it('rejects an unknown extension without a format', () => {
    expect(() => readGenericInteractions({ path: write('rows.txt', '') })).toThrow(InvalidOptionError);
  });
});

describe('readGenericItems', () => {
  it('reads CSV items with quoted titles and multi-valued attributes', async () => {
    const file = write('items.csv', 'item_id,title,genres,year\ni1,"Toy Story, The (1995)",Animation|Comedy,1995\ni2,"Say ""Hi""",,2001\ni3,"Two\n\nLines",Drama,\n\n');
    const items = await readGenericItems({ path: file });
    expect([...items.values()]).toEqual([
      { id: 'i1', title: 'Toy Story, The (1995)', attributes: { genres: ['Animation', 'Comedy'], year: ['1995'] } },
      { id: 'i2', title: 'Say "Hi"', attributes: { genres: [], year: ['2001'] } },
      { id: 'i3', title: 'Two\n\nLines', attributes: { genres: ['Drama'], year: [] } },
    ]);
  });

  it('reads JSON-lines items with arrays and UTF-8 titles', async () => {
    const file = write('items.jsonl', '{"item_id": 1, "title": "Amélie", "genres": ["Comedy", "Romance"], "year": 2001}\n{"item_id": 2, "title": "Heat", "genres": "Action|Crime"}\n');
    const items = await readGenericItems({ path: file });
    expect(items.get('1')).toEqual({ id: '1', title: 'Amélie', attributes: { genres: ['Comedy', 'Romance'], year: ['2001'] } });
    expect(items.get('2')?.attributes.genres).toEqual(['Action', 'Crime']);
  });

  it('rejects duplicate ids and missing titles', async () => {
    const duplicate = write('dup-items.csv', 'item_id,title\ni1,A\ni2,B\ni1,C\n');
    const error = await failure(readGenericItems({ path: duplicate }));
    expect(error.message).toBe(`${duplicate}, line 4, field "item_id": item id "i1" appears again (first on line 2); ids must be unique.`);
    const untitled = write('untitled.jsonl', '{"item_id": "i1"}\n');
    expect((await failure(readGenericItems({ path: untitled }))).field).toBe('title');
  });
});

describe('generic files through prepareDataset', () => {
  it('keeps the given split and applies the history rule across splits', async () => {
    const interactions = write(
      'given.csv',
      ['user_id,item_id,timestamp,rating,split', 'a,i1,10,5,train', 'a,i2,20,1,train', 'a,i3,30,4,valid', 'b,i1,15,4,train', 'a,i4,30,5,test', 'b,i3,40,2,test', 'b,i2,35,5,valid'].join('\n'),
    );
    const items = write('given-items.csv', 'item_id,title,genres\ni1,One,A|B\ni2,Two,B\ni3,Three,C\ni4,Four,A\n');
    const dataset = await prepareDataset({
      interactions: readGenericInteractions({ path: interactions }),
      items: await readGenericItems({ path: items }),
      protocol: { kind: 'given-split', binarize: { threshold: 3 } },
      name: 'given',
      domain: 'books',
    });
    expect(dataset.split('train').map((row) => `${row.userId}:${row.itemId}`)).toEqual(['a:i1', 'b:i1', 'a:i2']);
    expect(dataset.split('valid').map((row) => `${row.userId}:${row.itemId}`)).toEqual(['a:i3', 'b:i2']);
    expect(dataset.split('test').map((row) => `${row.userId}:${row.itemId}`)).toEqual(['a:i4', 'b:i3']);
    const test = dataset.split('test');
    expect(dataset.history(test[0])).toEqual(['i1', 'i3']); // same timestamp as valid a:i3, later in the file
    expect(dataset.history(test[1])).toEqual(['i1', 'i2']);
    expect(dataset.items.get('i1')?.attributes.genres).toEqual(['A', 'B']);
  });
});

describe('reader options', () => {
  it('are checked when the reader is called, before iteration', () => {
    expect(() => readGenericInteractions({ path: '' })).toThrow(InvalidOptionError);
    expect(() => readGenericInteractions({ path: 'rows.parquet' })).toThrow(/format/);
  });
});
