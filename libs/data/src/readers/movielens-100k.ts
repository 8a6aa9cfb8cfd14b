import fs from 'node:fs';
import path from 'node:path';
import { DataFormatError, type Interaction, type Item, type ItemId, type ProgressCallback, checkObject, stringOption } from '@score/core';
import { excerpt } from '../io/excerpt';
import { timestampSeconds } from '../io/timestamp';
import { readParsedLines } from '../io/line-reader';
import { decodeLatin1, IdInterner, parseNumberBytes } from '../io/text';
import { splitFields } from './field-splitter';
import { yearOfTitle } from './title-year';

/** Options of {@link readMovieLens100K} and {@link readMovieLens100KItems}. */
export interface MovieLens100KOptions {
  /** Folder of the unpacked `ml-100k.zip` (holding `u.data`, `u.item` and `u.genre`). */
  readonly directory: string;
  /** Ratings file. @defaultValue `<directory>/u.data` */
  readonly ratingsPath?: string;
  /** Items file. @defaultValue `<directory>/u.item` */
  readonly itemsPath?: string;
  /** Genre names file; when it is absent the 19 standard genre names are used. @defaultValue `<directory>/u.genre` */
  readonly genresPath?: string;
  /** Receives `data.read` events counting lines. @defaultValue none */
  readonly onProgress?: ProgressCallback;
  /** Stops reading when aborted. @defaultValue none */
  readonly signal?: AbortSignal;
}

/** The 19 genre flags of `u.item`, in column order (as listed in `u.genre`). */
export const MOVIELENS_100K_GENRES: readonly string[] = Object.freeze([
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
]);

const TAB = Buffer.from('\t', 'latin1');
const PIPE = Buffer.from('|', 'latin1');
const RATING_FIELDS = ['user id', 'item id', 'rating', 'timestamp'] as const;

/**
 * Streams MovieLens-100K ratings (`u.data`: `user id \t item id \t rating \t timestamp`), in
 * file order. A malformed line throws {@link DataFormatError} naming the file, line and field.
 */
export function readMovieLens100K(options: MovieLens100KOptions): AsyncGenerator<Interaction> {
  // Options are checked now, not at the first `next()`.
  checkObject('options', options);
  stringOption('directory', options.directory);
  if (options.ratingsPath !== undefined) stringOption('ratingsPath', options.ratingsPath);
  return streamMovieLens100K(options);
}

async function* streamMovieLens100K(options: MovieLens100KOptions): AsyncGenerator<Interaction> {
  checkObject('options', options);
  const directory = stringOption('directory', options.directory);
  const ratingsPath = options.ratingsPath === undefined ? path.join(directory, 'u.data') : stringOption('ratingsPath', options.ratingsPath);
  const bounds = new Int32Array(10);
  const ids = new IdInterner();
  const parse = (buffer: Buffer, start: number, end: number, line: number): Interaction => {
    const count = splitFields(buffer, start, end, TAB, bounds, 4);
    if (count !== 4) {
      throw new DataFormatError(`expected 4 tab-separated fields (user id, item id, rating, timestamp), found ${count > 4 ? 'more than 4' : count}.`, {
        path: ratingsPath,
        line,
      });
    }
    const values: number[] = [];
    for (let f = 0; f < 4; f++) {
      if (f < 2) {
        if (bounds[f * 2 + 1] <= bounds[f * 2]) throw new DataFormatError('the id is empty.', { path: ratingsPath, line, column: f + 1, field: RATING_FIELDS[f] });
        continue;
      }
      const value = parseNumberBytes(buffer, bounds[f * 2], bounds[f * 2 + 1]);
      if (Number.isNaN(value)) {
        throw new DataFormatError(`expected a number, got ${JSON.stringify(excerpt(decodeLatin1(buffer, bounds[f * 2], bounds[f * 2 + 1])))}.`, {
          path: ratingsPath,
          line,
          column: f + 1,
          field: RATING_FIELDS[f],
        });
      }
      values.push(value);
    }
    return { userId: ids.intern(buffer, bounds[0], bounds[1]), itemId: ids.intern(buffer, bounds[2], bounds[3]), rating: values[0], timestamp: timestampSeconds(values[1], 'seconds', { path: ratingsPath, line, column: 4, field: RATING_FIELDS[3] }) };
  };
  for await (const batch of readParsedLines(ratingsPath, parse, { what: 'MovieLens-100K ratings file', ...options })) {
    yield* batch;
  }
}

