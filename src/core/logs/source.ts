/**
 * A container's logs from the engine (GET /containers/{id}/logs) as an
 * abortable stream of decoded lines. The body is always requested with
 * engine timestamps (they order the merge and resume a follow); they are
 * moved into `LogLine.ts` and stripped from `msg`.
 *
 * `containerLogBatches` yields the lines each network chunk completed, as one
 * array (no per-line promise in the hot path). Breaking out of the loop or
 * aborting the signal destroys the request at once.
 */
import type { IncomingMessage } from 'node:http';
import { compareVersions, type Engine } from '../engine/engine.js';
import { engineStream } from '../engine/request.js';
import { inspectTarget, type Target } from '../engine/select.js';
import { nanosToEngineTime, type Nanos } from '../parse.js';
import { LogDecoder } from './decode.js';
import type { LogLine } from './line.js';

export type { LogLine, LogStream } from './line.js';

export interface LogQuery {
  follow?: boolean;
  /** Inclusive lower bound, ns since the epoch. */
  since?: Nanos;
  /** Upper bound, ns since the epoch. */
  until?: Nanos;
  /** Lines per container from the end; undefined = all. */
  tail?: number;
  /** Kept for callers who mirror docker's flags; the engine is always asked for timestamps. */
  timestamps?: boolean;
  /** Bound on one line's bytes; longer lines are cut and marked truncated. */
  maxLineBytes?: number;
  onEngineError?: (text: string) => void;
  /** The container's TTY setting when the caller just inspected it (saves a request); else the source inspects. */
  tty?: boolean;
}

export function logsQuery(q: LogQuery, timestamps: boolean): Record<string, string> {
  const query: Record<string, string> = { stdout: '1', stderr: '1', timestamps: timestamps ? '1' : '0' };
  if (q.follow) query.follow = '1';
  if (q.since !== undefined) query.since = nanosToEngineTime(q.since);
  if (q.until !== undefined) query.until = nanosToEngineTime(q.until);
  query.tail = q.tail === undefined ? 'all' : String(q.tail);
  return query;
}

/** The raw log body; the caller owns (and must destroy) the response. */
export function openLogs(engine: Engine, id: string, query: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
  return engineStream(engine, { path: `/containers/${encodeURIComponent(id)}/logs`, query, signal });
}

/**
 * Lines in batches, one array per chunk received. The container's TTY setting decides how the body is
 * decoded: `q.tty` when the caller knows it; else the reply's Content-Type says it (API >= 1.42:
 * multiplexed-stream or raw-stream), so a container that lives a moment is read with one request; else
 * the target is inspected first.
 */
export async function* containerLogBatches(target: Target, q: LogQuery, signal: AbortSignal): AsyncGenerator<LogLine[]> {
  let tty = q.tty;
  if (tty === undefined && !typedReplies(target.engine)) tty = await inspectTty(target, signal);
  const res = await openLogs(target.engine, target.id, logsQuery(q, true), signal);
  try {
    if (tty === undefined) {
      const type = res.headers['content-type'];
      tty = type === RAW ? true : type === MULTIPLEXED ? false : await inspectTty(target, signal);
      target.tty = tty;
    }
    const decoder = new LogDecoder(target, { tty, stamped: true, maxLineBytes: q.maxLineBytes, onEngineError: q.onEngineError });
    for await (const chunk of res as AsyncIterable<Buffer>) {
      const out: LogLine[] = [];
      decoder.push(chunk, out);
      if (out.length) yield out;
    }
    const rest: LogLine[] = [];
    decoder.end(rest);
    if (rest.length) yield rest;
  } finally {
    res.destroy();
  }
}

const RAW = 'application/vnd.docker.raw-stream';
const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream';
const typedReplies = (e: Engine) => !!e.apiVersion && compareVersions(e.apiVersion, '1.42') >= 0;

async function inspectTty(target: Target, signal: AbortSignal): Promise<boolean> {
  const fresh = await inspectTarget(target.engine, target.id, signal);
  target.tty = fresh.tty;
  target.running = fresh.running;
  return fresh.tty;
}
