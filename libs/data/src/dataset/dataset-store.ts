import fs from 'node:fs';
import path from 'node:path';
import { DataFormatError, type DatasetStatistics, type Item, replaceFolder, stringOption, writeJsonAtomic, writeLinesAtomic, readJsonFile } from '@score/core';
import { readParsedLines } from '../io/line-reader';
import { decodeUtf8, parseNumberBytes } from '../io/text';
import { splitFields } from '../readers/field-splitter';
import type { DatasetProtocol } from '../protocol/protocol';
import { PreparedDataset } from './prepared-dataset';

/** Version of the on-disk layout written by {@link saveDataset}. */
export const DATASET_FORMAT_VERSION = 1;

/** Name of the folder inside a run folder that holds a prepared dataset. */
export const DATASET_FOLDER = 'dataset';

/** Contents of `dataset/meta.json`. */
export interface DatasetMeta {
  /** Layout version, {@link DATASET_FORMAT_VERSION} when written by this version. */
  readonly formatVersion: number;
  /** Dataset name. */
  readonly name: string;
  /** Dataset domain. */
  readonly domain: string;
  /** Rows in `rows.tsv`. */
  readonly rows: number;
  /** Lines of `users.jsonl`. */
  readonly users: number;
  /** Lines of `items.jsonl`. */
  readonly items: number;
  /** Duplicate rows removed while preparing. */
  readonly duplicatesRemoved: number;
  /** The protocol that produced the rows, or null when unknown. */
  readonly protocol: DatasetProtocol | null;
  /** Statistics at the time of saving. */
  readonly statistics: DatasetStatistics;
}

const TAB = Buffer.from('\t');
const ROW_HEADER = 'user\titem\tlabel\ttimestamp\tsplit';

/**
 * Writes a prepared dataset to `<runDirectory>/dataset/`: `meta.json` (format version, name,
 * domain, protocol, statistics), `users.jsonl` (one id per line, in `users` order),
 * `items.jsonl` (one item per line, in map order) and `rows.tsv` (user index, item index, label,
 * timestamp, split code, in row order). The folder is written under a temporary name, then renamed
 * into place, so a reader never sees half a dataset. Returns the folder path.
 */
export async function saveDataset(dataset: PreparedDataset, runDirectory: string): Promise<string> {
  if (!(dataset instanceof PreparedDataset)) throw new TypeError('saveDataset expects a PreparedDataset.');
  stringOption('runDirectory', runDirectory);
  await fs.promises.mkdir(runDirectory, { recursive: true });
  return await replaceFolder(path.join(runDirectory, DATASET_FOLDER), async (temporary) => {
    await writeLinesAtomic(path.join(temporary, 'users.jsonl'), dataset.users.map((id) => JSON.stringify(id)));
    await writeLinesAtomic(
      path.join(temporary, 'items.jsonl'),
      [...dataset.items.values()].map((item) => JSON.stringify({ id: item.id, title: item.title, attributes: item.attributes })),
    );
    const { rowUser, rowItem, rowLabel, rowTimestamp, rowSplit } = dataset.columns;
    const rowLines = function* (): Generator<string> {
      yield ROW_HEADER;
      for (let r = 0; r < rowUser.length; r++) yield `${rowUser[r]}\t${rowItem[r]}\t${rowLabel[r]}\t${rowTimestamp[r]}\t${rowSplit[r]}`;
    };
    await writeLinesAtomic(path.join(temporary, 'rows.tsv'), rowLines());
    const meta: DatasetMeta = {
      formatVersion: DATASET_FORMAT_VERSION,
      name: dataset.name,
      domain: dataset.domain,
      rows: dataset.size,
      users: dataset.users.length,
      items: dataset.items.size,
      duplicatesRemoved: dataset.duplicatesRemoved,
      protocol: dataset.protocol ?? null,
      statistics: dataset.statistics(),
    };
    await writeJsonAtomic(path.join(temporary, 'meta.json'), meta);
  });
}

/**
 * Reads back a dataset written by {@link saveDataset} from `<runDirectory>/dataset/`; rows, items,
 * histories and statistics are identical to the saved ones. Throws {@link ArtifactNotFoundError}
 * (produced by the "prepare" stage) when there is no prepared dataset, and
 * {@link DataFormatError} when a file is damaged or of another format version.
 */
