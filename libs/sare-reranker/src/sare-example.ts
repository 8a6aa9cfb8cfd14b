import { InvalidOptionError, type RerankCandidate } from '@score/core';

/** One training or evaluation example of SARE. */
export interface SareExample {
  /** A name for error messages and reports (e.g. the pair id). @defaultValue the example's index */
  readonly id?: string;
  /** The filled basic prompt P^b of the target pair (method.md Eq. 10). */
  readonly query: string;
  /**
   * The retrieved users' behaviour texts in the order O (method.md Eq. 9), best first: O[0] is the
   * positive of Eq. 12. Ids must be unique.
   */
  readonly candidates: readonly RerankCandidate[];
  /**
   * The retriever's (CAR's) order of the same ids, best first; used to report how well CAR's order
   * already agrees with O.
   * @defaultValue none
   */
  readonly retrievalOrder?: readonly string[];
}

/** Checks a list of examples (query text, 2+ candidates with unique ids and texts). */
export function checkExamples(field: string, examples: unknown): asserts examples is readonly SareExample[] {
  if (!Array.isArray(examples)) throw new InvalidOptionError(field, 'must be an array of { query, candidates } examples.', examples);
  examples.forEach((example: SareExample, index) => {
    const where = `${field}[${index}]`;
    if (example === null || typeof example !== 'object' || typeof example.query !== 'string') {
      throw new InvalidOptionError(where, 'must be an object with a "query" string and a "candidates" array.', example);
    }
    if (!Array.isArray(example.candidates) || example.candidates.length < 2) {
      throw new InvalidOptionError(`${where}.candidates`, `must hold at least 2 candidates (an order to learn), got ${Array.isArray(example.candidates) ? example.candidates.length : 'none'}.`);
    }
    const ids = new Set<string>();
    example.candidates.forEach((candidate, position) => {
      if (candidate === null || typeof candidate !== 'object' || typeof candidate.id !== 'string' || typeof candidate.text !== 'string') {
        throw new InvalidOptionError(`${where}.candidates[${position}]`, 'must be an object { id: string, text: string }.', candidate);
      }
      if (ids.has(candidate.id)) throw new InvalidOptionError(`${where}.candidates[${position}].id`, `${JSON.stringify(candidate.id)} appears twice; each candidate may appear once.`, candidate.id);
      ids.add(candidate.id);
    });
  });
}
