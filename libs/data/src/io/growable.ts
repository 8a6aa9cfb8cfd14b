type TypedArray = Int32Array | Float64Array | Int8Array;
type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

/** An append-only typed column that doubles its storage as it grows. */
export class GrowableColumn<T extends TypedArray> {
  #data: T;
  #length = 0;
  readonly #make: TypedArrayConstructor<T>;

  constructor(make: TypedArrayConstructor<T>, capacity = 1024) {
    this.#make = make;
    this.#data = new make(capacity);
  }

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    if (this.#length === this.#data.length) {
      const bigger = new this.#make(this.#data.length * 2);
      bigger.set(this.#data as never);
      this.#data = bigger;
    }
    this.#data[this.#length++] = value;
  }

  /** The filled part (a view, no copy). */
  view(): T {
    return this.#data.subarray(0, this.#length) as T;
  }
}
