/**
 * Counts per word (the engine's templates per routing first word), exact:
 * IntMap's table (int-map.ts: open addressing, linear probing, deletes
 * shift entries back, never rebuilt while entries come and go) with the
 * word kept beside its key and compared on a match, so two words with one
 * key stay two. A Map of strings in its place, on lines that match nothing
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
  private words: (string | undefined)[];
  private counts: Int32Array;
  private shift: number;
  /** Distinct words counted. */
  size = 0;

  constructor() {
    this.keys = new Int32Array(MIN_CAPACITY).fill(EMPTY);
    this.words = new Array<string | undefined>(MIN_CAPACITY).fill(undefined);
    this.counts = new Int32Array(MIN_CAPACITY);
    this.shift = 32 - Math.log2(MIN_CAPACITY);
  }

  /** Counts one more of `word` (whose `key` is a non-negative 31-bit hash of it); returns its count before. */
  add(word: string, key: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = this.home(key);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === EMPTY) break;
      if (k === key && this.words[i] === word) return this.counts[i]!++;
    }
    keys[i] = key;
    this.words[i] = word;
    this.counts[i] = 1;
    if (++this.size * 2 > keys.length) this.resize(keys.length * 2);
    return 0;
  }

  /** Counts one fewer of `word`; it is forgotten at 0. */
  remove(word: string, key: number): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = this.home(key);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === EMPTY) return;
      if (k === key && this.words[i] === word) break;
    }
    if (--this.counts[i]! > 0) return;
    this.shiftBack(i);
    if (--this.size * 8 < keys.length && keys.length > MIN_CAPACITY) this.resize(keys.length / 2);
  }

  /** Empties slot i, moving back each following entry of the run that may sit there (its home is not in (i, j]). */
  private shiftBack(i: number): void {
    const keys = this.keys;
    const words = this.words;
    const counts = this.counts;
    const mask = keys.length - 1;
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const h = this.home(keys[j]!);
      if (i <= j ? i < h && h <= j : i < h || h <= j) continue;
      keys[i] = keys[j]!;
      words[i] = words[j];
      counts[i] = counts[j]!;
      i = j;
    }
    keys[i] = EMPTY;
    words[i] = undefined;
    counts[i] = 0;
  }

  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  private resize(capacity: number): void {
    const { keys, words, counts } = this;
    this.keys = new Int32Array(capacity).fill(EMPTY);
    this.words = new Array<string | undefined>(capacity).fill(undefined);
    this.counts = new Int32Array(capacity);
    this.shift = 32 - Math.log2(capacity);
    const mask = capacity - 1;
    for (let s = 0; s < keys.length; s++) {
      if (keys[s] === EMPTY) continue;
      let i = this.home(keys[s]!);
      while (this.keys[i] !== EMPTY) i = (i + 1) & mask;
      this.keys[i] = keys[s]!;
      this.words[i] = words[s];
      this.counts[i] = counts[s]!;
    }
  }
}
