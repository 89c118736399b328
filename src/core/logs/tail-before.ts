/**
 * The last N lines a container wrote before a moment (`q.until`, the cut) and
 * from `q.since` on: what `--tail N` means for the lines written before berth
 * began following. The engine cannot be asked for it: it takes the last N
 * lines of the log first and filters them by time after, so for a container
 * that wrote lines after the cut (it started again after berth began, or kept
 * writing while berth looked) `tail=N&until=CUT` gives fewer than N, or none.
 *
 * So the log's tail is read without a time filter, and read again larger (x4)
 * until it holds N lines before the cut, reaches back before `since`, or is the
 * whole log; the lines after the cut are left to the follow. Bounds: a read
 * holds at most its tail size of lines (the first, N + 256, is enough unless
 * the container wrote more than 256 lines after the cut).
 */
import type { Target } from '../engine/select.js';
import { nanosToRfc3339 } from '../parse.js';
import type { LogLine } from './line.js';
import { containerLogBatches, type LogQuery } from './source.js';

export const TAIL_SLACK = 256;

export async function tailBefore(target: Target, q: LogQuery & { until: bigint; tail: number }, signal: AbortSignal): Promise<LogLine[]> {
  if (q.tail <= 0) return [];
  const cut = nanosToRfc3339(q.until);
  const since = q.since !== undefined ? nanosToRfc3339(q.since) : undefined;
  for (let size = q.tail + TAIL_SLACK; ; size *= 4) {
    const read: LogLine[] = [];
    const { since: _s, until: _u, ...rest } = q;
    for await (const batch of containerLogBatches(target, { ...rest, tail: size, follow: false }, signal)) for (const l of batch) read.push(l);
    const before = read.filter((l) => l.ts < cut && (since === undefined || l.ts >= since));
    const whole = read.length < size;
    const pastSince = since !== undefined && read.length > 0 && read[0]!.ts < since;
    if (before.length >= q.tail || whole || pastSince) return before.slice(-q.tail);
  }
}
