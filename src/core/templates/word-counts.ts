/**
 * Counts per word (the engine's templates per routing first word), exact:
 * IntMap's table (int-map.ts: open addressing, linear probing, deletes
 * shift entries back, never rebuilt while entries come and go) with the
 * word kept beside its key and compared on a match, so two words with one
 * key stay two. A word is given as the start of a string (a template's
 * text up to its first space) and kept so, with no string cut for it. A Map of strings in its place, on lines that match nothing
 * (a template made and one evicted per line, 10,000 first words), was 7% of
 * the CPU in its lookups (string compares along its entry chains) and about
 * 2% more in the new tables it allocated and filled every few thousand lines.
 * Bound: the capacity is the power of two that keeps the table at most half
 * full; it doubles and halves with the number of words.
 */

const EMPTY = -1;
const MIN_CAPACITY = 8;

export class WordCounts {
  private keys: Int32Array;
  /** The word of each slot: the start of `srcs[i]`, `ends[i]` characters. */
  private srcs: (string | undefined)[];
  private ends: Int32Array;
  private counts: Int32Array;
  private shift: number;
  /** Distinct words counted. */
  size = 0;

  constructor() {
    this.keys = new Int32Array(MIN_CAPACITY).fill(EMPTY);
    this.srcs = new Array<string | undefined>(MIN_CAPACITY).fill(undefined);
    this.ends = new Int32Array(MIN_CAPACITY);
    this.counts = new Int32Array(MIN_CAPACITY);
    this.shift = 32 - Math.log2(MIN_CAPACITY);
  }

  /** Counts one more of the word `src` starts with, `end` characters (`key`: a non-negative 31-bit hash of it); returns its count before. */
  add(src: string, end: number, key: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = this.home(key);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === EMPTY) break;
      if (k === key && this.is(i, src, end)) return this.counts[i]!++;
    }
    keys[i] = key;
    this.srcs[i] = src;
    this.ends[i] = end;
    this.counts[i] = 1;
    if (++this.size * 2 > keys.length) this.resize(keys.length * 2);
    return 0;
  }

  /** Counts one fewer of the word (as `add` takes it); it is forgotten at 0. */
  remove(src: string, end: number, key: number): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = this.home(key);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === EMPTY) return;
      if (k === key && this.is(i, src, end)) break;
    }
    if (--this.counts[i]! > 0) return;
    this.shiftBack(i);
    if (--this.size * 8 < keys.length && keys.length > MIN_CAPACITY) this.resize(keys.length / 2);
  }

  /** Slot i holds the word src[0, end). */
  private is(i: number, src: string, end: number): boolean {
    if (this.ends[i] !== end) return false;
    const own = this.srcs[i]!;
    if (own === src) return true;
    for (let k = 0; k < end; k++) if (own.charCodeAt(k) !== src.charCodeAt(k)) return false;
    return true;
  }

  /** Empties slot i, moving back each following entry of the run that may sit there (its home is not in (i, j]). */
  private shiftBack(i: number): void {
    const keys = this.keys;
    const { srcs, ends, counts } = this;
    const mask = keys.length - 1;
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const h = this.home(keys[j]!);
      if (i <= j ? i < h && h <= j : i < h || h <= j) continue;
      keys[i] = keys[j]!;
      srcs[i] = srcs[j];
      ends[i] = ends[j]!;
      counts[i] = counts[j]!;
      i = j;
    }
    keys[i] = EMPTY;
    srcs[i] = undefined;
    counts[i] = 0;
  }

  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  private resize(capacity: number): void {
    const { keys, srcs, ends, counts } = this;
    this.keys = new Int32Array(capacity).fill(EMPTY);
    this.srcs = new Array<string | undefined>(capacity).fill(undefined);
    this.ends = new Int32Array(capacity);
    this.counts = new Int32Array(capacity);
    this.shift = 32 - Math.log2(capacity);
    const mask = capacity - 1;
    for (let s = 0; s < keys.length; s++) {
      if (keys[s] === EMPTY) continue;
      let i = this.home(keys[s]!);
      while (this.keys[i] !== EMPTY) i = (i + 1) & mask;
      this.keys[i] = keys[s]!;
      this.srcs[i] = srcs[s];
      this.ends[i] = ends[s]!;
      this.counts[i] = counts[s]!;
    }
  }
}