export async function loadDataset(runDirectory: string): Promise<PreparedDataset> {
  stringOption('runDirectory', runDirectory);
  const folder = path.join(runDirectory, DATASET_FOLDER);
  const metaPath = path.join(folder, 'meta.json');
  const meta = readJsonFile(metaPath, 'A prepared dataset', { producedBy: 'prepare', reportedPath: folder }) as DatasetMeta;
  if (meta.formatVersion !== DATASET_FORMAT_VERSION) {
    throw new DataFormatError(`format version ${JSON.stringify(meta.formatVersion)} is not supported; this version reads ${DATASET_FORMAT_VERSION}. Prepare the dataset again.`, {
      path: metaPath,
      field: 'formatVersion',
    });
  }
  const usersPath = path.join(folder, 'users.jsonl');
  const userIds: string[] = [];
  for await (const batch of readParsedLines(usersPath, (buffer, start, end, line) => parseJson(usersPath, line, decodeUtf8(buffer, start, end, usersPath, line)), { what: 'Dataset users file' })) {
    for (const id of batch) {
      if (typeof id !== 'string') throw new DataFormatError('expected a JSON string.', { path: usersPath, line: userIds.length + 1 });
      userIds.push(id);
    }
  }
  const itemsPath = path.join(folder, 'items.jsonl');
  const items: Item[] = [];
  const parseItem = (buffer: Buffer, start: number, end: number, line: number): Item => {
    const value = parseJson(itemsPath, line, decodeUtf8(buffer, start, end, itemsPath, line)) as Partial<Item> | null;
    if (typeof value?.id !== 'string' || typeof value.title !== 'string' || typeof value.attributes !== 'object' || value.attributes === null) {
      throw new DataFormatError('expected an item {"id", "title", "attributes"}.', { path: itemsPath, line });
    }
    return value as Item;
  };
  for await (const batch of readParsedLines(itemsPath, parseItem, { what: 'Dataset items file' })) {
    items.push(...batch);
  }
  const rowsPath = path.join(folder, 'rows.tsv');
  const rowCount = meta.rows;
  const columns = {
    rowUser: new Int32Array(rowCount),
    rowItem: new Int32Array(rowCount),
    rowLabel: new Uint8Array(rowCount),
    rowTimestamp: new Float64Array(rowCount),
    rowSplit: new Uint8Array(rowCount),
  };
  const bounds = new Int32Array(12);
  const names = ['user', 'item', 'label', 'timestamp', 'split'] as const;
  let at = 0;
  const parseRow = (buffer: Buffer, start: number, end: number, line: number): undefined => {
    if (line === 1) return undefined;
    if (splitFields(buffer, start, end, TAB, bounds, 5) !== 5) throw new DataFormatError(`expected 5 tab-separated fields (${ROW_HEADER.replaceAll('\t', ', ')}).`, { path: rowsPath, line });
    if (at >= rowCount) throw new DataFormatError(`more rows than the ${rowCount} that meta.json announces.`, { path: rowsPath, line });
    const values = names.map((field, f) => {
      const value = parseNumberBytes(buffer, bounds[f * 2], bounds[f * 2 + 1]);
      if (Number.isNaN(value)) throw new DataFormatError('expected a number.', { path: rowsPath, line, column: f + 1, field });
      return value;
    });
    columns.rowUser[at] = values[0];
    columns.rowItem[at] = values[1];
    columns.rowLabel[at] = values[2];
    columns.rowTimestamp[at] = values[3];
    columns.rowSplit[at] = values[4];
    at++;
    return undefined;
  };
  for await (const _ of readParsedLines(rowsPath, parseRow, { what: 'Dataset rows file' })) {
    // Rows are stored by `parseRow`.
  }
  if (at !== rowCount) throw new DataFormatError(`holds ${at} rows, but meta.json announces ${rowCount}.`, { path: rowsPath });
  return new PreparedDataset({
    name: meta.name,
    domain: meta.domain,
    userIds,
    items,
    ...columns,
    duplicatesRemoved: meta.duplicatesRemoved,
    protocol: meta.protocol ?? undefined,
  });
}

function parseJson(filePath: string, line: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new DataFormatError('the line is not valid JSON.', { path: filePath, line, cause });
  }
}

