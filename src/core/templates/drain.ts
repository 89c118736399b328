/**
 * The clustering engine (the Drain idea, without Drain's tree walk): a line
 * joins the most similar template of the same token count when at least
 * `similarity` of its positions agree (a template's `<*>` agrees with
 * anything), and the template then generalises (positions that differ
 * become `<*>`); else it starts a new template.
 *
 * Candidates come from an index, not from a scan: per token count, each
 * position maps a constant word to the templates that have it there. A
 * line looks up its own words and counts, per template, how many agree;
 * only templates that could reach the threshold are compared in full. The
 * cost of a line is the length of the lists its words hit, not the number
 * of templates: a line that matches nothing (fresh words) hits empty lists,
 * so 10,000 templates cost what 10 do (Drain's fixed-depth tree scans a
 * leaf, which grows with the templates of one length and prefix).
 * A template is indexed under only some of its constant words, as few as
 * still find every line it could take (pigeonhole): a line of n tokens
 * needs `x` agreeing positions (x/n >= the threshold), so a template with
 * `params` wildcards needs m = max(1, x - params) of its k constants, and
 * any k - m + 1 of them hold one of those. That is n - x + 1 words (2 of 8
 * at 0.8) whatever the wildcards, instead of all k: a template that is
 * created and evicted (fresh lines with 10,000 templates) costs 2 index
 * insertions and removals instead of 8. The words indexed are those with
 * the shortest lists when the template is made (fewest other templates to
 * compare); when an indexed position becomes `<*>`, another is indexed.
 * Which templates are compared changes, not which one wins.
 * The index is keyed by a 30-bit hash of the word (a small integer), not by
 * the word: a lookup compares integers in the map's table instead of
 * following each entry to its string, and the table holds no pointer to the
 * young strings of a new template (each one was work for every young
 * collection while the template lived). Two words with one hash share a
 * list: a template can only be counted for a word it does not have, so a
 * candidate is compared in full that would not have been, never missed.
 * A lookup skips a position whose map is empty (and hashes nothing there).
 * The maps are IntMaps (int-map.ts): flat tables that entries come and go
 * in without the table being rebuilt.
 *
 * Routing: the first `depth - 2` words are constants (as in Drain's tree): a
 * template only takes lines whose words there are its own (or its `<*>`).
 * The default depth 3 routes on the first word only: the first word of a
 * message is its verb or subject kind ("Starting", "Accepted", "user"),
 * while the second is often a name ("user alice logged in"), and routing on
 * it split one event into one template per name (up to the children bound).
 * When a token count has more than `maxChildren` distinct first words, new
 * templates route like `<*>` there (Drain's full node), so names in first
 * position end up sharing one template instead of one each.
 * The default similarity 0.8 is what leave-one-dataset-out over the shared
 * Loghub sets chose in every fold (bench/templates-generalize.mjs loo); the
 * generated container-log corpus scores the same with 0.7 and 0.8.
 * The engine holds no bound itself: the store evicts with `remove()`.
 */
import { IntMap } from './int-map.js';
import { WILDCARD, hasDigit } from './mask.js';
import { WordCounts } from './word-counts.js';

export interface DrainOptions {
  /** Routing depth counting the root and the length level: depth 3 routes on the first word. */
  depth: number;
  /** Fraction of a template's positions that must match (0..1). */
  similarity: number;
  maxChildren: number;
}

export const DRAIN_DEFAULTS: DrainOptions = { depth: 3, similarity: 0.8, maxChildren: 100 };

export interface Cluster {
  id: number;
  /**
   * The template: its words joined by single spaces, `<*>` for a variable
   * (a word has no white space: the masker splits on it). One string, not an
   * array of words: a template made from a line held a string per word,
   * each copied by the young-generation GC while the template lived and
   * pointed at from an older object (lines that match nothing make a
   * template each and keep 10,000). The engine reads words in place
   * (`wordsOf` splits them, for saving and tests).
   */
  text: string;
  /** How many words `text` has (0: the empty message). */
  size: number;
  /**
   * Where each word of `text` starts, and at [size] one past the end of the
   * last word plus one (word i is text[starts[i], starts[i + 1] - 1)): kept
   * by the engine, so comparing a word costs a length check and the
   * characters, not a search for the next space first (which, for each
   * candidate and each word, made lines that match a template 1.6x slower
   * to cluster than with an array of words).
   */
  starts?: number[];
  /** True while the cluster is in an engine's index (the shape cache checks it for eviction). */
  leaf?: boolean;
  /** Routed like `<*>` (its first word came after the bound on first words). */
  overflow?: boolean;
  /** Scratch for the index lookup: the lookup that last counted it, and its agreeing words then. */
  mark?: number;
  hits?: number;
  /** Number of `<*>` positions. */
  params?: number;
  /** The positions whose word the template is indexed under (a few: see the top of the file). */
  indexed?: number[];
}

