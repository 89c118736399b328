/**
 * The templates in least-recently-matched order, with a bound: when a new
 * template would make more than `max`, the least recently matched ones are
 * evicted (and unlinked from their tree through `onEvict`) so memory stays
 * flat on endless streams. An evicted template that comes back starts again
 * with a new id. `evicted` counts evictions so the command can say so.
 * The order is an intrusive doubly linked list (`older`/`newer` on each
 * template): a match moves its template to the newest end in O(1), with no
 * allocation.
 */
import type { Template } from './template.js';

export class TemplateStore {
  private oldest: Template | undefined;
  private newest: Template | undefined;
  private readonly byId = new Map<number, Template>();
  evicted = 0;

  constructor(
    readonly max: number,
    private readonly onEvict: (t: Template) => void = () => {},
  ) {}

  get size(): number {
    return this.byId.size;
  }

  /** Marks a template as just matched. */
  touch(t: Template): void {
    if (this.newest === t) return;
    this.unlink(t);
    this.append(t);
  }

  /** Adds a template, evicting the least recently matched ones beyond the bound. */
  add(t: Template): void {
    this.byId.set(t.id, t);
    this.append(t);
    while (this.byId.size > this.max && this.oldest) this.evict(this.oldest);
  }

  get(id: number): Template | undefined {
    return this.byId.get(id);
  }

  /** All templates, least recently matched first. */
  *values(): IterableIterator<Template> {
    for (let t = this.oldest; t; t = t.newer) yield t;
  }

  private evict(t: Template): void {
    this.unlink(t);
    this.byId.delete(t.id);
    this.evicted++;
    this.onEvict(t);
  }

  private append(t: Template): void {
    t.older = this.newest;
    t.newer = undefined;
    if (this.newest) this.newest.newer = t;
    else this.oldest = t;
    this.newest = t;
  }

  private unlink(t: Template): void {
    if (t.older) t.older.newer = t.newer;
    else if (this.oldest === t) this.oldest = t.newer;
    if (t.newer) t.newer.older = t.older;
    else if (this.newest === t) this.newest = t.older;
    t.older = t.newer = undefined;
  }
}
