import type { PreparedDataset } from '@score/data';
import { describeItem, quoteText } from '@score/prompt-kit';

/**
 * The corpus the from-scratch recommender LM is pretrained on (next-token prediction, before the
 * Yes/No tuning): for every user with liked items in the train split, the titles they liked in time
 * order, quoted and comma-separated as in the prompts (`"A (1999)", "B (2001)"`). Only train rows are
 * read, so no valid or test interaction reaches the model. Users are ordered by id (deterministic).
 */
export function pretrainingTexts(dataset: PreparedDataset): string[] {
  const liked = new Map<string, { time: number; index: number; text: string }[]>();
  for (const row of dataset.split('train')) {
    if (row.label !== 1) continue;
    const item = dataset.items.get(row.itemId);
    if (!item) continue;
    const list = liked.get(row.userId) ?? [];
    list.push({ time: row.timestamp, index: row.index, text: quoteText(describeItem(item)) });
    liked.set(row.userId, list);
  }
  return [...liked.keys()]
    .sort((a, b) => a.localeCompare(b, 'en'))
    .map((user) => liked.get(user)!)
    .filter((list) => list.length >= 2)
    .map((list) => list.sort((a, b) => a.time - b.time || a.index - b.index).map((entry) => entry.text).join(', '));
}

/** The spelling of each item title inside a prompt (quotes inside a title become single quotes): the from-scratch tokenizer's title tokens. */
export function titleTokens(dataset: PreparedDataset): string[] {
  return [...dataset.items.values()].map((item) => quoteText(describeItem(item)).slice(1, -1));
}