/** The templates of one token count. */
interface Bucket<C> {
  /** Per position: constant word's `wordKey` -> the template with that word there, or the templates when several (most words have one: no array). */
  at: IntMap<C | C[]>[];
  /** Templates with no constant word (matched by lines with none either). */
  bare: C[];
  /** Templates per routing first word (for the `maxChildren` bound). */
  firsts: WordCounts;
  /** Agreeing positions a line of this length needs (x: x/n reaches the threshold). */
  need: number;
}

export class Drain<C extends Cluster = Cluster> {
  private readonly buckets = new Map<number, Bucket<C>>();
  private readonly prefix: number;
  private lookup = 0;
  private readonly touched: C[] = [];

  constructor(readonly opts: DrainOptions = DRAIN_DEFAULTS) {
    this.prefix = Math.max(0, opts.depth - 2);
  }

  /** The best template for `tokens` at or above the threshold, without changing anything. */
  match(tokens: string[]): C | undefined {
    const b = this.buckets.get(tokens.length);
    if (!b) return undefined;
    const n = tokens.length;
    const need = thresholdFor(n, this.opts.similarity);
    const mark = ++this.lookup;
    const touched = this.touched;
    touched.length = 0;
    let words = 0;
    for (let i = 0; i < n; i++) {
      const tok = tokens[i]!;
      if (tok === WILDCARD) continue;
      words++;
      const at = b.at[i]!;
      if (at.size === 0) continue;
      const hit = at.get(wordKey(tok));
      if (hit === undefined) continue;
      if (!Array.isArray(hit)) {
        count(hit, mark, touched);
        continue;
      }
      for (let k = 0; k < hit.length; k++) count(hit[k]!, mark, touched);
    }
    let best: C | undefined;
    let bestSim = -1;
    for (let k = 0; k < touched.length; k++) {
      const c = touched[k]!;
      // at most: its indexed words that agreed, and every other position
      if (n > 0 && (c.hits! + n - c.indexed!.length) / n < need) continue;
      best = this.better(best, bestSim, c, tokens);
      if (best === c) bestSim = this.lastSim;
    }
    if (words === 0) {
      for (const c of b.bare) {
        best = this.better(best, bestSim, c, tokens);
        if (best === c) bestSim = this.lastSim;
      }
    }
    touched.length = 0;
    const found = best && bestSim >= need ? best : undefined;
    this.same = bestSim === 1 ? found : undefined;
    this.sameTokens = tokens;
    return found;
  }

  /**
   * The template the last `match` found when it agrees with that line at
   * every position (similarity 1), and the line: generalising it with that
   * line changes nothing, so `generalise` returns at once instead of
   * comparing every word again (it is called after nearly every match, and
   * changes a template on one line in a few hundred).
   */
  private same: C | undefined;
  private sameTokens: string[] | undefined;

  private lastSim = -1;

  /** `c` if it routes, scores at least `bestSim` and wins the ties (exact routing, then more `<*>`, then older), else `best`. */
  private better(best: C | undefined, bestSim: number, c: C, tokens: string[]): C | undefined {
    if (!this.routes(c, tokens)) return best;
    const [sim, params] = score(c.text, c.starts!, tokens);
    if (sim < 0 || sim < bestSim) return best;
    if (best && sim === bestSim) {
      const a = best.overflow ? 1 : 0;
      const z = c.overflow ? 1 : 0;
      if (z > a || (z === a && (params < best.params! || (params === best.params! && c.id > best.id)))) return best;
    }
    this.lastSim = sim;
    return c;
  }

  /** The routing words agree: the template's own word, or its `<*>`, at each of the first `depth - 2` positions. */
  private routes(c: C, tokens: string[]): boolean {
    if (c.overflow) return true;
    const t = c.text;
    const st = c.starts!;
    const depth = Math.min(this.prefix, c.size);
    for (let i = 0; i < depth; i++) {
      const a = st[i]!;
      const e = st[i + 1]! - 1;
      if (!isWildAt(t, a, e) && !wordIs(t, a, e, tokens[i]!)) return false;
    }
    return true;
  }

