import path from 'node:path';
import { DataFormatError, type Interaction, type Item, type ItemId, type ProgressCallback, checkObject, stringOption } from '@score/core';
import { excerpt } from '../io/excerpt';
import { timestampSeconds } from '../io/timestamp';
import { readParsedLines } from '../io/line-reader';
import { decodeLatin1, IdInterner, parseNumberBytes } from '../io/text';
import { splitFields } from './field-splitter';
import { yearOfTitle } from './title-year';

/** Options of {@link readMovieLens1M} and {@link readMovieLens1MItems}. */
export interface MovieLens1MOptions {
  /** Folder of the unpacked `ml-1m.zip` (holding `ratings.dat` and `movies.dat`). */
  readonly directory: string;
  /** Ratings file. @defaultValue `<directory>/ratings.dat` */
  readonly ratingsPath?: string;
  /** Movies file. @defaultValue `<directory>/movies.dat` */
  readonly moviesPath?: string;
  /** Receives `data.read` events counting lines. @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** Stops reading when aborted. @defaultValue none */
  readonly signal?: AbortSignal;
}

const SEPARATOR = Buffer.from('::', 'latin1');
const RATING_FIELDS = ['UserID', 'MovieID', 'Rating', 'Timestamp'] as const;

function resolvePaths(options: MovieLens1MOptions): { ratingsPath: string; moviesPath: string } {
  checkObject('options', options);
  const directory = stringOption('directory', options.directory);
  return {
    ratingsPath: options.ratingsPath === undefined ? path.join(directory, 'ratings.dat') : stringOption('ratingsPath', options.ratingsPath),
    moviesPath: options.moviesPath === undefined ? path.join(directory, 'movies.dat') : stringOption('moviesPath', options.moviesPath),
  };
}

/**
 * Streams MovieLens-1M ratings in their native form: `UserID::MovieID::Rating::Timestamp`
 * (latin-1, one rating per line, timestamps in seconds), in file order.
 * A malformed line throws {@link DataFormatError} naming the file, line and field.
 */
export function readMovieLens1M(options: MovieLens1MOptions): AsyncGenerator<Interaction> {
  // Options are checked now, not at the first `next()`.
  resolvePaths(options);
  return streamMovieLens1M(options);
}

async function* streamMovieLens1M(options: MovieLens1MOptions): AsyncGenerator<Interaction> {
  const { ratingsPath } = resolvePaths(options);
  const bounds = new Int32Array(10);
  const ids = new IdInterner();
  const parse = (buffer: Buffer, start: number, end: number, line: number): Interaction => {
    const count = splitFields(buffer, start, end, SEPARATOR, bounds, 4);
    if (count !== 4) {
      throw new DataFormatError(`expected 4 fields separated by "::" (UserID::MovieID::Rating::Timestamp), found ${count > 4 ? 'more than 4' : count}.`, {
        path: ratingsPath,
        line,
      });
    }
    for (let f = 0; f < 2; f++) {
      if (bounds[f * 2 + 1] <= bounds[f * 2]) {
        throw new DataFormatError('the id is empty.', { path: ratingsPath, line, column: f + 1, field: RATING_FIELDS[f] });
      }
    }
    const rating = parseNumberBytes(buffer, bounds[4], bounds[5]);
    if (Number.isNaN(rating)) {
      throw new DataFormatError(`expected a number, got ${JSON.stringify(excerpt(decodeLatin1(buffer, bounds[4], bounds[5])))}.`, {
        path: ratingsPath,
        line,
        column: 3,
        field: 'Rating',
      });
    }
    const timestamp = parseNumberBytes(buffer, bounds[6], bounds[7]);
    if (Number.isNaN(timestamp)) {
      throw new DataFormatError(`expected a Unix time in seconds, got ${JSON.stringify(excerpt(decodeLatin1(buffer, bounds[6], bounds[7])))}.`, {
        path: ratingsPath,
        line,
        column: 4,
        field: 'Timestamp',
      });
    }
    return {
      userId: ids.intern(buffer, bounds[0], bounds[1]),
      itemId: ids.intern(buffer, bounds[2], bounds[3]),
      rating,
      timestamp: timestampSeconds(timestamp, 'seconds', { path: ratingsPath, line, column: 4, field: 'Timestamp' }),
    };
  };
  for await (const batch of readParsedLines(ratingsPath, parse, { what: 'MovieLens-1M ratings file', ...options })) {
    yield* batch;
  }
}

/**
 * Reads MovieLens-1M movies (`MovieID::Title::Genres`, latin-1). Each item keeps the full title
 * ("Toy Story (1995)") and the attributes `genres` (split on `|`) and `year` (from the title).
 */
export async function readMovieLens1MItems(options: MovieLens1MOptions): Promise<Map<ItemId, Item>> {
  const { moviesPath } = resolvePaths(options);
  const bounds = new Int32Array(8);
  const items = new Map<ItemId, Item>();
  const parse = (buffer: Buffer, start: number, end: number, line: number): Item => {
    const count = splitFields(buffer, start, end, SEPARATOR, bounds, 3);
    if (count !== 3) {
      throw new DataFormatError(`expected 3 fields separated by "::" (MovieID::Title::Genres), found ${count > 3 ? 'more than 3' : count}.`, {
        path: moviesPath,
        line,
      });
    }
    const id = decodeLatin1(buffer, bounds[0], bounds[1]).trim();
    if (id.length === 0) throw new DataFormatError('the id is empty.', { path: moviesPath, line, column: 1, field: 'MovieID' });
    const title = decodeLatin1(buffer, bounds[2], bounds[3]).trim();
    const genres = decodeLatin1(buffer, bounds[4], bounds[5])
      .split('|')
      .map((genre) => genre.trim())
      .filter((genre) => genre.length > 0 && genre !== '(no genres listed)');
    const year = yearOfTitle(title);
    return { id, title, attributes: year === undefined ? { genres } : { genres, year: [year] } };
  };
  const keep = (buffer: Buffer, start: number, end: number, line: number): undefined => {
    const item = parse(buffer, start, end, line);
    if (items.has(item.id)) {
      throw new DataFormatError(`movie id ${JSON.stringify(item.id)} appears twice; each MovieID must be unique.`, { path: moviesPath, line, field: 'MovieID' });
    }
    items.set(item.id, item);
    return undefined;
  };
  for await (const _ of readParsedLines(moviesPath, keep, { what: 'MovieLens-1M movies file', ...options })) {
    // Items are collected by `keep`.
  }
  return items;
}
