/**
 * One `berth templates` run between its source and its sink: observations
 * go through the miner synchronously (a whole batch at a time); --annotate
 * lines are queued as text and written once per batch (backpressure is
 * awaited per batch, not per line); `tick()` writes the templates that
 * changed (--follow) and `finish()` the summary.
 */
import type { TemplateRecord } from '../records.js';
import type { TemplateMiner } from './miner.js';
import type { Observation } from './observe.js';
import { changedRecords } from './summary.js';
import { templateText } from './template.js';

export interface TemplateSink {
  /** NDJSON text (annotate lines) to write; may return a promise for backpressure. */
  text(chunk: string): Promise<void> | void;
  /** Template records: the summary (`final`) or a --follow tick. */
  templates(records: TemplateRecord[], final: boolean): Promise<void> | void;
}

export class TemplatesJob {
  private pending = '';

  constructor(
    readonly miner: TemplateMiner,
    private readonly sink: TemplateSink,
    private readonly annotate: boolean,
  ) {}

  /**
   * Clusters one line; with --annotate queues its record (a blank line, not
   * clustered, with `templateId` and `template` null; a cut text line with
   * `truncated: true`). Synchronous.
   */
  observe(o: Observation): void {
    const t = this.miner.observe(o.text, o.group, o.ts, o.level);
    if (!this.annotate) return;
    const base = o.record ?? (o.truncated ? { msg: o.text, truncated: true } : { msg: o.text });
    this.pending += JSON.stringify({ ...base, templateId: t ? t.id : null, template: t ? templateText(t) : null }) + '\n';
  }

  /** Writes what the batch queued. */
  flush(): Promise<void> | void {
    if (this.pending.length === 0) return;
    const chunk = this.pending;
    this.pending = '';
    return this.sink.text(chunk);
  }

  /** --follow: the templates whose count moved since the last tick. */
  tick(now: string): Promise<void> | void {
    if (this.annotate) return;
    const recs = changedRecords(this.miner.store.values(), now);
    if (recs.length > 0) return this.sink.templates(recs, false);
  }

  /** The end: the summary (or, with --follow, a last tick). */
  async finish(now: string, follow: boolean): Promise<void> {
    await this.flush();
    if (this.annotate) return;
    if (follow) return this.tick(now);
    const recs = changedRecords(this.miner.store.values(), now);
    if (recs.length > 0) await this.sink.templates(recs, true);
  }
}