  /** Adds a line: joins (and generalises) the best template, or creates one with `make(tokens)`. */
  add(tokens: string[], make: (tokens: string[]) => C): { cluster: C; created: boolean; changed: boolean } {
    const found = this.match(tokens);
    if (found) {
      const changed = this.generalise(found, tokens);
      return { cluster: found, created: false, changed };
    }
    const cluster = make(tokens);
    this.insert(cluster);
    return { cluster, created: true, changed: true };
  }

  /** Turns the template's positions that differ from `tokens` into `<*>` and unindexes them; true when it changed. */
  generalise(c: C, tokens: string[]): boolean {
    if (c === this.same && tokens === this.sameTokens) return false;
    const t = c.text;
    const st = c.starts!;
    const n = c.size;
    const b = this.buckets.get(n)!;
    let changed = 0;
    const ix = c.indexed!;
    for (let i = 0; i < n; i++) {
      const a = st[i]!;
      const e = st[i + 1]! - 1;
      if (isWildAt(t, a, e) || wordIs(t, a, e, tokens[i]!)) continue;
      if (i === 0) uncountFirst(b, t, e);
      const at = ix.indexOf(i);
      if (at >= 0) {
        unlist(b.at[i]!, wordKeyIn(t, a, e), c);
        ix.splice(at, 1);
      }
      c.params!++;
      GONE[changed++] = i;
    }
    if (changed === 0) return false;
    c.text = withWildcards(t, st, n, changed);
    wordStarts(c.text, st);
    if (c.params === n) b.bare.push(c);
    else this.indexSome(b, c);
    return true;
  }

  /** Puts a cluster (new or loaded from a state file) into the index. */
  insert(c: C): void {
    const t = c.text;
    const n = c.size;
    const b = this.bucket(n);
    const st = c.starts?.length === n + 1 ? c.starts : new Array<number>(n + 1); // a reused template's list, refilled when the length fits
    wordStarts(t, st);
    c.starts = st;
    let params = 0;
    for (let i = 0; i < n; i++) if (isWildAt(t, st[i]!, st[i + 1]! - 1)) params++;
    c.params = params;
    const spare = c.indexed; // a reused template's list, refilled when the length fits
    c.indexed = NONE;
    this.indexSome(b, c, spare);
    if (params === n) b.bare.push(c);
    if (this.prefix > 0 && n > 0) this.countFirst(b, c, st[1]! - 1);
    c.leaf = true;
  }

  /** Counts the template under its first word, text[0, end), unless that is `<*>`; past `maxChildren` first words a new one routes like `<*>`. */
  private countFirst(b: Bucket<C>, c: C, end: number): void {
    if (isWildAt(c.text, 0, end)) return;
    const firsts = b.firsts.size;
    if (b.firsts.add(c.text, end, wordKeyIn(c.text, 0, end)) === 0 && firsts >= this.opts.maxChildren - 1) c.overflow = true;
  }

  remove(c: C): void {
    const b = this.buckets.get(c.size);
    if (!b || !c.leaf) return;
    const t = c.text;
    const st = c.starts!;
    const n = c.size;
    const ix = c.indexed!;
    for (let k = 0; k < ix.length; k++) {
      const i = ix[k]!;
      unlist(b.at[i]!, wordKeyIn(t, st[i]!, st[i + 1]! - 1), c);
    }
    if (c.params === n) drop(b.bare, c);
    if (this.prefix > 0 && n > 0) uncountFirst(b, t, st[1]! - 1);
    c.leaf = undefined;
  }

