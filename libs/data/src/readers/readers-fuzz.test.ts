// Property-based fuzzing of the CSV/TSV/JSONL readers (fast-check): random bytes, quotes and
// encodings never crash (only DataFormatError), never hang (a time limit per run), and never
// accept silently (whatever is accepted is valid, and valid tables read back exactly as written).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFormatError, type Interaction, type Item } from '@score/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_TIMESTAMP_SECONDS } from '../io/timestamp';
import { readAmazonMetadata, readAmazonReviews } from './amazon';
import { readGenericInteractions } from './generic-interactions';
import { readGenericItems } from './generic-items';
import type { TableFormat } from './table-format';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-data-fuzz-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Fixed seed (SCORE_FUZZ_SEED / SCORE_FUZZ_RUNS explore others): CI reruns the same cases; a failure prints the seed and path to replay it. */
const SETTINGS = { seed: Number(process.env['SCORE_FUZZ_SEED'] ?? 20_261_206), numRuns: Number(process.env['SCORE_FUZZ_RUNS'] ?? 150), timeout: 5_000, markInterruptAsFailure: true } as const;
let fileCount = 0;

function writeFile(format: TableFormat, content: Buffer | string): string {
  const file = path.join(root, `case-${fileCount++}.${format}`);
  fs.writeFileSync(file, content);
  return file;
}

async function readInteractions(file: string): Promise<Interaction[]> {
  const out: Interaction[] = [];
  for await (const interaction of readGenericInteractions({ path: file })) out.push(interaction);
  return out;
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DataFormatError };

/** Runs a read; any error other than a DataFormatError naming this file fails the property. */
async function outcome<T>(file: string, read: (file: string) => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await read(file) };
  } catch (error) {
    if (!(error instanceof DataFormatError)) throw new Error(`expected a DataFormatError, got ${String(error)}`, { cause: error });
    expect(error.path).toBe(file);
    expect(error.message.length).toBeLessThan(1500);
    if (error.line !== undefined) expect(error.line).toBeGreaterThanOrEqual(1);
    return { ok: false, error };
  }
}

/** What an accepted interaction must be: no silent accept of a bad value. */
function expectValidInteraction(interaction: Interaction): void {
  expect(typeof interaction.userId === 'string' && interaction.userId.length > 0 && interaction.userId === interaction.userId.trim()).toBe(true);
  expect(typeof interaction.itemId === 'string' && interaction.itemId.length > 0 && interaction.itemId === interaction.itemId.trim()).toBe(true);
  expect(Number.isFinite(interaction.timestamp) && Math.abs(interaction.timestamp) <= MAX_TIMESTAMP_SECONDS).toBe(true);
  expect(interaction.rating !== undefined || interaction.label !== undefined).toBe(true);
  if (interaction.rating !== undefined) expect(Number.isFinite(interaction.rating)).toBe(true);
  if (interaction.label !== undefined) expect([0, 1]).toContain(interaction.label);
  if (interaction.split !== undefined) expect(['train', 'valid', 'test']).toContain(interaction.split);
}

function expectValidItem(id: string, item: Item): void {
  expect(item.id).toBe(id);
  expect(id.length > 0 && id === id.trim()).toBe(true);
  expect(typeof item.title).toBe('string');
  for (const values of Object.values(item.attributes)) for (const value of values) expect(value.length > 0 && value === value.trim()).toBe(true);
}

const HEADERS: Record<TableFormat, string> = {
  csv: 'user_id,item_id,timestamp,rating,split\n',
  tsv: 'user_id\titem_id\ttimestamp\trating\tsplit\n',
  jsonl: '{"user_id": "u1", "item_id": "i1", "timestamp": 100, "rating": 4, "reviewerID": "u1", "asin": "i1", "overall": 4, "unixReviewTime": 100, "title": "T"}\n',
};

/** Text made of the characters that matter to the readers (delimiters, quotes, line breaks, braces, digits, non-ASCII). */
const trickyText = fc
  .array(fc.constantFrom('"', '""', "'", ',', '\t', '\n', '\r\n', '\r', ' ', 'u1', 'i2', '17', '4.5', '-', 'e9', '{', '}', '[', ']', ':', '"user_id"', "'asin'", 'True', 'None', 'train', 'é', '\u2028', '\uFEFF', '\u0000', '\\'), { maxLength: 80 })
  .map((parts) => parts.join(''));

/** Random bytes: raw, as UTF-8, latin-1 and UTF-16 text, with and without a byte-order mark. */
const noisyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
  fc.tuple(trickyText, fc.constantFrom<BufferEncoding>('utf8', 'latin1', 'utf16le'), fc.boolean()).map(([text, encoding, bom]) => {
    const body = Buffer.from(text, encoding);
    if (!bom) return body;
    return Buffer.concat([encoding === 'utf16le' ? Buffer.from([0xff, 0xfe]) : Buffer.from([0xef, 0xbb, 0xbf]), body]);
  }),
);

