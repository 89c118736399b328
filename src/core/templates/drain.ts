/**
 * The clustering engine (the Drain idea): a fixed-depth tree keyed by token
 * count and the first `depth - 2` tokens leads to a small list of clusters;
 * a line joins the most similar one when at least `similarity` of its
 * positions agree with the template, and the template then generalises
 * (positions that differ become `<*>`), else it starts a new cluster.
 * Tokens with a digit or a mask route to the `<*>` branch; a node with
 * `maxChildren` children sends new tokens there too, so the tree stays small.
 * The engine holds no bound itself: the store evicts with `remove()`.
 */
import { WILDCARD, hasDigit } from './mask.js';

export interface DrainOptions {
  /** Tree depth counting the root and the length level; depth 4 keys on the first 2 tokens. */
  depth: number;
  /** Fraction of a template's constant positions that must match (0..1). */
  similarity: number;
  maxChildren: number;
}

export const DRAIN_DEFAULTS: DrainOptions = { depth: 4, similarity: 0.7, maxChildren: 100 };

export interface Cluster {
  id: number;
  tokens: string[];
  /** The leaf list the cluster lives in, so eviction can unlink it. */
  leaf?: Cluster[];
}

interface Node<C> {
  children: Map<string, Node<C>>;
  clusters: C[];
}

const newNode = <C>(): Node<C> => ({ children: new Map(), clusters: [] });

export class Drain<C extends Cluster = Cluster> {
  private readonly root = new Map<number, Node<C>>();
  private readonly prefix: number;

  constructor(readonly opts: DrainOptions = DRAIN_DEFAULTS) {
    this.prefix = Math.max(0, opts.depth - 2);
  }

  /**
   * The best cluster for `tokens` at or above the threshold, without changing
   * anything: in the leaf its words lead to, then (if none matches there) in
   * the `<*>` branch at each level. Words in routing positions are constants
   * (as in Drain): lines whose first words differ are different templates.
   */
  match(tokens: string[]): C | undefined {
    const root = this.root.get(tokens.length);
    if (!root) return undefined;
    this.reset();
    this.search(root, tokens, 0, Math.min(this.prefix, tokens.length));
    const found = this.found;
    this.found = undefined;
    return found && this.foundSim >= thresholdFor(tokens.length, this.opts.similarity) ? found : undefined;
  }

  /** Adds a line: joins (and generalises) the best cluster, or creates one with `make(tokens)`. */
  add(tokens: string[], make: (tokens: string[]) => C): { cluster: C; created: boolean; changed: boolean } {
    const found = this.match(tokens);
    if (found) {
      const changed = generalise(found.tokens, tokens);
      if (changed) this.rehome(found);
      return { cluster: found, created: false, changed };
    }
    const cluster = make(tokens);
    this.insert(cluster);
    return { cluster, created: true, changed: true };
  }

  private found: C | undefined;
  private foundSim = -1;
  private foundParams = -1;

  private reset(): void {
    this.found = undefined;
    this.foundSim = -1;
    this.foundParams = -1;
  }

  private search(node: Node<C>, tokens: string[], i: number, depth: number): void {
    if (i === depth) return this.consider(node.clusters, tokens);
    const key = treeKey(tokens[i]!);
    const exact = node.children.get(key);
    if (exact) this.search(exact, tokens, i + 1, depth);
    if (this.found && this.foundSim >= this.opts.similarity) return;
    const wild = key === WILDCARD ? undefined : node.children.get(WILDCARD);
    if (wild) this.search(wild, tokens, i + 1, depth);
  }

  private consider(clusters: C[], tokens: string[]): void {
    for (let k = 0; k < clusters.length; k++) {
      const c = clusters[k]!;
      const t = c.tokens;
      let same = 0;
      let params = 0;
      let wordsOnWild = 0;
      let i = 0;
      for (; i < t.length; i++) {
        const w = t[i]!;
        if (w === WILDCARD) {
          params++;
          if (!tokens[i]!.includes(WILDCARD)) wordsOnWild++;
        } else if (w === tokens[i]) same++;
        else if (isKeyword(w) && isKeyword(tokens[i]!)) break;
      }
      // a template of variables only does not take a line of words
      if (i < t.length || (same === 0 && wordsOnWild > 0)) continue;
      const sim = t.length === 0 ? 1 : (same + params) / t.length;
      if (sim > this.foundSim || (sim === this.foundSim && params > this.foundParams)) {
        this.found = c;
        this.foundSim = sim;
        this.foundParams = params;
      }
    }
  }

  /** A template that became `<*>` at a routing position moves to the `<*>` branch. */
  private rehome(c: C): void {
    const leaf = this.leafFor(c.tokens);
    if (leaf.clusters === c.leaf) return;
    this.remove(c);
    leaf.clusters.push(c);
    c.leaf = leaf.clusters as Cluster[];
  }

  /** Puts a cluster (new or loaded from a state file) into the tree. */
  insert(cluster: C): void {
    const leaf = this.leafFor(cluster.tokens);
    leaf.clusters.push(cluster);
    cluster.leaf = leaf.clusters as Cluster[];
  }

  remove(cluster: C): void {
    const list = cluster.leaf;
    if (!list) return;
    const i = list.indexOf(cluster);
    if (i >= 0) list.splice(i, 1);
    cluster.leaf = undefined;
  }

  private leafFor(tokens: string[]): Node<C> {
    let node = this.root.get(tokens.length);
    if (!node) this.root.set(tokens.length, (node = newNode<C>()));
    const depth = Math.min(this.prefix, tokens.length);
    for (let i = 0; i < depth; i++) node = this.child(node, treeKey(tokens[i]!));
    return node;
  }

  private child(node: Node<C>, key: string): Node<C> {
    let next = node.children.get(key);
    if (next) return next;
    if (node.children.size >= this.opts.maxChildren - 1 && key !== WILDCARD) key = WILDCARD;
    next = node.children.get(key);
    if (!next) node.children.set(key, (next = newNode<C>()));
    return next;
  }
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
  if (t.length < 2) return false;
  let upper = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
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