/**
 * Reads MovieLens-100K items (`u.item`, latin-1, `|`-separated: id, title, release date, video
 * release date, IMDb URL, then 19 genre flags). Each item keeps its title and the attributes
 * `genres` (the flagged genre names) and `year` (from the title, else the release date).
 */
export async function readMovieLens100KItems(options: MovieLens100KOptions): Promise<Map<ItemId, Item>> {
  checkObject('options', options);
  const directory = stringOption('directory', options.directory);
  const itemsPath = options.itemsPath === undefined ? path.join(directory, 'u.item') : stringOption('itemsPath', options.itemsPath);
  const genresPath = options.genresPath === undefined ? path.join(directory, 'u.genre') : stringOption('genresPath', options.genresPath);
  const genreNames = await readGenreNames(genresPath);
  const fieldCount = 5 + genreNames.length;
  const bounds = new Int32Array(2 * (fieldCount + 1));
  const items = new Map<ItemId, Item>();
  const parse = (buffer: Buffer, start: number, end: number, line: number): undefined => {
    const count = splitFields(buffer, start, end, PIPE, bounds, fieldCount);
    if (count !== fieldCount) {
      throw new DataFormatError(`expected ${fieldCount} "|"-separated fields (id, title, release date, video release date, URL, ${genreNames.length} genre flags), found ${count > fieldCount ? `more than ${fieldCount}` : count}.`, {
        path: itemsPath,
        line,
      });
    }
    const id = decodeLatin1(buffer, bounds[0], bounds[1]).trim();
    if (id.length === 0) throw new DataFormatError('the id is empty.', { path: itemsPath, line, column: 1, field: 'movie id' });
    if (items.has(id)) throw new DataFormatError(`item id ${JSON.stringify(id)} appears twice; ids must be unique.`, { path: itemsPath, line, column: 1, field: 'movie id' });
    const title = decodeLatin1(buffer, bounds[2], bounds[3]).trim();
    const genres: string[] = [];
    for (let g = 0; g < genreNames.length; g++) {
      const s = bounds[(5 + g) * 2];
      const e = bounds[(5 + g) * 2 + 1];
      const flag = decodeLatin1(buffer, s, e).trim();
      if (flag !== '0' && flag !== '1') {
        throw new DataFormatError(`expected a genre flag 0 or 1, got ${JSON.stringify(excerpt(String(flag)))}.`, { path: itemsPath, line, column: 6 + g, field: genreNames[g] });
      }
      if (flag === '1') genres.push(genreNames[g]);
    }
    const releaseDate = decodeLatin1(buffer, bounds[4], bounds[5]).trim();
    const year = yearOfTitle(title) ?? /(\d{4})$/.exec(releaseDate)?.[1];
    items.set(id, { id, title, attributes: year === undefined ? { genres } : { genres, year: [year] } });
    return undefined;
  };
  for await (const _ of readParsedLines(itemsPath, parse, { what: 'MovieLens-100K items file', ...options })) {
    // Items are collected by `parse`.
  }
  return items;
}

async function readGenreNames(genresPath: string): Promise<readonly string[]> {
  let text: string;
  try {
    text = await fs.promises.readFile(genresPath, 'latin1');
  } catch {
    return MOVIELENS_100K_GENRES;
  }
  const names: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim().length === 0) return;
    const [name, position] = line.split('|');
    if (name === undefined || position === undefined || !/^\d+$/.test(position.trim())) {
      throw new DataFormatError('expected "name|index".', { path: genresPath, line: index + 1 });
    }
    names[Number(position)] = name.trim();
  });
  return names;
}
