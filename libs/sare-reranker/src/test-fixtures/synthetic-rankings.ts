import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ItemId, UserId } from '@score/core';
import { generateSyntheticDataset } from '@score/data';
import { basicPrompt, describeHistory, quoteText } from '@score/prompt-kit';
import { createPooledEncoder, trainTokenizer } from '@score/text-encoders';

/** A fresh temporary folder. */
export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'score-sare-'));
}

/** Options of {@link writeSyntheticRankings}. */
export interface SyntheticRankingsOptions {
  readonly users?: number;
  readonly items?: number;
  readonly seed?: number;
  /** K_e. */
  readonly candidates?: number;
}

/**
 * Writes `<runDir>/assess/rankings.jsonl` in the assess stage's format from a small synthetic
 * dataset, the way the assess stage builds it: one train pair per user; K_e candidates from a
 * leakage-safe collaborative retriever (users ordered by how many of the target's history items
 * they liked before the pair's time: CAR's order); an assessment written like the metadata
 * assessor's (the target's genres and the titles most co-liked with it in the train split); and O
 * from the cosine between assessment and behaviour under a fixed, untrained embedder (Eq. 8-9).
 */
export async function writeSyntheticRankings(runDir: string, options: SyntheticRankingsOptions = {}): Promise<number> {
  const dataset = await generateSyntheticDataset({ users: options.users ?? 160, items: options.items ?? 150, seed: options.seed ?? 7, maxInteractionsPerUser: 40 });
  const k = options.candidates ?? 8;
  const item = (id: ItemId) => dataset.items.get(id)!;
  const likers = new Map<ItemId, UserId[]>();
  const likes = new Map<UserId, ItemId[]>();
  for (const row of dataset.split('train')) {
    if (row.label !== 1) continue;
    likers.set(row.itemId, [...(likers.get(row.itemId) ?? []), row.userId]);
    likes.set(row.userId, [...(likes.get(row.userId) ?? []), row.itemId]);
  }
  const coLiked = (target: ItemId): ItemId[] => {
    const counts = new Map<ItemId, number>();
    for (const user of likers.get(target) ?? []) for (const other of likes.get(user) ?? []) if (other !== target) counts.set(other, (counts.get(other) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  };

  const pairs = dataset.users.flatMap((userId) => {
    const rows = dataset.split('train').filter((row) => row.userId === userId && row.historyLength >= 3);
    return rows.length === 0 ? [] : [rows[Math.floor(rows.length / 2)]];
  });
  const texts = [...dataset.items.values()].map((entry) => `${entry.title} ${entry.attributes.genres?.join(' ')}`);
  const embedder = await createPooledEncoder({ tokenizer: trainTokenizer({ texts, vocabSize: 400, kind: 'wordpiece' }), embeddingSize: 32, dimensions: 32, maxLength: 256, seed: 99 });
  const lines: string[] = [];
  for (const row of pairs) {
    const historyIds = dataset.history(row, 10);
    const history = new Set(historyIds);
    const retrieved = dataset.users
      .filter((userId) => userId !== row.userId)
      .map((userId) => {
        const times = dataset.positiveTimes(userId);
        const before = dataset.positives(userId).filter((_, i) => times[i] < row.timestamp);
        return { userId, before, shared: before.filter((id) => history.has(id)).length };
      })
      .filter((user) => user.before.length > 0)
      .sort((a, b) => b.shared - a.shared)
      .slice(0, k)
      .map((user) => ({ userId: user.userId, behaviour: describeHistory(user.before.map(item), { maxItems: 10 }), retrievalScore: user.shared }));
    if (retrieved.length < 2) continue;
    const target = item(row.itemId);
    const examples = coLiked(row.itemId).filter((id) => !history.has(id)).slice(0, 3).map((id) => quoteText(item(id).title));
    const assessment = `Knowing whether the user enjoys ${target.attributes.genres?.join(' and ')} movies such as ${examples.join(', ')} would help predict whether they would enjoy ${quoteText(target.title)}.`;
    const matrix = await embedder.embed([assessment, ...retrieved.map((user) => user.behaviour)]);
    const width = matrix.cols;
    const score = (i: number) => {
      let dot = 0;
      for (let d = 0; d < width; d++) dot += matrix.data[d] * matrix.data[(i + 1) * width + d];
      return dot;
    };
    const candidates = retrieved.map((user, i) => ({ ...user, assessmentScore: score(i) }));
    const order = [...candidates].sort((a, b) => b.assessmentScore - a.assessmentScore).map((user) => user.userId);
    const query = basicPrompt({ domain: 'movies', history: historyIds.map(item), target });
    lines.push(JSON.stringify({ id: `${row.userId}:${row.itemId}@${row.timestamp}`, userId: row.userId, itemId: row.itemId, timestamp: row.timestamp, rowIndex: row.index, label: row.label, query, assessmentSource: 'metadata', candidates, order }));
  }
  embedder.dispose();
  fs.mkdirSync(path.join(runDir, 'assess'), { recursive: true });
  fs.writeFileSync(path.join(runDir, 'assess', 'rankings.jsonl'), `${lines.join('\n')}\n`);
  return lines.length;
}
