/**
 * A fixed-capacity ring buffer. At the bound, a push overwrites the oldest
 * item (and counts it in `dropped`); memory never grows past `capacity` items.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private head = 0; // index of the oldest item
  private count = 0;
  /** Items overwritten since creation. */
  dropped = 0;
  /** Items ever pushed; the index the next push gets (a cursor for "since N" readers). */
  total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RingBuffer capacity must be a positive integer (got: ${capacity})`);
    this.items = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    const tail = (this.head + this.count) % this.capacity;
    this.items[tail] = item;
    if (this.count === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
    } else {
      this.count++;
    }
    this.total++;
  }

  /** The i-th oldest item still held (0 = oldest). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.head + i) % this.capacity];
  }

  last(): T | undefined {
    return this.at(this.count - 1);
  }

  toArray(): T[] {
    const out: T[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.head + i) % this.capacity] as T;
    return out;
  }

  /**
   * Items pushed at absolute index >= `from` that are still held, and the
   * cursor to pass next time. Items already overwritten are skipped.
   */
  since(from: number): { items: T[]; next: number } {
    const oldest = this.total - this.count;
    const start = Math.max(from, oldest);
    const items: T[] = [];
    for (let abs = start; abs < this.total; abs++) items.push(this.items[(this.head + (abs - oldest)) % this.capacity] as T);
    return { items, next: this.total };
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.head + i) % this.capacity] as T;
  }
}
