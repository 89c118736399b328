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

export interface TemplateSink {
  /** NDJSON text (annotate lines) to write; may return a promise for backpressure. */
  text(chunk: string): Promise<void> | void;
  /** Template records: the summary (`final`) or a --follow tick. */
  templates(records: TemplateRecord[], final: boolean): Promise<void> | void;
}

/**
 * Lines of sources whose header is still being learned wait here, in input
 * order (lines of other sources behind them too, so --annotate keeps the
 * order). Bound: at most MAX_WAITING lines; beyond, the first waiting
 * line's source learns from what it has. The end of input and every
 * --follow tick settle all learning, so no line waits longer than a tick.
 */
const MAX_WAITING = 4096;

export class TemplatesJob {
  private pending = '';
  private waiting: Observation[] = [];
  private head = 0;

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
    const learning = this.miner.learning(o.group);
    if (!learning && this.head === this.waiting.length) return this.cluster(o);
    this.waiting.push(o);
    if (learning) this.miner.learn(o.group, o.text);
    if (this.waiting.length - this.head > MAX_WAITING) this.miner.settle(this.waiting[this.head]!.group);
    this.release();
  }

  /** Clusters the waiting lines up to the first whose source is still learning. */
  private release(): void {
    const w = this.waiting;
    while (this.head < w.length && !this.miner.learning(w[this.head]!.group)) this.cluster(w[this.head++]!);
    if (this.head === w.length) {
      this.waiting = [];
      this.head = 0;
    }
  }

  /** Ends all learning and clusters every waiting line. */
  private settle(): void {
    for (let i = this.head; i < this.waiting.length; i++) this.miner.settle(this.waiting[i]!.group);
    this.release();
  }

  private cluster(o: Observation): void {
    const t = this.miner.observe(o.text, o.group, o.ts, o.level);
    if (!this.annotate) return;
    const base = o.record ?? (o.truncated ? { msg: o.text, truncated: true } : { msg: o.text });
    this.pending += JSON.stringify({ ...base, templateId: t ? t.id : null, template: t ? t.text : null }) + '\n';
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
    this.settle();
    if (this.annotate) return this.flush();
    const recs = changedRecords(this.miner.store.values(), now);
    if (recs.length > 0) return this.sink.templates(recs, false);
  }

  /** The end: the summary (or, with --follow, a last tick). */
  async finish(now: string, follow: boolean): Promise<void> {
    this.settle();
    await this.flush();
    if (this.annotate) return;
    if (follow) return this.tick(now);
    const recs = changedRecords(this.miner.store.values(), now);
    if (recs.length > 0) await this.sink.templates(recs, true);
  }
}
