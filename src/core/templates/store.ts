/**
 * The templates in least-recently-matched order, with a bound: when a new
 * template would make more than `max`, the least recently matched ones are
 * evicted (and unlinked from their tree through `onEvict`) so memory stays
 * flat on endless streams. An evicted template that comes back starts again
 * with a new id. `evicted` counts evictions so the command can say so.
 */
import type { Template } from './template.js';

export class TemplateStore {
  /** Map insertion order is the LRU order: the first entry is the least recently matched. */
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
    this.byId.delete(t.id);
    this.byId.set(t.id, t);
  }

  /** Adds a template, evicting the least recently matched ones beyond the bound. */
  add(t: Template): void {
    this.byId.set(t.id, t);
    while (this.byId.size > this.max) this.evictOldest();
  }

  get(id: number): Template | undefined {
    return this.byId.get(id);
  }

  /** All templates, least recently matched first. */
  values(): IterableIterator<Template> {
    return this.byId.values();
  }

  private evictOldest(): void {
    const first = this.byId.values().next();
    if (first.done) return;
    this.byId.delete(first.value.id);
    this.evicted++;
    this.onEvict(first.value);
  }
}
