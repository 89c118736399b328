/**
 * A map from non-negative 31-bit integers (the engine's word keys) to
 * values, in two flat arrays: open addressing with linear probing, and
 * deletion by shifting the entries after it back (no tombstones), so a map
 * whose entries are replaced all the time (templates made and evicted with
 * the bound full) never rebuilds itself. A JavaScript Map did: its table
 * keeps deleted entries until it is full, then allocates a new one and
 * copies the live entries over (tables of 10,000 templates each time, a
 * large object freed only by a full GC), and each lookup walked a chain of
 * entries elsewhere in memory.
 * Bound: the capacity is the power of two that keeps the table at most half
 * full; it doubles as entries are added and halves when under an eighth
 * full, so it follows the number of entries.
 */

const EMPTY = -1;
const MIN_CAPACITY = 8;

export class IntMap<V> {
  private keys: Int32Array;
  private vals: (V | undefined)[];
  private shift: number;
  size = 0;

  constructor() {
    this.keys = new Int32Array(MIN_CAPACITY).fill(EMPTY);
    this.vals = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
    this.shift = 32 - Math.log2(MIN_CAPACITY);
  }

  get(key: number): V | undefined {
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let i = this.home(key); ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) return this.vals[i];
      if (k === EMPTY) return undefined;
    }
  }

  set(key: number, value: V): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = this.home(key);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) {
        this.vals[i] = value;
        return;
      }
      if (k === EMPTY) break;
    }
    keys[i] = key;
    this.vals[i] = value;
    if (++this.size * 2 > keys.length) this.resize(keys.length * 2);
  }

  delete(key: number): boolean {
    const keys = this.keys;
    const vals = this.vals;
    const mask = keys.length - 1;
    let i = this.home(key);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) break;
      if (k === EMPTY) return false;
    }
    // shift back each following entry of the run that may sit at i (its home is not in (i, j])
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const h = this.home(keys[j]!);
      if (i <= j ? i < h && h <= j : i < h || h <= j) continue;
      keys[i] = keys[j]!;
      vals[i] = vals[j];
      i = j;
    }
    keys[i] = EMPTY;
    vals[i] = undefined;
    if (--this.size * 8 < keys.length && keys.length > MIN_CAPACITY) this.resize(keys.length / 2);
    return true;
  }

  /** The slot a key starts probing from: Fibonacci hashing (the key's bits mixed, the top ones taken). */
  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  private resize(capacity: number): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Int32Array(capacity).fill(EMPTY);
    this.vals = new Array<V | undefined>(capacity).fill(undefined);
    this.shift = 32 - Math.log2(capacity);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) this.set(keys[i]!, vals[i]!);
  }
}