  /**
   * Indexes `c` under more of its constant words until it has its quota,
   * min(k, n - x + 1) (see the top of the file), the words with the
   * shortest lists first.
   */
  private indexSome(b: Bucket<C>, c: C, spare?: number[]): void {
    const t = c.text;
    const st = c.starts!;
    const n = c.size;
    const ix = c.indexed!;
    const want = Math.min(n - c.params!, n - b.need + 1) - ix.length;
    let m = 0;
    let seen = 0; // positions below this have their key and list length in KEYS and LENS
    while (m < want) {
      let best = -1;
      let bestLen = Infinity;
      for (let i = 0; i < n; i++) {
        if (ix.indexOf(i) >= 0 || picked(i, m) || isWildAt(t, st[i]!, st[i + 1]! - 1)) continue;
        if (i >= seen) {
          const key = wordKeyIn(t, st[i]!, st[i + 1]! - 1);
          const had = b.at[i]!.get(key);
          KEYS[i] = key;
          HADS[i] = had;
          LENS[i] = had === undefined ? 0 : Array.isArray(had) ? had.length : 1;
          seen = i + 1;
        }
        const len = LENS[i]!;
        if (len < bestLen) {
          bestLen = len;
          best = i;
          if (len === 0) break;
        }
      }
      if (best < 0) break;
      enlist(b.at[best]!, KEYS[best]!, c, HADS[best] as C | C[] | undefined);
      PICKED[m++] = best;
    }
    HADS.fill(undefined, 0, seen);
    if (m === 0) return;
    if (ix.length > 0) c.indexed = ix.concat(PICKED.slice(0, m));
    else if (spare !== undefined && spare.length === m) {
      for (let k = 0; k < m; k++) spare[k] = PICKED[k]!;
      c.indexed = spare;
    } else c.indexed = PICKED.slice(0, m);
  }

  private bucket(n: number): Bucket<C> {
    let b = this.buckets.get(n);
    if (!b) {
      const sim = thresholdFor(n, this.opts.similarity);
      let need = 0;
      while (need < n && need / n < sim) need++;
      b = { at: Array.from({ length: n }, () => new IntMap<C | C[]>()), bare: [], firsts: new WordCounts(), need };
      this.buckets.set(n, b);
    }
    return b;
  }
}

/** Counts one template fewer for the first word, `text` up to `end` (a `<*>` is not counted). */
function uncountFirst<C>(b: Bucket<C>, text: string, end: number): void {
  if (!isWildAt(text, 0, end)) b.firsts.remove(text, end, wordKeyIn(text, 0, end));
}

/** A cluster's words (`text` split; none for the empty message). */
export function wordsOf(c: { text: string; size: number }): string[] {
  return c.size === 0 ? [] : c.text.split(' ');
}

/** The words of a cluster made from `tokens`: its `text` and `size`. */
export function clusterText(tokens: string[]): { text: string; size: number } {
  return { text: tokens.join(' '), size: tokens.length };
}

/** The word text[a, e) is `<*>`. */
function isWildAt(text: string, a: number, e: number): boolean {
  return e - a === 3 && text.charCodeAt(a) === 60 && text.charCodeAt(a + 1) === 42 && text.charCodeAt(a + 2) === 62;
}

/** The word text[a, e) is `tok`. */
function wordIs(text: string, a: number, e: number, tok: string): boolean {
  return tok.length === e - a && text.startsWith(tok, a);
}

/** Fills `st` (one longer than the words) with where each word of `text` starts, and its last entry with text.length + 1. */
function wordStarts(text: string, st: number[]): void {
  const n = st.length - 1;
  let a = 0;
  for (let i = 0; i < n; i++) {
    st[i] = a;
    while (a < text.length && text.charCodeAt(a) !== 32) a++;
    a++;
  }
  st[n] = text.length + 1;
}

/**
 * `text` (of `n` words starting at `st`) with the words at the first `gone`
 * positions of GONE made `<*>`. Joined from an array, so the string is flat:
 * one built with `+=` is a tree of pieces, and every character read from it
 * afterwards (each comparison with a line) went through the tree.
 */
function withWildcards(text: string, st: number[], n: number, gone: number): string {
  const words = new Array<string>(n);
  for (let i = 0, g = 0; i < n; i++) {
    if (g < gone && GONE[g] === i) {
      words[i] = WILDCARD;
      g++;
    } else words[i] = text.slice(st[i], st[i + 1]! - 1);
  }
  return words.join(' ');
}

/**
 * The positions `indexSome` picks, the first `m`, before they join the
 * template's list, made then at its exact length (pushed into an empty
 * array, each template's list had room for 17 positions; it lives as long
 * as the template). Bound: the longest template.
 */
const PICKED: number[] = [];
const NONE: number[] = [];
/** The positions `generalise` turns into `<*>`. Bound: the longest template. */
const GONE: number[] = [];
/**
 * `indexSome`'s scratch: per position, the word's key, its entry in the
 * index and that entry's length, each read once per call (picking a
 * position changes only that position's entry). Bound: the longest template.
 */
const KEYS: number[] = [];
const LENS: number[] = [];
const HADS: unknown[] = [];

function picked(i: number, m: number): boolean {
  for (let k = 0; k < m; k++) if (PICKED[k] === i) return true;
  return false;
}