describe('readers under fuzzing', () => {
  for (const format of ['csv', 'tsv', 'jsonl'] as const) {
    it(`${format}: random bytes after a valid header never crash, hang or slip a bad value through`, async () => {
      await fc.assert(
        fc.asyncProperty(noisyBytes, fc.boolean(), async (noise, withHeader) => {
          const file = writeFile(format, Buffer.concat([Buffer.from(withHeader ? HEADERS[format] : ''), noise]));
          const result = await outcome(file, readInteractions);
          if (result.ok) for (const interaction of result.value) expectValidInteraction(interaction);
          const items = await outcome(file, (name) => readGenericItems({ path: name }));
          if (items.ok) for (const [id, item] of items.value) expectValidItem(id, item);
          if (format === 'jsonl') {
            // The Amazon readers take JSON lines and Python dict lines (the 2014 metadata).
            const reviews = await outcome(file, async (name) => {
              const out: Interaction[] = [];
              for await (const review of readAmazonReviews({ path: name })) out.push(review);
              return out;
            });
            if (reviews.ok) for (const review of reviews.value) expectValidInteraction(review);
            const products = await outcome(file, (name) => readAmazonMetadata({ path: name }));
            if (products.ok) for (const [id, item] of products.value) expectValidItem(id, item);
          }
        }),
        SETTINGS,
      );
    });
  }

  it('text that is not UTF-8 (latin-1 accents, UTF-16) is refused, never read as something else', async () => {
    const accented = fc.stringMatching(/^[a-z]{0,5}[àéîõüß][a-z]{0,5}$/);
    await fc.assert(
      fc.asyncProperty(accented, fc.constantFrom<BufferEncoding>('latin1', 'utf16le'), fc.constantFrom<TableFormat>('csv', 'tsv'), async (title, encoding, format) => {
        const delimiter = format === 'tsv' ? '\t' : ',';
        const file = writeFile(format, Buffer.from(`item_id${delimiter}title\ni1${delimiter}${title}\n`, encoding));
        const result = await outcome(file, (name) => readGenericItems({ path: name }));
        expect(result.ok).toBe(false);
      }),
      SETTINGS,
    );
  });
});

// Values without carriage returns (a CRLF line break is one line break) and without surrounding spaces (ids and titles are trimmed).
const cell = fc
  .array(fc.oneof(fc.constantFrom('"', ',', '\t', '\n', ' ', '|', 'é', '😀', '{', '\\'), fc.string({ minLength: 1, maxLength: 4, unit: 'grapheme-ascii' })), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join('').replace(/\r/g, '').trim())
  .filter((text) => text.length > 0);

function quote(value: string, delimiter: string): string {
  return value.includes('"') || value.includes(delimiter) || value.includes('\n') || value.startsWith(' ') ? `"${value.replace(/"/g, '""')}"` : value;
}

const interactionRow = fc.record({
  userId: cell,
  itemId: cell,
  timestamp: fc.integer({ min: 0, max: 2_000_000_000 }),
  rating: fc.integer({ min: 0, max: 50 }).map((tenths) => tenths / 10),
  split: fc.constantFrom('train', 'valid', 'test'),
});

describe('valid tables read back exactly (no silent misreading)', () => {
  for (const format of ['csv', 'tsv', 'jsonl'] as const) {
    it(`${format}: interactions with quotes, delimiters, line breaks and non-ASCII ids`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(interactionRow, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), async (rows, newline) => {
          const delimiter = format === 'tsv' ? '\t' : ',';
          const lines =
            format === 'jsonl'
              ? rows.map((row) => JSON.stringify({ user_id: row.userId, item_id: row.itemId, timestamp: row.timestamp, rating: row.rating, split: row.split }))
              : [['user_id', 'item_id', 'timestamp', 'rating', 'split'].join(delimiter), ...rows.map((row) => [quote(row.userId, delimiter), quote(row.itemId, delimiter), String(row.timestamp), String(row.rating), row.split].join(delimiter))];
          const file = writeFile(format, lines.map((line) => `${line}${newline}`).join(''));
          // In CSV/TSV a CRLF inside a quoted field reads as LF, as it is one line break.
          expect(await readInteractions(file)).toEqual(rows.map((row) => ({ ...row, userId: row.userId, itemId: row.itemId })));
        }),
        SETTINGS,
      );
    });
  }

  it('csv: items with quoted titles and multi-valued attributes', async () => {
    const itemRow = fc.record({ title: cell, genres: fc.array(fc.stringMatching(/^[A-Za-z][A-Za-z -]{0,8}[A-Za-z]$/), { maxLength: 4 }) });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(cell, itemRow), { maxLength: 25, selector: ([id]) => id }), async (entries) => {
        const lines = ['item_id,title,genres', ...entries.map(([id, row]) => [quote(id, ','), quote(row.title, ','), quote(row.genres.join('|'), ',')].join(','))];
        const file = writeFile('csv', `${lines.join('\n')}\n`);
        const items = await readGenericItems({ path: file });
        expect([...items.keys()]).toEqual(entries.map(([id]) => id));
        for (const [id, row] of entries) expect(items.get(id)).toEqual({ id, title: row.title, attributes: { genres: row.genres } });
      }),
      SETTINGS,
    );
  });
});
