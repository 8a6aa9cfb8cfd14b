/** Runs at most `limit` tasks at once; the others wait in order. */
export class ConcurrencyLimiter {
  readonly limit: number;
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  async run<R>(task: () => Promise<R>): Promise<R> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#queue.push(resolve));
    else this.#active++;
    try {
      return await task();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
