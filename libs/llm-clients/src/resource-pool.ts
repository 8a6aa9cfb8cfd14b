/** A fixed set of resources (context sequences) handed out one caller at a time each. */
export class ResourcePool<T> {
  readonly #free: T[];
  readonly #waiters: ((resource: T) => void)[] = [];

  constructor(resources: readonly T[]) {
    this.#free = [...resources];
  }

  /** Runs `task` with a free resource, waiting for one when all are in use. */
  async use<R>(task: (resource: T) => Promise<R>): Promise<R> {
    const resource = this.#free.pop() ?? (await new Promise<T>((resolve) => this.#waiters.push(resolve)));
    try {
      return await task(resource);
    } finally {
      const waiter = this.#waiters.shift();
      if (waiter) waiter(resource);
      else this.#free.push(resource);
    }
  }
}