/** Counts one agreeing word for `c` in this lookup. */
function count<C extends Cluster>(c: C, mark: number, touched: C[]): void {
  if (c.mark !== mark) {
    c.mark = mark;
    c.hits = 0;
    touched.push(c);
  }
  c.hits!++;
}

/** Adds `c` to the list of `k`, whose entry `had` the caller just read. */
function enlist<C>(m: IntMap<C | C[]>, k: number, c: C, had: C | C[] | undefined): void {
  if (had === undefined) m.set(k, c);
  else if (Array.isArray(had)) had.push(c);
  else m.set(k, [had, c]);
}

function unlist<C>(m: IntMap<C | C[]>, k: number, c: C): void {
  const had = m.get(k);
  if (had === undefined) return;
  if (!Array.isArray(had)) {
    if (had === c) m.delete(k);
    return;
  }
  drop(had, c);
  if (had.length === 1) m.set(k, had[0]!);
  else if (had.length === 0) m.delete(k);
}

function drop<C>(l: C[], c: C): void {
  const i = l.indexOf(c);
  if (i >= 0) l.splice(i, 1);
}

/**
 * A word's key in the index: FNV-1a over its UTF-16 units, cut to 30 bits so
 * it is a small integer on every V8 build (no number object per key).
 */
export function wordKey(w: string): number {
  return wordKeyIn(w, 0, w.length);
}

/** `wordKey` of the word s[a, e), read in place. */
function wordKeyIn(s: string, a: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = a; i < e; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h & 0x3fffffff;
}

/** [similarity, wildcards] of a template's text and a line of its length, or [-1, 0] when it may not take the line. */
function score(t: string, st: number[], tokens: string[]): [number, number] {
  const n = tokens.length;
  let same = 0;
  let params = 0;
  let wordsOnWild = 0;
  for (let i = 0; i < n; i++) {
    const a = st[i]!;
    const e = st[i + 1]! - 1;
    const tok = tokens[i]!;
    if (isWildAt(t, a, e)) {
      params++;
      if (!tok.includes(WILDCARD)) wordsOnWild++;
    } else if (wordIs(t, a, e, tok)) same++;
    else if (isKeywordIn(t, a, e) && isKeyword(tok)) return [-1, 0];
  }
  // a template of variables only does not take a line of words
  if (same === 0 && wordsOnWild > 0) return [-1, 0];
  return [n === 0 ? 1 : (same + params) / n, params];
}

/** From 4 tokens on, one differing word (a name) is always allowed: the threshold is at most (n-1)/n. */
export function thresholdFor(n: number, threshold: number): number {
  return n >= 4 ? Math.min(threshold, (n - 1) / n) : threshold;
}

/** The key a token takes in the tree: itself, or `<*>` for anything variable. */
export function treeKey(tok: string): string {
  return tok === WILDCARD || hasDigit(tok) ? WILDCARD : tok;
}

/** [share of positions where the template's constant equals the token, number of wildcards]. */
export function similarity(template: string[], tokens: string[]): [number, number] {
  const n = template.length;
  if (n === 0) return [1, 0];
  let same = 0;
  let params = 0;
  for (let i = 0; i < n; i++) {
    const t = template[i]!;
    if (t === WILDCARD) params++;
    else if (t === tokens[i]) same++;
    else if (isKeyword(t) && isKeyword(tokens[i]!)) return [-1, 0];
  }
  return [(same + params) / n, params];
}

/**
 * Upper-case words (HTTPS, SOCKS5, RUNNING, GET) name states, protocols and
 * methods: two different ones at the same position mean two different events.
 */
export function isKeyword(t: string): boolean {
  return isKeywordIn(t, 0, t.length);
}

/** `isKeyword` for the word s[a, e). */
function isKeywordIn(s: string, a: number, e: number): boolean {
  if (e - a < 2) return false;
  let upper = 0;
  for (let i = a; i < e; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    else if (!((c >= 48 && c <= 57) || c === 95)) return false;
  }
  return upper >= 2;
}

/** Turns the template's positions that differ from `tokens` into `<*>`; true when it changed. */
export function generalise(template: string[], tokens: string[]): boolean {
  let changed = false;
  for (let i = 0; i < template.length; i++) {
    if (template[i] !== WILDCARD && template[i] !== tokens[i]) {
      template[i] = WILDCARD;
      changed = true;
    }
  }
  return changed;
}
