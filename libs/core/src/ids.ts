/** A user's identifier, as it appears in the source data (kept as a string). */
export type UserId = string;

/** An item's identifier, as it appears in the source data (kept as a string). */
export type ItemId = string;

/** The three splits of the temporal protocol. */
export type SplitName = 'train' | 'valid' | 'test';

/** Every split name, in protocol order. */
export const SPLIT_NAMES: readonly SplitName[] = Object.freeze(['train', 'valid', 'test'] as const);

/** Domain of a dataset; selects the nouns of the prompt templates ("movies", "games", "books"). */
export type Domain = 'movies' | 'games' | 'books' | (string & {});
