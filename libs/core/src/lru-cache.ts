import { InvalidOptionError } from './errors';

/** Options of {@link LruCache}. */
export interface LruCacheOptions {
  /**
   * Most entries kept; the least recently used one is dropped first. 0 disables the cache.
   * @defaultValue 10000
   */
  readonly maxEntries?: number;
}

/**
 * A least-recently-used cache over a `Map` (insertion order = recency): `get` and `set` are O(1).
 * The inference service keeps retrieval results in one (keyed by the history's hash); SARE keeps
 * candidate-text embeddings in one.
 */
export class LruCache<K, V> {
  /** The capacity. */
  readonly maxEntries: number;
  readonly #entries = new Map<K, V>();
  #hits = 0;
  #misses = 0;

  constructor(options: LruCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new InvalidOptionError('maxEntries', `must be a non-negative integer, got ${maxEntries}.`, maxEntries);
    }
    this.maxEntries = maxEntries;
  }

  /** The value for `key` (now the most recently used), or undefined. */
  get(key: K): V | undefined {
    if (!this.#entries.has(key)) {
      this.#misses += 1;
      return undefined;
    }
    const value = this.#entries.get(key) as V;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    this.#hits += 1;
    return value;
  }

  /** Stores `value` as the most recently used entry, dropping the least recently used beyond capacity. */
  set(key: K, value: V): this {
    if (this.maxEntries === 0) return this;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as K);
    return this;
  }

  /** Whether `key` is cached (does not change recency). */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Removes `key`; true when it was there. */
  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Removes every entry (the hit and miss counts stay). */
  clear(): void {
    this.#entries.clear();
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Keys from least to most recently used. */
  keys(): K[] {
    return [...this.#entries.keys()];
  }

  /** Lookups that found an entry and lookups that did not. */
  get stats(): { readonly hits: number; readonly misses: number } {
    return { hits: this.#hits, misses: this.#misses };
  }
}
