/**
 * The miner: a line -> header stripped -> variables masked -> clustered in
 * its group's tree -> counted. Synchronous, so a whole chunk of lines is
 * processed without awaiting. One tree per group (container or service; a
 * single group with --merge or for text input); template ids are unique
 * across groups and never reused. The total number of templates is bounded
 * by `maxTemplates` (least recently matched evicted, see store.ts).
 */
import { Drain, DRAIN_DEFAULTS, type DrainOptions } from './drain.js';
import { messageStart } from './header.js';
import { maskTokens } from './mask.js';
import { TemplateStore } from './store.js';
import type { GroupRef, Template } from './template.js';

export interface MinerOptions extends DrainOptions {
  maxTemplates: number;
}

/** Examples are cut to this many characters. */
export const MAX_EXAMPLE = 1000;

export const MINER_DEFAULTS: MinerOptions = { ...DRAIN_DEFAULTS, maxTemplates: 10_000 };

/** The tokens a line is clustered on: its message (header stripped) with variables masked. */
export function lineTokens(line: string): string[] {
  const at = messageStart(line);
  return maskTokens(at > 0 ? line.slice(at) : line);
}

export class TemplateMiner {
  private readonly trees = new Map<string, Drain<Template>>();
  readonly store: TemplateStore;
  nextId = 1;
  lines = 0;

  constructor(readonly opts: MinerOptions = MINER_DEFAULTS) {
    this.store = new TemplateStore(opts.maxTemplates, (t) => this.trees.get(t.group.key)?.remove(t));
  }

  /** Clusters one line and counts it; returns its template. */
  observe(line: string, group: GroupRef, ts: string | undefined, level: string): Template {
    const tokens = lineTokens(line);
    const tree = this.tree(group.key);
    const { cluster: t, created, changed } = tree.add(tokens, (tk) => this.make(tk, group, line));
    if (created) this.store.add(t);
    else {
      this.store.touch(t);
      if (changed) t.text = undefined;
    }
    count(t, ts, level);
    this.lines++;
    return t;
  }

  /** Puts a template loaded from a state file back (ids kept). */
  restore(t: Template): void {
    this.tree(t.group.key).insert(t);
    this.store.add(t);
    if (t.id >= this.nextId) this.nextId = t.id + 1;
  }

  private tree(key: string): Drain<Template> {
    let tree = this.trees.get(key);
    if (!tree) this.trees.set(key, (tree = new Drain<Template>(this.opts)));
    return tree;
  }

  private make(tokens: string[], group: GroupRef, line: string): Template {
    return { id: this.nextId++, tokens, group, count: 0, levels: {}, example: line.length > MAX_EXAMPLE ? line.slice(0, MAX_EXAMPLE) : line, isNew: true, reported: 0 };
  }
}

function count(t: Template, ts: string | undefined, level: string): void {
  t.count++;
  t.levels[level] = (t.levels[level] ?? 0) + 1;
  if (ts !== undefined) {
    if (t.firstTs === undefined || ts < t.firstTs) t.firstTs = ts;
    if (t.lastTs === undefined || ts > t.lastTs) t.lastTs = ts;
  }
}
