/** One decoded log line of one container, as the log sources yield it. */
import type { Target } from '../engine/select.js';

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  /** The engine's timestamp, fixed RFC 3339 form with nine fraction digits, UTC (sorts as text). */
  ts: string;
  stream: LogStream;
  /** The line without its newline (and without a trailing CR). */
  msg: string;
  /** True when the line was longer than the bound and was cut there. */
  truncated: boolean;
  target: Target;
}

/** Orders lines by their timestamp (fixed-form text sorts as time); a stable sort keeps equal stamps in arrival order. */
export const byTs = (a: { ts: string }, b: { ts: string }): number => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0);
