import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError, type ProgressEvent } from '@score/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readGenericInteractions } from './generic-interactions';
import { readGenericItems } from './generic-items';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-stray-quote-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<DataFormatError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DataFormatError);
  return error as DataFormatError;
}

/** 40,000 interaction lines of about 100 bytes (4 MB, several read chunks). */
function rows(count: number, from = 0): string[] {
  const pad = 'x'.repeat(70);
  return Array.from({ length: count }, (_, index) => `u${(from + index) % 97},i${(from + index) % 331},${1_000_000 + from + index},4,${pad}`);
}

describe('CSV with a stray quote', () => {
  it('fails on the line where the quote opened, without reading the rest of the file (40,000 lines)', async () => {
    // Line 3 starts a record whose quoted note holds a line break (closed on line 4, as it may be);
    // line 5 opens a quoted field that is never closed.
    const progress: ProgressEvent[] = [];
    const strayOnly = path.join(root, 'stray-only.csv');
    fs.writeFileSync(strayOnly, `${['user_id,item_id,timestamp,rating,note', 'u1,i1,100,5,ok', 'u2,i2,200,4,"two', 'lines"', 'u3,i3,300,3,"never closed', ...rows(40_000)].join('\n')}\n`);
    const stray = await failure(collect(readGenericInteractions({ path: strayOnly, onProgress: (event) => progress.push(event) })));
    expect(stray.line).toBe(5);
    expect(stray.column).toBe(5);
    expect(stray.message).toBe(
      `${strayOnly}, line 5: the quoted field 5 opened on this line is still open 10000 lines later; a closing " is probably missing (a quoted field may hold line breaks, but at most 10000 lines or 1 MiB).`,
    );
    // Fail fast: the reader stopped well before the end of the 4 MB file.
    const linesRead = Math.max(...progress.map((event) => event.done));
    expect(linesRead).toBeLessThan(30_000);
  });

  it('names the quote line when the file ends inside a quoted field', async () => {
    const file = path.join(root, 'short.csv');
    fs.writeFileSync(file, ['user_id,item_id,timestamp,rating,note', 'u2,i2,200,4,"two', 'lines"', 'u4,"i', '4",400,5,"open', 'more'].join('\n'));
    const error = await failure(collect(readGenericInteractions({ path: file })));
    // The record starts on line 4 (its item id holds a line break); the unclosed quote opens on line 5 (field 5).
    expect(error.line).toBe(5);
    expect(error.column).toBe(5);
    expect(error.message).toBe(`${file}, line 5: the file ends inside the quoted field 5 opened on this line (a closing " is missing).`);
  });

  it('reads 40,000 records with quoted multi-line fields, delimiters and escaped quotes', async () => {
    const header = 'item_id,title,genres';
    const body: string[] = [];
    for (let index = 0; index < 40_000; index++) {
      body.push(index % 3 === 0 ? `i${index},"Title, ""${index}""\nsecond line",Drama|Comedy` : `i${index},Plain ${index},Action`);
    }
    const file = path.join(root, 'items.csv');
    fs.writeFileSync(file, `${header}\n${body.join('\n')}\n`);
    const items = await readGenericItems({ path: file });
    expect(items.size).toBe(40_000);
    expect(items.get('i0')).toEqual({ id: 'i0', title: 'Title, "0"\nsecond line', attributes: { genres: ['Drama', 'Comedy'] } });
    expect(items.get('i39999')).toEqual({ id: 'i39999', title: 'Title, "39999"\nsecond line', attributes: { genres: ['Drama', 'Comedy'] } });
    expect(items.get('i39998')?.title).toBe('Plain 39998');
  });
});
