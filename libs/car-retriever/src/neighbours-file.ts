import fs from 'node:fs';
import { ArtifactNotFoundError, DataFormatError, type UserId, writeFileAtomicSync } from '@score/core';
import type { CollaborativeNeighbour } from './neighbour-retriever';

/**
 * Reads CRM neighbours N_c(u) from JSON: either the CRM stage's `neighbours.json`
 * (`{ "neighbours": { "<user>": [{ "userId": "...", "score": 0.9 }, ...] }, ... }`) or the bare
 * object of user id to list.
 * @throws ArtifactNotFoundError when the file is missing; DataFormatError (naming the user and field) when it is malformed.
 */
export function readNeighboursFile(filePath: string): Map<UserId, CollaborativeNeighbour[]> {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch {
    throw new ArtifactNotFoundError(filePath, 'The CRM neighbours file', 'crm');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DataFormatError('is not valid JSON.', { path: filePath, cause });
  }
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(json)) throw new DataFormatError('must hold a JSON object of user id to neighbour list.', { path: filePath });
  const table = isObject(json['neighbours']) ? json['neighbours'] : json;
  const result = new Map<UserId, CollaborativeNeighbour[]>();
  for (const [userId, list] of Object.entries(table)) {
    if (!Array.isArray(list)) throw new DataFormatError(`the neighbours of user "${userId}" must be an array of { userId, score }.`, { path: filePath, field: userId });
    result.set(
      userId,
      list.map((entry: unknown, i) => {
        if (!isObject(entry) || typeof entry['userId'] !== 'string' || typeof entry['score'] !== 'number') {
          throw new DataFormatError(`neighbour ${i} of user "${userId}" must be { "userId": string, "score": number }, got ${JSON.stringify(entry)}.`, { path: filePath, field: `${userId}[${i}]` });
        }
        return { userId: entry['userId'], score: entry['score'] };
      }),
    );
  }
  return result;
}

/** Writes neighbours as `{ "neighbours": { user: [{ userId, score }] } }` (temp name, then rename). */
export function writeNeighboursFile(filePath: string, neighbours: ReadonlyMap<UserId, readonly CollaborativeNeighbour[]>): void {
  const table: Record<string, { userId: UserId; score: number }[]> = {};
  for (const [userId, list] of neighbours) table[userId] = list.map((n) => ({ userId: n.userId, score: n.score }));
  writeFileAtomicSync(filePath, `${JSON.stringify({ neighbours: table })}\n`);
}
