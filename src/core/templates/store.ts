/**
 * The templates in least-recently-matched order, with a bound: when a new
 * template would make more than `max`, the least recently matched ones are
 * evicted (and unlinked from their tree through `onEvict`) so memory stays
 * flat on endless streams. An evicted template that comes back starts again
 * with a new id. `evicted` counts evictions so the command can say so.
 * The order is an intrusive doubly linked list (`older`/`newer` on each
 * template): a match moves its template to the newest end in O(1), with no
 * allocation, and an eviction takes the oldest end in O(1) (no map by id:
 * nothing looked templates up by id, and its set and delete were paid by
 * every template made and evicted).
 */
import type { Template } from './template.js';

export class TemplateStore {
  private oldest: Template | undefined;
  private newest: Template | undefined;
  private count = 0;
  evicted = 0;

  constructor(
    readonly max: number,
    private readonly onEvict: (t: Template) => void = () => {},
  ) {}

  get size(): number {
    return this.count;
  }

  /** Marks a template as just matched. */
  touch(t: Template): void {
    if (this.newest === t) return;
    this.unlink(t);
    this.append(t);
  }

  /** Adds a template, evicting the least recently matched ones beyond the bound. */
  add(t: Template): void {
    this.append(t);
    this.count++;
    while (this.count > this.max && this.oldest) this.evict(this.oldest);
  }

  /** All templates, least recently matched first. */
  *values(): IterableIterator<Template> {
    for (let t = this.oldest; t; t = t.newer) yield t;
  }

  private evict(t: Template): void {
    this.unlink(t);
    this.count--;
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
