/**
 * The shape cache: lines that differ only in their digits (or in lower-case
 * hex ids) get the same template, so a line whose shape was seen skips
 * header stripping, masking and the tree: the common case on real logs, the
 * same lines with other numbers. A digit right after an upper-case letter
 * counts as itself (HTTP2 and HTTP3 stay apart, as keywords do in the tree).
 * The key is a hash of the shape in two independent 32-bit lanes (one pass;
 * the first keys the map, the second is checked): with at most `max`
 * entries the chance of any false hit over 10 million lines is about 1e-8,
 * so lines are not compared again. Entries whose template was evicted are
 * dropped. Bound: `max` entries; when full the cache is cleared and refills
 * with the lines that come next. When lines hardly repeat a shape (under 5%
 * hits over 4096 lines), the cache stands aside for the next 65536 lines, so
 * a miss-heavy stream pays nothing for it.
 */
import type { Template } from './template.js';

interface Entry {
  /** The hash's second lane, checked on a hit. */
  check: number;
  template: Template;
  /** The template's id when cached: an evicted template object is reused for a new one (miner.ts `make`). */
  id: number;
  level: string | undefined;
}

const WINDOW = 4096;
const MIN_HITS = WINDOW / 20;
const PAUSE = 65_536;

export class ShapeCache {
  private readonly entries = new Map<number, Entry>();
  private lookups = 0;
  private hits = 0;
  private paused = 0;

  constructor(private readonly max = 32_768) {}

  /** False while the cache stands aside (too few hits lately); then neither get nor set is worth calling. */
  active(): boolean {
    if (this.paused === 0) return true;
    this.paused--;
    return false;
  }

  get(shape: Shape): Entry | undefined {
    const hash = shape.key;
    if (++this.lookups === WINDOW) {
      if (this.hits < MIN_HITS) this.paused = PAUSE;
      this.lookups = this.hits = 0;
    }
    const e = this.entries.get(hash);
    if (!e || e.check !== shape.check) return undefined;
    if (e.template.leaf === undefined || e.template.id !== e.id) {
      this.entries.delete(hash);
      return undefined;
    }
    this.hits++;
    return e;
  }

  set(shape: Shape, template: Template, level: string | undefined): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(shape.key, { check: shape.check, template, id: template.id, level });
  }
}

/** A line's shape hash: `key` (first lane, a small integer for the map) and `check` (second lane). */
export interface Shape {
  key: number;
  check: number;
}

/**
 * Hashes a line's shape into `out` (reused: no allocation per line): each run of letters and
 * digits is hashed with its digits folded to one (except after an upper-case
 * letter); a run of lower-case hex with a digit and a letter (ids, hashes,
 * UUID parts) folds whole to one mark, as masking turns it into `<*>` anyway.
 * Other characters count as themselves.
 */
export function shapeHash(s: string, out: Shape = { key: 0, check: 0 }): Shape {
  let h1 = 0x811c9dc5;
  let h2 = 0x27d4eb2f;
  let run = 0; // sub-hash of the current letters-and-digits run, 0 when not in one
  let kinds = 0; // 1: a digit, 2: a hex letter a-f, 4: another letter
  let prev = 0;
  for (let i = 0, n = s.length; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 0;
    const kind = c >= 48 && c <= 57 ? 1 : c >= 97 && c <= 102 ? 2 : (c >= 65 && c <= 90) || (c >= 103 && c <= 122) ? 4 : 0;
    if (kind !== 0) {
      run = Math.imul((run || 0x9e3779b1) ^ (kind === 1 && !(prev >= 65 && prev <= 90) ? 48 : c), 16777619);
      kinds |= kind;
      prev = c;
      continue;
    }
    if (run !== 0) {
      const k = kinds === 3 ? 35 : run;
      h1 = Math.imul(h1 ^ k, 16777619);
      h2 = Math.imul(h2 + k, 0x5bd1e995) ^ (h2 >>> 15);
      run = kinds = 0;
    }
    if (i === n) break;
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 + c, 0x5bd1e995) ^ (h2 >>> 15);
    prev = c;
  }
  out.key = h1 | 0;
  out.check = h2 | 0;
  return out;
}
