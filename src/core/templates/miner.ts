/**
 * The miner: a line -> header stripped -> variables masked -> clustered in
 * its group's tree -> counted. Synchronous, so a whole chunk of lines is
 * processed without awaiting. One tree per group (container or service; a
 * single group with --merge or for text input); template ids are unique
 * across groups and never reused. The total number of templates is bounded
 * by `maxTemplates` (least recently matched evicted, see store.ts).
 */
import { Drain, DRAIN_DEFAULTS, type DrainOptions } from './drain.js';
import { messageStart } from './message-start.js';
import { maskTokens } from './mask.js';
import { HeaderLearner } from './learned-header.js';
import { TemplateStore } from './store.js';
import { ShapeCache, shapeHash, type Shape } from './shape.js';
import { detectLevel } from '../logs/severity.js';
import { isContinuation } from '../logs/continuation.js';
import { newTemplate, zeroLevels, type GroupRef, type Template } from './template.js';

export interface MinerOptions extends DrainOptions {
  maxTemplates: number;
}

/** Examples are cut to this many characters. */
export const MAX_EXAMPLE = 1000;

export const MINER_DEFAULTS: MinerOptions = { ...DRAIN_DEFAULTS, maxTemplates: 10_000 };

/**
 * The message keys of structured loggers, in the order they are tried:
 * pino, zap, logrus and slog (`msg`), bunyan, winston and most others
 * (`message`), GELF (`short_message`), logstash (`@message`), docker's
 * json-file (`log`), structlog (`event`). Without one, every line of a
 * logger whose key was missing here merged into one template.
 */
export const JSON_MESSAGE_KEYS = ['msg', 'message', 'short_message', '@message', 'log', 'event'] as const;

/**
 * The tokens a line is clustered on: its message (header stripped) with
 * variables masked. A JSON object line (structured logging) is clustered on
 * its message string (JSON_MESSAGE_KEYS); one with none is clustered on its
 * field names, so objects of one structure share a template and objects of
 * another do not.
 */
export function lineTokens(line: string, header?: HeaderLearner): string[] {
  const text = messageText(line);
  let at = messageStart(text);
  if (header) at = Math.max(at, header.start(text));
  return maskTokens(at > 0 ? text.slice(at) : text);
}

/** The text a line is clustered on: a JSON line's message, else the line. */
const messageText = (line: string): string => (line.charCodeAt(0) === 123 ? (jsonMessage(line) ?? line) : line);

/** The message of a JSON object line, its field names when it has no message, or undefined for anything else. */
export function jsonMessage(line: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  for (const k of JSON_MESSAGE_KEYS) {
    const m = (v as Record<string, unknown>)[k];
    if (typeof m === 'string') return m;
  }
  return '{' + Object.keys(v).join(' ') + '}';
}

interface GroupState {
  tree: Drain<Template>;
  cache: ShapeCache;
  /** The header learned from this source's lines. */
  header: HeaderLearner;
  /** The last line that was not blank, and the template of the record it belongs to (for continuation lines) with its id then (the object is reused once evicted: see `make`). */
  previous?: string;
  record?: Template;
  recordId?: number;
  /** The last line sampled while learning the header. */
  sampled?: string;
}

export class TemplateMiner {
  private readonly groups = new Map<string, GroupState>();
  readonly store: TemplateStore;
  nextId = 1;
  lines = 0;
  private readonly shape: Shape = { key: 0, check: 0 };
  /** Evicted templates, for `make` to reuse (see there). Bound: SPARE. */
  private readonly spare: Template[] = [];

  constructor(readonly opts: MinerOptions = MINER_DEFAULTS) {
    this.store = new TemplateStore(opts.maxTemplates, (t) => this.evicted(t));
  }

  private evicted(t: Template): void {
    this.groups.get(t.group.key)?.tree.remove(t);
    if (this.spare.length < SPARE) this.spare.push(t);
  }

  /**
   * Clusters one line and counts it; returns its template. `level` as the
   * input gave it, else detected from the line as `berth logs` does.
   * A blank line is not clustered (undefined): before, blank lines made a
   * template of their own, `""`, often the largest. A continuation line (a
   * stack frame, `Caused by:`, a traceback: see logs/continuation.ts) joins
   * the record it continues: it returns that record's template and is not
   * counted again; before, every `at ...` frame was a template of its own.
   */
  observe(line: string, group: GroupRef, ts: string | undefined, level?: string): Template | undefined {
    const g = this.group(group.key);
    if (isBlank(line)) return undefined;
    const previous = g.previous;
    g.previous = line;
    const r = g.record;
    if (r !== undefined && r.leaf !== undefined && r.id === g.recordId && isContinuation(line, previous)) return r;
    const t = this.observeRecord(g, line, group, ts, level);
    g.record = t;
    g.recordId = t.id;
    return t;
  }

  private observeRecord(g: GroupState, line: string, group: GroupRef, ts: string | undefined, level?: string): Template {
    const cached = g.cache.active();
    const shape = cached ? shapeHash(line, this.shape) : this.shape;
    const hit = cached ? g.cache.get(shape) : undefined;
    let t: Template;
    let lvl = level;
    if (hit) {
      t = hit.template;
      this.store.touch(t);
      lvl ??= hit.level ?? detectLevel(line);
    } else {
      t = this.cluster(g.tree, g.header, line, group);
      lvl ??= detectLevel(line);
      if (cached) g.cache.set(shape, t, level === undefined && levelByShape(line) ? lvl : undefined);
    }
    count(t, ts, lvl);
    this.lines++;
    return t;
  }

