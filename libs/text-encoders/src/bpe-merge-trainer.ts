/** A word of the training corpus as a list of symbols, with how often it occurs. */
export interface CountedWord {
  symbols: string[];
  readonly count: number;
}

interface HeapEntry {
  readonly count: number;
  readonly key: string;
}

/** Max-heap on count, ties broken by the smaller pair key (deterministic training). */
class PairHeap {
  readonly #items: HeapEntry[] = [];

  get size(): number {
    return this.#items.length;
  }

  static #before(a: HeapEntry, b: HeapEntry): boolean {
    return a.count > b.count || (a.count === b.count && a.key < b.key);
  }

  push(entry: HeapEntry): void {
    const items = this.#items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!PairHeap.#before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): HeapEntry | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < items.length && PairHeap.#before(items[left]!, items[best]!)) best = left;
        if (right < items.length && PairHeap.#before(items[right]!, items[best]!)) best = right;
        if (best === i) break;
        [items[i], items[best]] = [items[best]!, items[i]!];
        i = best;
      }
    }
    return top;
  }
}

/** Merges every non-overlapping occurrence of (left, right), left to right. */
export function mergeSymbols(symbols: readonly string[], left: string, right: string, merged: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
      out.push(merged);
      i++;
    } else {
      out.push(symbols[i]!);
    }
  }
  return out;
}

/** Options of {@link learnMerges}. */
export interface LearnMergesOptions {
  /** Called before each merge; training ends when it returns true (e.g. the vocabulary is full). */
  readonly stop: () => boolean;
  /** Pairs seen fewer times than this are never merged. */
  readonly minFrequency: number;
  /** The symbol two symbols merge into (BPE: concatenation; WordPiece: drops the right "##"). */
  readonly join: (left: string, right: string) => string;
  /** Called with each merge as it is learned. */
  readonly onLearn?: (left: string, right: string) => void;
  /** Called after each merge with the number of merges so far. */
  readonly onMerge?: (done: number) => void;
}

/**
 * Byte-pair-encoding merge learning (Sennrich et al. 2016): repeatedly merges the most frequent
 * adjacent symbol pair of the corpus. Mutates `words`; returns the merges in the order learned.
 */
export function learnMerges(words: CountedWord[], options: LearnMergesOptions): [string, string][] {
  const pairCounts = new Map<string, number>();
  const pairWords = new Map<string, Set<number>>();
  const touched = new Set<string>();
  const add = (word: CountedWord, index: number, sign: 1 | -1): void => {
    for (let i = 0; i + 1 < word.symbols.length; i++) {
      const key = `${word.symbols[i]} ${word.symbols[i + 1]}`;
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * word.count);
      touched.add(key);
      if (sign === 1) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(index);
      }
    }
  };
  words.forEach((word, index) => add(word, index, 1));
  const heap = new PairHeap();
  const flush = (): void => {
    for (const key of touched) {
      const count = pairCounts.get(key) ?? 0;
      if (count > 0) heap.push({ count, key });
    }
    touched.clear();
  };
  flush();
  const merges: [string, string][] = [];
  while (heap.size > 0 && !options.stop()) {
    const top = heap.pop()!;
    const current = pairCounts.get(top.key) ?? 0;
    if (current !== top.count) continue; // a stale entry; the current count has its own entry
    if (current < options.minFrequency) break;
    const [left, right] = top.key.split(' ') as [string, string];
    const merged = options.join(left, right);
    for (const index of pairWords.get(top.key) ?? []) {
      const word = words[index]!;
      add(word, index, -1);
      word.symbols = mergeSymbols(word.symbols, left, right, merged);
      add(word, index, 1);
    }
    pairWords.delete(top.key);
    flush();
    merges.push([left, right]);
    options.onLearn?.(left, right);
    options.onMerge?.(merges.length);
  }
  return merges;
}

/** Applies ranked merges to a word the way a BPE model encodes: lowest-rank pair first, until none applies. */
export function applyMerges(symbols: readonly string[], ranks: ReadonlyMap<string, number>, join: (left: string, right: string) => string): string[] {
  let current = [...symbols];
  for (;;) {
    let best = -1;
    let bestRank = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 1 < current.length; i++) {
      const rank = ranks.get(`${current[i]} ${current[i + 1]}`);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) return current;
    const left = current[best]!;
    const right = current[best + 1]!;
    current = mergeSymbols(current, left, right, join(left, right));
  }
}
