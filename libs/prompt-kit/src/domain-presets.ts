import { InvalidOptionError, describeValue } from '@score/core';
import type { Domain } from '@score/core';

/** The nouns and verb a domain puts into the prompt templates. */
export interface DomainPreset {
  /** Domain name, e.g. "movies". */
  readonly name: string;
  /** One item, as in "the movie titled ...". */
  readonly itemNoun: string;
  /** Several items, as in "the following movies". */
  readonly itemNounPlural: string;
  /** What a user did with an item, as in "The user has watched ...". */
  readonly consumedVerb: string;
}

/**
 * Presets of the three domains of method.md: movies (ML-1M, the paper's wording), games (Amazon
 * Games) and books; "other domains (games, books) swap the nouns".
 */
export const DOMAIN_PRESETS: Readonly<Record<'movies' | 'games' | 'books', DomainPreset>> = Object.freeze({
  movies: Object.freeze({ name: 'movies', itemNoun: 'movie', itemNounPlural: 'movies', consumedVerb: 'watched' }),
  games: Object.freeze({ name: 'games', itemNoun: 'game', itemNounPlural: 'games', consumedVerb: 'played' }),
  books: Object.freeze({ name: 'books', itemNoun: 'book', itemNounPlural: 'books', consumedVerb: 'read' }),
});

/**
 * The preset of a domain name, or a custom preset checked field by field.
 * @throws InvalidOptionError for an unknown domain name or a preset with an empty field.
 */
export function resolveDomain(domain: Domain | DomainPreset): DomainPreset {
  if (typeof domain === 'string') {
    if (Object.hasOwn(DOMAIN_PRESETS, domain)) return DOMAIN_PRESETS[domain as keyof typeof DOMAIN_PRESETS];
    throw new InvalidOptionError(
      'domain',
      `${JSON.stringify(domain)} has no preset; use "movies", "games" or "books", or pass a preset object { name, itemNoun, itemNounPlural, consumedVerb }.`,
      domain,
    );
  }
  if (domain === null || typeof domain !== 'object') {
    throw new InvalidOptionError('domain', `must be a domain name or a preset object, got ${describeValue(domain)}.`, domain);
  }
  for (const key of ['name', 'itemNoun', 'itemNounPlural', 'consumedVerb'] as const) {
    if (typeof domain[key] !== 'string' || domain[key].length === 0) {
      throw new InvalidOptionError(`domain.${key}`, `must be a non-empty string, got ${describeValue(domain[key])}.`, domain[key]);
    }
  }
  return domain;
}
