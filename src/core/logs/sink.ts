/**
 * The sinks of `berth logs`. Each takes whole batches: severity is detected
 * once per line (a stack trace's lines take the level of the record they
 * continue: record-level.ts), filters applied, analytics counted, and the batch's text is
 * joined into one write per stream (LineWriter adds backpressure and a quiet
 * EPIPE).
 *   json:  `log` records (record.ts)
 *   table: the human view (render.ts)
 *   raw:   the message text, stdout lines to stdout and stderr lines to stderr
 */
import type { Target } from '../engine/select.js';
import { LineWriter } from '../output/ndjson.js';
import type { LogAnalytics } from './analytics.js';
import { keepLine, type LineFilter } from './filter.js';
import type { LogLine } from './line.js';
import { logJson } from './record.js';
import { CUT_MARKER, type LineRenderer } from './render.js';
import { RecordLevels } from './record-level.js';
import type { Level } from './severity.js';

export interface SinkOptions {
  filter?: LineFilter;
  analytics?: LogAnalytics;
  engineOf?: (t: Target) => string | undefined;
}

export type LineFormatter = (l: LogLine, level: Level) => string;

export function jsonFormatter(engineOf?: (t: Target) => string | undefined): LineFormatter {
  return engineOf ? (l, level) => logJson(l, level, engineOf(l.target)) : (l, level) => logJson(l, level);
}

export function tableFormatter(r: LineRenderer): LineFormatter {
  return (l, level) => r.line(l, level);
}

export function rawFormatter(timestamps: boolean): LineFormatter {
  return (l) => (timestamps ? `${l.ts} ` : '') + l.msg + (l.truncated ? CUT_MARKER : '') + '\n';
}

export class BatchSink {
  private readonly levels = new RecordLevels();

  constructor(
    private readonly out: LineWriter,
    private readonly format: LineFormatter,
    private readonly opts: SinkOptions,
    /** When set, stderr lines go here (raw format). */
    private readonly err?: LineWriter,
  ) {}

  write(batch: LogLine[]): Promise<unknown> | void {
    let text = '';
    let errText = '';
    const { filter, analytics } = this.opts;
    for (let i = 0; i < batch.length; i++) {
      const l = batch[i]!;
      const level = this.levels.level(`${l.target.id}/${l.stream}`, l.msg);
      if (filter !== undefined && !keepLine(filter, l.msg, level)) continue;
      analytics?.add(l.target, l.ts, level);
      if (this.err !== undefined && l.stream === 'stderr') errText += this.format(l, level);
      else text += this.format(l, level);
    }
    const a = text ? this.out.writeLine(text) : undefined;
    const b = errText ? this.err!.writeLine(errText) : undefined;
    if (a && b) return Promise.all([a, b]);
    return a ?? b;
  }

  async end(): Promise<void> {
    await this.out.end();
    await this.err?.end();
  }
}
