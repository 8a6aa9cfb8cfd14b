import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Interaction, Item } from '@score/core';
import { prepareDataset, type PreparedDataset } from '@score/data';

/** A fresh temporary folder. */
export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'score-self-assess-'));
}

const ITEMS: Item[] = [
  { id: '1', title: 'Alien (1979)', attributes: { genres: ['Sci-Fi', 'Horror'] } },
  { id: '2', title: 'Heat (1995)', attributes: { genres: ['Action', 'Crime'] } },
  { id: '3', title: 'Fargo (1996)', attributes: { genres: ['Crime'] } },
  { id: '4', title: 'Toy Story (1995)', attributes: { genres: ['Animation'] } },
  { id: '5', title: 'Aliens (1986)', attributes: { genres: ['Action', 'Sci-Fi'] } },
  { id: '6', title: 'Casino (1995)', attributes: { genres: ['Crime', 'Drama'] } },
];

/** [user, item, label, split] in time order per user. */
const ROWS: [string, string, 0 | 1, 'train' | 'valid' | 'test'][] = [
  ['a', '1', 1, 'train'],
  ['a', '5', 1, 'train'],
  ['a', '2', 1, 'train'],
  ['a', '4', 0, 'train'],
  ['a', '3', 1, 'test'],
  ['b', '5', 1, 'train'],
  ['b', '2', 1, 'train'],
  ['b', '3', 1, 'train'],
  ['b', '6', 1, 'valid'],
  ['c', '5', 1, 'train'],
  ['c', '6', 1, 'train'],
  ['c', '1', 1, 'train'],
  ['d', '4', 1, 'train'],
  ['d', '3', 1, 'train'],
  ['d', '5', 0, 'train'],
  ['d', '2', 1, 'test'],
];

/** Six movies and four users with hand-checkable co-likes (see the metadata assessor test). */
export async function makeTinyDataset(): Promise<PreparedDataset> {
  const interactions: Interaction[] = ROWS.map(([userId, itemId, label, split], index) => ({ userId, itemId, label, split, timestamp: 1_000 + index * 10 }));
  return prepareDataset({ interactions, items: new Map(ITEMS.map((item) => [item.id, item])), protocol: { kind: 'given-split' }, name: 'tiny', domain: 'movies' });
}
