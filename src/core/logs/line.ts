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

const text = (a: string | undefined, b: string | undefined): number => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);

/**
 * The order of lines across containers (docs/podman.md): the engine's timestamp, then the container's
 * name, then its engine's name; lines equal in all three (one container's) keep the engine's order. Ties
 * are rare with docker's nanosecond stamps and common with Podman's whole seconds; this makes them
 * come out the same in every run.
 */
export const lineOrder = (a: LogLine, b: LogLine): number => byTs(a, b) || text(a.target.name, b.target.name) || text(a.target.engine?.name, b.target.engine?.name);
