import { type Dataset, type ItemId, UnknownIdError } from '@score/core';

/**
 * Maps ids (items or users) to dense indices 1..size; index 0 is reserved (padding for items,
 * "unknown" for users).
 */
export class IdVocabulary {
  readonly kind: 'item' | 'user';
  /** Ids in index order; `ids[i]` has index i + 1. */
  readonly ids: readonly string[];
  readonly #index: Map<string, number>;

  constructor(kind: 'item' | 'user', ids: Iterable<string>) {
    this.kind = kind;
    this.#index = new Map();
    const list: string[] = [];
    for (const id of ids) {
      if (this.#index.has(id)) continue;
      list.push(id);
      this.#index.set(id, list.length);
    }
    this.ids = list;
  }

  /** Number of ids (index 0 not counted). */
  get size(): number {
    return this.ids.length;
  }

  /** The index of `id`, or 0 when it is unknown. */
  indexOf(id: string): number {
    return this.#index.get(id) ?? 0;
  }

  has(id: string): boolean {
    return this.#index.has(id);
  }

  /**
   * Indices of `ids`; every unknown id is collected and reported at once.
   * @throws UnknownIdError listing the unknown ids.
   */
  encode(ids: readonly string[], context: string): Int32Array {
    const out = new Int32Array(ids.length);
    const unknown: string[] = [];
    let count = 0;
    ids.forEach((id, i) => {
      const index = this.#index.get(id);
      if (index === undefined) {
        count += 1;
        if (unknown.length < 20) unknown.push(id);
      } else {
        out[i] = index;
      }
    });
    if (count > 0) throw new UnknownIdError(this.kind, unknown, count, context);
    return out;
  }
}

/** The item vocabulary of a dataset: its items in map order, then any item a row names. */
export function itemVocabularyOf(dataset: Dataset): IdVocabulary {
  function* ids(): Iterable<ItemId> {
    yield* dataset.items.keys();
    for (const row of dataset.rows) yield row.itemId;
  }
  return new IdVocabulary('item', ids());
}
