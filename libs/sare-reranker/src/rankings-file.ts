import fs from 'node:fs';
import { ArtifactNotFoundError, DataFormatError } from '@score/core';
import type { SareExample } from './sare-example';

/**
 * Reads `rankings.jsonl` written by the assess stage (`@score/self-assess`): one JSON object per
 * line with `id`, `query` (the filled P^b), `candidates` (`{ userId, behaviour }` in the
 * retriever's order) and `order` (the user ids by O). Each becomes a {@link SareExample} whose
 * candidates follow O and whose `retrievalOrder` is the retriever's order.
 *
 * @throws ArtifactNotFoundError (produced by the "assess" stage) when the file is missing;
 *   DataFormatError naming the line and field of a damaged record.
 */
export async function readRankingsFile(file: string): Promise<SareExample[]> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch {
    throw new ArtifactNotFoundError(file, 'The self-assessment rankings (rankings.jsonl)', 'assess');
  }
  const examples: SareExample[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim().length === 0) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (cause) {
      throw new DataFormatError('is not valid JSON; each line must be one ranking record.', { path: file, line, cause });
    }
    const record = value as { id?: unknown; query?: unknown; candidates?: unknown; order?: unknown };
    if (record === null || typeof record !== 'object') throw new DataFormatError('must be a JSON object (a ranking record).', { path: file, line });
    if (typeof record.id !== 'string') throw new DataFormatError('must be a string.', { path: file, line, field: 'id' });
    if (typeof record.query !== 'string') throw new DataFormatError('must be a string (the filled basic prompt).', { path: file, line, field: 'query' });
    if (!Array.isArray(record.candidates)) throw new DataFormatError('must be an array of { userId, behaviour }.', { path: file, line, field: 'candidates' });
    const behaviour = new Map<string, string>();
    const retrievalOrder: string[] = [];
    record.candidates.forEach((candidate: { userId?: unknown; behaviour?: unknown }, position: number) => {
      if (candidate === null || typeof candidate?.userId !== 'string' || typeof candidate.behaviour !== 'string' || behaviour.has(candidate.userId)) {
        throw new DataFormatError(`candidate ${position} must be { userId: string, behaviour: string } with a user id not seen before in the record.`, { path: file, line, field: 'candidates' });
      }
      behaviour.set(candidate.userId, candidate.behaviour);
      retrievalOrder.push(candidate.userId);
    });
    const order = record.order;
    if (!Array.isArray(order) || order.length !== behaviour.size || new Set(order).size !== order.length || order.some((id) => typeof id !== 'string' || !behaviour.has(id))) {
      throw new DataFormatError('must list every candidate user id exactly once (the order O).', { path: file, line, field: 'order' });
    }
    examples.push({ id: record.id, query: record.query, candidates: (order as string[]).map((id) => ({ id, text: behaviour.get(id)! })), retrievalOrder });
  });
  return examples;
}
