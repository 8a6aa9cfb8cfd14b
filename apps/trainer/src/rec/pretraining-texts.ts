import { InvalidOptionError } from '@score/core';
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

/** The from-scratch LM's pretraining corpus ({@link pretrainingCorpus}). */
export interface PretrainingCorpus {
  /** Texts trained on. */
  readonly texts: string[];
  /** Texts whose loss early stopping watches. */
  readonly validTexts: string[];
  /** Behaviour texts in the corpus, the held-out ones included. */
  readonly behaviourTexts: number;
  /** Item texts in the corpus. */
  readonly itemTexts: number;
}

/**
 * Assembles the pretraining corpus: behaviour texts ({@link pretrainingTexts}) when `behaviour`,
 * item texts ({@link itemKnowledgeTexts}) when `items`. Early stopping watches the last 5% of the
 * behaviour texts, which are not trained on; item texts are all trained on. With item texts only,
 * every text is trained on and watched (an item's genres are knowledge to learn, not a sample to
 * generalise from). Throws an {@link InvalidOptionError} naming `rec.pretrainBehaviourTexts` when the
 * corpus would be empty.
 */
export function pretrainingCorpus(dataset: PreparedDataset, options: { behaviour: boolean; items: boolean }): PretrainingCorpus {
  const behaviour = options.behaviour ? pretrainingTexts(dataset) : [];
  const items = options.items ? itemKnowledgeTexts(dataset) : [];
  if (behaviour.length + items.length === 0) {
    throw new InvalidOptionError(
      'rec.pretrainBehaviourTexts',
      `the pretraining corpus would be empty (rec.pretrainBehaviourTexts is ${options.behaviour}, rec.pretrainItemTexts is ${options.items}${options.items ? ' but no item has genres' : ''}${options.behaviour ? ', and no user liked two train items' : ''}): set one of them to true, or rec.pretrainEpochs to 0.`,
      options.behaviour,
    );
  }
  if (behaviour.length === 0) return { texts: items, validTexts: items, behaviourTexts: 0, itemTexts: items.length };
  const held = Math.max(1, Math.floor(behaviour.length * 0.05));
  return { texts: [...items, ...behaviour.slice(0, behaviour.length - held)], validTexts: behaviour.slice(behaviour.length - held), behaviourTexts: behaviour.length, itemTexts: items.length };
}
