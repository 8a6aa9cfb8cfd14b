import type { PreparedDataset } from '@score/data';
import { describeItem, quoteText } from '@score/prompt-kit';

/**
 * The corpus the from-scratch recommender LM is pretrained on (next-token prediction, before the
 * Yes/No tuning): for every user with liked items in the train split, the titles they liked in time
 * order, quoted and comma-separated as in the prompts (`"A (1999)", "B (2001)"`). Only train rows are
 * read, so no valid or test interaction reaches the model. Users are ordered by id (deterministic).
 */
export function pretrainingTexts(dataset: PreparedDataset): string[] {
  return [...likedTitles(dataset).values()].filter((titles) => titles.length >= 2).map((titles) => titles.join(', '));
}

/** Each user's liked train titles in time order, quoted as in prompts; users ordered by id. */
function likedTitles(dataset: PreparedDataset): Map<string, string[]> {
  const liked = new Map<string, { time: number; index: number; text: string }[]>();
  for (const row of dataset.split('train')) {
    if (row.label !== 1) continue;
    const item = dataset.items.get(row.itemId);
    if (!item) continue;
    const list = liked.get(row.userId) ?? [];
    list.push({ time: row.timestamp, index: row.index, text: quoteText(describeItem(item)) });
    liked.set(row.userId, list);
  }
  const users = [...liked.keys()].sort((a, b) => a.localeCompare(b, 'en'));
  return new Map(users.map((user) => [user, liked.get(user)!.sort((a, b) => a.time - b.time || a.index - b.index).map((entry) => entry.text)]));
}

/**
 * Item knowledge for the from-scratch LM's pretraining, standing in for what a pretrained LLM
 * knows about titles: one text per catalogue item with genres, naming them on both sides of the
 * title as it is spelled in prompts (`Western: "Lone Gunslinger (2016)" is Western.`), so the
 * title's token learns its genres in both directions of next-token prediction. Reads only the
 * item catalogue (no interaction of any split); items without genres give no text. Catalogue order.
 */
export function itemKnowledgeTexts(dataset: PreparedDataset): string[] {
  const texts: string[] = [];
  for (const item of dataset.items.values()) {
    const raw = item.attributes?.['genres'];
    const genres = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((genre): genre is string => typeof genre === 'string' && genre.length > 0);
    if (genres.length === 0) continue;
    const list = genres.join(', ');
    texts.push(`${list}: ${quoteText(describeItem(item))} is ${list}.`);
  }
  return texts;
}

/** The spelling of each item title inside a prompt (quotes inside a title become single quotes): the from-scratch tokenizer's title tokens. */
export function titleTokens(dataset: PreparedDataset): string[] {
  return [...dataset.items.values()].map((item) => quoteText(describeItem(item)).slice(1, -1));
}
