import type { Dataset, ItemId, UserId } from '@score/core';
import { InvalidOptionError, checkMethods, checkObject, integerOption } from '@score/core';
import { quoteText, resolveDomain } from '@score/prompt-kit';
import type { Assessment, AssessmentPair, Assessor } from './assessment';

/** Options of {@link createMetadataAssessor}. */
export interface MetadataAssessorOptions {
  /** The dataset whose train split gives the co-liked items (and whose domain gives the nouns). */
  readonly dataset: Dataset;
  /**
   * Item attributes that name the target's kind, tried in order; the first one the target has is
   * used (ML-1M and the synthetic data have `genres`, Amazon has `categories`).
   * @defaultValue ["genres", "categories"]
   */
  readonly attributes?: readonly string[];
  /**
   * Most attribute values (genres) named.
   * @defaultValue 3
   */
  readonly maxAttributeValues?: number;
  /**
   * Most co-liked items named.
   * @defaultValue 3
   */
  readonly maxCoLikedItems?: number;
}

/** The non-LLM fallback assessor; see {@link createMetadataAssessor}. */
export interface MetadataAssessor extends Assessor {
  readonly source: 'metadata';
  /**
   * The items most co-liked with `itemId` in the train split, most co-likes first: for every
   * user who liked it in the train split, each other item that user liked there counts once.
   * With `before`, only likes strictly before that time count (the liker's like of `itemId`
   * and of the other item), as an assessment of a pair at that time may use. Ties keep the order
   * in which the items were first met (likes in time order).
   */
  coLikedItems(itemId: ItemId, before?: number): readonly { readonly itemId: ItemId; readonly users: number }[];
}

/** How many co-liked items are kept per target before a pair's own history is excluded. */
const CO_LIKED_POOL = 50;

/**
 * The metadata assessor: a documented non-LLM fallback for self-assessment (method.md Eq. 7)
 * when no LLM is configured. It writes, in the spirit of an LLM's answer to the self-assessing
 * prompt, which tastes would help decide on the target: the target's genres (or categories) and
 * the items most co-liked with the target in the train split by the users who liked it, counting
 * only likes before the pair's time (items already in the pair's history and the target itself
 * are left out), e.g.
 *
 * `Knowing whether the user enjoys Action and Sci-Fi movies such as "Alien (1979)", "Heat (1995)"
 * and "Fargo (1996)" would help predict whether they would enjoy "Aliens (1986)".`
 *
 * Every assessment it writes has `source: "metadata"`, so stage outputs and reports name it.
 */
export function createMetadataAssessor(options: MetadataAssessorOptions): MetadataAssessor {
  checkObject('options', options);
  checkMethods('dataset', options.dataset, ['split', 'history', 'positives'], 'a prepared dataset');
  const dataset = options.dataset;
  const attributes = options.attributes ?? ['genres', 'categories'];
  if (!Array.isArray(attributes) || attributes.some((name) => typeof name !== 'string')) {
    throw new InvalidOptionError('attributes', 'must be a list of attribute names, e.g. ["genres"].', attributes);
  }
  const maxAttributeValues = integerOption('maxAttributeValues', options.maxAttributeValues, 3, 0);
  const maxCoLikedItems = integerOption('maxCoLikedItems', options.maxCoLikedItems, 3, 0);
  const nouns = resolveDomain(dataset.domain);

  // Who liked what in the train split, and when (time order).
  const likers = new Map<ItemId, { userId: UserId; time: number }[]>();
  const likes = new Map<UserId, { itemId: ItemId; time: number }[]>();
  const trainLikes = dataset.split('train').filter((row) => row.label === 1);
  trainLikes.sort((a, b) => a.timestamp - b.timestamp || a.index - b.index);
  for (const row of trainLikes) {
    push(likers, row.itemId, { userId: row.userId, time: row.timestamp });
    push(likes, row.userId, { itemId: row.itemId, time: row.timestamp });
  }
  const cache = new Map<ItemId, { itemId: ItemId; users: number }[]>();

  const coLikedItems = (itemId: ItemId, before = Number.POSITIVE_INFINITY): { itemId: ItemId; users: number }[] => {
    if (typeof before !== 'number' || Number.isNaN(before)) throw new InvalidOptionError('before', `must be a time in seconds, got ${String(before)}.`, before);
    const everything = before === Number.POSITIVE_INFINITY;
    const cached = everything ? cache.get(itemId) : undefined;
    if (cached) return cached;
    const counts = new Map<ItemId, number>();
    const users = new Set<UserId>();
    for (const like of likers.get(itemId) ?? []) if (like.time < before) users.add(like.userId);
    for (const userId of users) {
      const counted = new Set<ItemId>();
      for (const other of likes.get(userId) ?? []) {
        if (other.time >= before) break;
        if (other.itemId === itemId || counted.has(other.itemId)) continue;
        counted.add(other.itemId);
        counts.set(other.itemId, (counts.get(other.itemId) ?? 0) + 1);
      }
    }
    // Map iteration keeps first-met order, and the sort is stable, so ties keep that order.
    const ranked = [...counts].map(([id, count]) => ({ itemId: id, users: count })).sort((a, b) => b.users - a.users);
    const kept = ranked.slice(0, CO_LIKED_POOL);
    if (everything) cache.set(itemId, kept);
    return kept;
  };

  const assess = async (pair: AssessmentPair): Promise<Assessment> => {
    const target = pair.target;
    const kinds = attributeValues(target.attributes, attributes).slice(0, maxAttributeValues);
    const seen = new Set<ItemId>([target.id, ...pair.history.map((item) => item.id)]);
    const titles: string[] = [];
    // Leakage rule: only likes before the pair's time (never the target user's own later likes).
    for (const { itemId } of coLikedItems(target.id, pair.timestamp)) {
      if (titles.length >= maxCoLikedItems) break;
      if (seen.has(itemId)) continue;
      const item = dataset.items.get(itemId);
      if (item) titles.push(quoteText(item.title));
    }
    const taste = kinds.length > 0 ? `${joinWords(kinds)} ${nouns.itemNounPlural}` : `${nouns.itemNounPlural} like this one`;
    const examples = titles.length > 0 ? ` such as ${joinWords(titles)}` : '';
    const text = `Knowing whether the user enjoys ${taste}${examples} would help predict whether they would enjoy ${quoteText(target.title)}.`;
    return { text, source: 'metadata' };
  };

  return { source: 'metadata', assess, coLikedItems };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function attributeValues(itemAttributes: Readonly<Record<string, readonly string[]>> | undefined, names: readonly string[]): string[] {
  for (const name of names) {
    const values = itemAttributes?.[name];
    if (Array.isArray(values)) {
      const kept = values.filter((value): value is string => typeof value === 'string' && value.length > 0);
      if (kept.length > 0) return [...new Set(kept)];
    }
  }
  return [];
}

/** "A", "A and B", "A, B and C". */
function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
