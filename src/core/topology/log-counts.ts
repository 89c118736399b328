/**
 * Counts a running member's log lines since `sinceMs` (following) into its
 * node's cells: `logs`, and one of `error`/`warn`/`info`/`debug`/`other` by
 * the line's severity. `seen` holds, per container, the timestamp of the last
 * line counted, so a container that restarts is not counted twice for the
 * lines around the restart. Ends when the container stops or `signal` aborts.
 * Bound: `seen` keeps at most MAX_CURSORS containers (the oldest entry goes).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { containerLogBatches } from '../logs/source.js';
import { parseRfc3339Nanos } from '../parse.js';
import { detectLevel, type Level } from '../logs/severity.js';
import { cell, type TickCounters } from './counters.js';
import type { RunningMember } from './members.js';
import type { NodeCount } from './snapshot.js';

const FIELD: Record<Level, NodeCount> = { ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug', OTHER: 'other' };
export const MAX_CURSORS = 4096;

export const RETRY_MS = 1000;

/**
 * Follows a member's logs until `signal` aborts (the member stopped, or the
 * command ends). When the stream breaks (the engine went away), it tries again
 * every RETRY_MS from the last line counted, so an outage loses no line and
 * counts none twice.
 */
export async function followLogCounts(m: RunningMember, counters: TickCounters, seen: Map<string, string>, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    await countLogs(m, counters, seen, signal);
    await sleep(RETRY_MS, undefined, { signal }).catch(() => {});
  }
}

/** One pass: from max(sinceMs, the last line counted) until the stream ends. */
export async function countLogs(m: RunningMember, counters: TickCounters, seen: Map<string, string>, signal: AbortSignal): Promise<void> {
  const id = m.target.id;
  const last = seen.has(id) ? parseRfc3339Nanos(seen.get(id)!) : undefined;
  const start = BigInt(m.sinceMs) * 1_000_000n;
  const since = last !== undefined && last > start ? last : start;
  try {
    for await (const batch of containerLogBatches(m.target, { follow: true, since }, signal)) {
      const after = seen.get(id) ?? '';
      const fresh = after ? batch.filter((l) => l.ts > after) : batch;
      if (!fresh.length) continue;
      counters.add(cell.node(m.node, 'logs'), fresh.length);
      for (const line of fresh) counters.add(cell.node(m.node, FIELD[detectLevel(line.msg)]));
      remember(seen, id, fresh[fresh.length - 1]!.ts);
    }
  } catch {
    // the container stopped, the engine went away, or we were aborted: the next refresh re-attaches if it runs again
  }
}

function remember(seen: Map<string, string>, id: string, ts: string): void {
  seen.delete(id);
  seen.set(id, ts);
  if (seen.size > MAX_CURSORS) seen.delete(seen.keys().next().value!);
}
