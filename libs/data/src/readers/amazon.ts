import { DataFormatError, type Interaction, type Item, type ItemId, type ProgressCallback, checkObject, stringOption } from '@score/core';
import { excerpt } from '../io/excerpt';
import { timestampSeconds } from '../io/timestamp';
import { readParsedLines } from '../io/line-reader';
import { parsePythonLiteral } from '../io/python-literal';
import { decodeUtf8 } from '../io/text';
import { idValue, numberValue, shown } from './generic-interactions';

/** Options of {@link readAmazonReviews}. */
export interface AmazonReviewsOptions {
  /**
   * Reviews file in JSON lines (optionally `.gz`), e.g. `Video_Games.json.gz`. Both the 2014 and the
   * 2018 releases use `reviewerID`, `asin`, `overall` (1-5) and `unixReviewTime` (seconds); the 2023
   * release's `user_id`, `parent_asin`/`asin`, `rating` and `timestamp` (milliseconds) are read too.
   */
  readonly path: string;
  /** Receives `data.read` events counting lines. @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** Stops reading when aborted. @defaultValue none */
  readonly signal?: AbortSignal;
}

/** Options of {@link readAmazonMetadata}. */
export interface AmazonMetadataOptions {
  /**
   * Metadata file in JSON lines (optionally `.gz`), e.g. `meta_Video_Games.json.gz`. Lines written
   * as Python dicts (the 2014 release) are read as well.
   */
  readonly path: string;
  /** Receives `data.read` events counting lines. @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** Stops reading when aborted. @defaultValue none */
  readonly signal?: AbortSignal;
}

/**
 * Streams Amazon reviews as interactions with a `rating`, in file order. A line that is not a
 * JSON object, lacks a field or has a non-numeric rating or time throws {@link DataFormatError}
 * naming the file, line and field.
 */
export function readAmazonReviews(options: AmazonReviewsOptions): AsyncGenerator<Interaction> {
  // Options are checked now, not at the first `next()`.
  checkObject('options', options);
  stringOption('path', options.path);
  return streamAmazonReviews(options);
}

async function* streamAmazonReviews(options: AmazonReviewsOptions): AsyncGenerator<Interaction> {
  checkObject('options', options);
  const filePath = stringOption('path', options.path);
  const parse = (buffer: Buffer, start: number, end: number, line: number): Interaction | undefined => {
    const record = parseRecord(decodeUtf8(buffer, start, end, filePath, line), filePath, line);
    if (record === undefined) return undefined;
    const fail = (field: string, message: string): never => {
      throw new DataFormatError(message, { path: filePath, line, field });
    };
    const modern = record.reviewerID === undefined && record.user_id !== undefined;
    const userField = modern ? 'user_id' : 'reviewerID';
    const itemField = modern && record.parent_asin !== undefined ? 'parent_asin' : 'asin';
    const ratingField = modern ? 'rating' : 'overall';
    const timeField = modern ? 'timestamp' : 'unixReviewTime';
    const userId = idValue(record[userField]) ?? fail(userField, `expected a reviewer id, got ${shown(record[userField])}.`);
    const itemId = idValue(record[itemField]) ?? fail(itemField, `expected a product id, got ${shown(record[itemField])}.`);
    const rating = numberValue(record[ratingField]);
    if (Number.isNaN(rating)) fail(ratingField, `expected a number, got ${shown(record[ratingField])}.`);
    const time = numberValue(record[timeField]);
    if (Number.isNaN(time)) fail(timeField, `expected a Unix time, got ${shown(record[timeField])}.`);
    const seconds = timestampSeconds(time, modern ? 'milliseconds' : 'seconds', { path: filePath, line, field: timeField });
    return { userId, itemId, rating, timestamp: modern ? Math.floor(seconds) : seconds };
  };
  for await (const batch of readParsedLines(filePath, parse, { what: 'Amazon reviews file', ...options })) {
    yield* batch;
  }
}

/**
 * Reads Amazon product metadata into items keyed by `asin` (2023: `parent_asin`). Products
 * without a title are skipped (they cannot be written into a prompt). Attributes: `categories`
 * (2014 `categories`, flattened; 2018/2023 `category`/`categories`), `brand`, `mainCategory`
 * (`main_cat`/`main_category`) and `price`, each when present. HTML entities in titles are decoded.
 */
export async function readAmazonMetadata(options: AmazonMetadataOptions): Promise<Map<ItemId, Item>> {
  checkObject('options', options);
  const filePath = stringOption('path', options.path);
  const items = new Map<ItemId, Item>();
  const parse = (buffer: Buffer, start: number, end: number, line: number): undefined => {
    const record = parseRecord(decodeUtf8(buffer, start, end, filePath, line), filePath, line);
    if (record === undefined) return undefined;
    const idField = record.asin === undefined && record.parent_asin !== undefined ? 'parent_asin' : 'asin';
    const id = idValue(record[idField]);
    if (id === undefined) throw new DataFormatError(`expected a product id, got ${shown(record[idField])}.`, { path: filePath, line, field: idField });
    const title = typeof record.title === 'string' ? decodeEntities(record.title).trim() : '';
    if (title.length === 0 || items.has(id)) return undefined;
    const attributes: Record<string, readonly string[]> = {};
    const categories = unique(flatStrings(record.categories ?? record.category));
    if (categories.length > 0) attributes.categories = categories;
    const brand = typeof record.brand === 'string' ? decodeEntities(record.brand).trim() : '';
    if (brand.length > 0) attributes.brand = [brand];
    const main = record.main_cat ?? record.main_category;
    if (typeof main === 'string' && main.trim().length > 0 && !main.includes('<')) attributes.mainCategory = [decodeEntities(main).trim()];
    const price = record.price;
    if ((typeof price === 'number' && Number.isFinite(price)) || (typeof price === 'string' && /^\$?\d/.test(price.trim()))) attributes.price = [String(price).trim()];
    items.set(id, { id, title, attributes });
    return undefined;
  };
  for await (const _ of readParsedLines(filePath, parse, { what: 'Amazon metadata file', ...options })) {
    // Items are collected by `parse`.
  }
  return items;
}

function parseRecord(text: string, filePath: string, line: number): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (jsonError) {
    try {
      value = parsePythonLiteral(trimmed);
    } catch {
      throw new DataFormatError(`the line is neither JSON nor a Python dict (${excerpt((jsonError as Error).message)}).`, { path: filePath, line, cause: jsonError });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataFormatError('expected an object on each line.', { path: filePath, line });
  }
  return value as Record<string, unknown>;
}

function flatStrings(value: unknown): string[] {
  if (typeof value === 'string') return value.trim().length > 0 ? [decodeEntities(value).trim()] : [];
  if (Array.isArray(value)) return value.flatMap(flatStrings);
  return [];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>', nbsp: ' ' };

/** Decodes the HTML entities found in Amazon titles (`&amp;`, `&#39;`, `&#x27;`). */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });
}
