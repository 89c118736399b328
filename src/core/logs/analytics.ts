/**
 * Running severity counts per container, and a time series of one-minute
 * buckets over all containers, by the lines' own timestamps.
 * Bounds: the series is a RingBuffer of 60 contiguous minutes (a new minute
 * pushes out the oldest; empty minutes in between are kept as zero buckets);
 * a line older than the oldest bucket still counts per container but not in
 * the series. Per-container counts are one small object per container.
 */
import { putGroup, type GroupInfo } from '../engine/labels.js';
import type { Target } from '../engine/select.js';
import { RingBuffer } from '../ring-buffer.js';
import type { LevelCounts, LogSummaryRecord } from '../records.js';
import type { Level } from './severity.js';

export const SERIES_BUCKETS = 60;

export interface ContainerCounts {
  target: Target;
  lines: number;
  counts: LevelCounts;
}

export interface Bucket {
  /** Minutes since the epoch. */
  minute: number;
  counts: LevelCounts;
}

const zero = (): LevelCounts => ({ ERROR: 0, WARN: 0, INFO: 0, DEBUG: 0, OTHER: 0 });

/** "2026-11-22T10:51:02.123456789Z" -> minutes since the epoch. */
export function minuteOf(ts: string): number {
  return Math.floor(Date.parse(ts.slice(0, 16) + ':00Z') / 60_000);
}

export class LogAnalytics {
  readonly containers = new Map<Target, ContainerCounts>();
  readonly series = new RingBuffer<Bucket>(SERIES_BUCKETS);
  readonly total: LevelCounts = zero();
  lines = 0;
  private lastPrefix = '';
  private lastBucket: Bucket | undefined;

  /** A selected container: it gets a summary (with zeros) even if it writes no line. */
  track(target: Target): ContainerCounts {
    let c = this.containers.get(target);
    if (c === undefined) this.containers.set(target, (c = { target, lines: 0, counts: zero() }));
    return c;
  }

  add(target: Target, ts: string, level: Level): void {
    const c = this.containers.get(target) ?? this.track(target);
    c.lines++;
    c.counts[level]++;
    this.total[level]++;
    this.lines++;
    const b = this.lastBucket !== undefined && ts.startsWith(this.lastPrefix) ? this.lastBucket : this.bucketFor(ts);
    if (b) b.counts[level]++;
  }

  private bucketFor(ts: string): Bucket | undefined {
    const m = minuteOf(ts);
    if (Number.isNaN(m)) return undefined;
    const last = this.series.last();
    if (last === undefined || m > last.minute) {
      const from = last === undefined ? m : Math.max(last.minute + 1, m - SERIES_BUCKETS + 1);
      for (let k = from; k <= m; k++) this.series.push({ minute: k, counts: zero() });
    }
    const newest = this.series.last()!;
    const b = this.series.at(this.series.size - 1 - (newest.minute - m));
    if (b === undefined || b.minute !== m) return undefined;
    if (b === newest) {
      this.lastBucket = b;
      this.lastPrefix = ts.slice(0, 16);
    }
    return b;
  }

  /** `summary` records: one per container (by name), then one for all with the series. */
  records(ts: string, engineOf?: (t: Target) => string | undefined): LogSummaryRecord[] {
    const rows = [...this.containers.values()].sort((a, b) => a.target.name.localeCompare(b.target.name));
    const out: LogSummaryRecord[] = rows.map((c) => ({
      type: 'summary',
      ts,
      scope: 'container',
      id: c.target.id,
      name: c.target.name,
      ...groupOf(c.target),
      ...(engineOf?.(c.target) !== undefined ? { engine: engineOf(c.target) } : {}),
      lines: c.lines,
      counts: { ...c.counts },
    }));
    const series = this.series.toArray().map((b) => ({ minute: new Date(b.minute * 60_000).toISOString().replace('.000Z', 'Z'), ...b.counts }));
    out.push({ type: 'summary', ts, scope: 'all', lines: this.lines, counts: { ...this.total }, series });
    return out;
  }
}

function groupOf(t: Target): GroupInfo {
  const g: Record<string, unknown> = {};
  putGroup(g, t);
  return g as GroupInfo;
}