  /** True while the group's header is being learned: its lines should wait (see TemplatesJob) and be given to `learn()`. */
  learning(group: GroupRef): boolean {
    return this.group(group.key).header.learning;
  }

  /** A line for the group's header sample (blank and continuation lines are not sampled); true when the header was just learned. */
  learn(group: GroupRef, line: string): boolean {
    const g = this.group(group.key);
    if (!g.header.learning || isBlank(line)) return false;
    const previous = g.sampled;
    g.sampled = line;
    if (isContinuation(line, previous)) return false;
    return g.header.sample(messageText(line));
  }

  /** Ends the group's learning with the lines sampled so far (the input ended, a tick is due, or too many lines wait). */
  settle(group: GroupRef): void {
    const g = this.group(group.key);
    if (g.header.learning) g.header.settle();
  }

  /** Puts a template loaded from a state file back (ids kept). */
  restore(t: Template): void {
    this.group(t.group.key).tree.insert(t);
    this.store.add(t);
    if (t.id >= this.nextId) this.nextId = t.id + 1;
  }

  /** Drain's `add`, without its closure and result object per line. */
  private cluster(tree: Drain<Template>, header: HeaderLearner, line: string, group: GroupRef): Template {
    const tokens = lineTokens(line, header);
    const found = tree.match(tokens);
    if (found === undefined) {
      const t = this.make(tokens, group, line);
      tree.insert(t);
      this.store.add(t);
      return t;
    }
    this.store.touch(found);
    tree.generalise(found, tokens);
    return found;
  }

  private group(key: string): GroupState {
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { tree: new Drain<Template>(this.opts), cache: new ShapeCache(), header: new HeaderLearner() }));
    return g;
  }

  /**
   * Every field is set here, in one order, so all templates share one
   * object shape with the fields inside the object: added later one by one
   * (by the engine, the store), each template went through several shapes
   * and grew a separate property array, garbage that with 10,000 templates
   * churning (fresh lines, the bound full) was a large part of the GC.
   * An evicted template of the same token count is reused, its index
   * list with it: with the bound full, each line that
   * makes a template evicts one, and a new object per line lived for
   * `maxTemplates` lines, long enough to be copied by the young-generation
   * GC and promoted, then freed by a full GC (the larger part of the CPU
   * on lines that match nothing). Its level counts are kept too, set to 0
   * (`levelCounts` leaves zeros out of what is reported and saved): a new
   * `{}` per template was one more object living `maxTemplates` lines. A
   * template a caller still holds after its eviction may so become another
   * one: the shape cache and the continuation check compare ids.
   */
  private make(tokens: string[], group: GroupRef, line: string): Template {
    const example = ownCopy(line.length > MAX_EXAMPLE ? line.slice(0, MAX_EXAMPLE) : line);
    const t = this.reuse(tokens.length);
    if (t === undefined) return this.fresh(tokens, group, example);
    t.id = this.nextId++;
    t.text = tokens.join(' ');
    t.leaf = undefined;
    t.overflow = undefined;
    t.mark = 0;
    t.hits = 0;
    t.params = 0;
    t.group = group;
    t.count = 0;
    t.firstTs = undefined;
    t.lastTs = undefined;
    zeroLevels(t.levels);
    t.example = example;
    t.isNew = true;
    t.reported = 0;
    t.older = undefined;
    t.newer = undefined;
    return t;
  }

  /** A spare template of `size` words (its `starts` and `indexed` lists are left for the engine to refill). */
  private reuse(size: number): Template | undefined {
    const spare = this.spare;
    for (let k = spare.length - 1; k >= 0; k--) {
      const t = spare[k]!;
      if (t.size !== size) continue;
      spare[k] = spare[spare.length - 1]!;
      spare.pop();
      return t;
    }
    return undefined;
  }

  private fresh(tokens: string[], group: GroupRef, example: string): Template {
    return newTemplate(this.nextId++, tokens.join(' '), tokens.length, group, example);
  }
}

/** Evicted templates kept for reuse: a few, of the token counts evicted last (a new template takes one of its own count). */
const SPARE = 16;

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/**
 * A copy that does not keep the chunk the line was sliced from alive: the
 * slice of a concatenation is cut from a flat copy of it, not from the
 * chunk. A quarter of the cost of a round trip through a Buffer (which also
 * left a Buffer behind for every new template).
 */
function ownCopy(s: string): string {
  return (s + ' ').slice(0, -1);
}

/** Whether lines of one shape share a level: not for syslog `<N>` priorities or JSON (numeric levels are digits). */
function levelByShape(line: string): boolean {
  const c = line.charCodeAt(0);
  return c !== 60 && c !== 123;
}

function count(t: Template, ts: string | undefined, level: string): void {
  t.count++;
  t.levels[level] = (t.levels[level] ?? 0) + 1;
  if (ts !== undefined) {
    if (t.firstTs === undefined || ts < t.firstTs) t.firstTs = ts;
    if (t.lastTs === undefined || ts > t.lastTs) t.lastTs = ts;
  }
}
