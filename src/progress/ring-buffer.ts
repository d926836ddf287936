/**
 * A bounded FIFO that keeps the last `capacity` items (older ones are dropped).
 */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;
  #dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`bad ring capacity ${capacity}`);
    this.#items = new Array<T | undefined>(capacity);
  }

  /** Appends an item, dropping the oldest one when full. */
  push(item: T): void {
    if (this.capacity === 0) {
      this.#dropped += 1;
      return;
    }
    if (this.#size < this.capacity) {
      this.#items[(this.#start + this.#size) % this.capacity] = item;
      this.#size += 1;
      return;
    }
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.capacity;
    this.#dropped += 1;
  }

  get size(): number {
    return this.#size;
  }

  /** How many items were pushed out (or never kept). */
  get dropped(): number {
    return this.#dropped;
  }

  /** The kept items, oldest first; at most `limit` of the newest ones when given. */
  toArray(limit = this.#size): T[] {
    const count = Math.max(0, Math.min(limit, this.#size));
    const out: T[] = [];
    for (let i = this.#size - count; i < this.#size; i += 1) {
      out.push(this.#items[(this.#start + i) % this.capacity] as T);
    }
    return out;
  }
}
