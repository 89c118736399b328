/**
 * Activity without a proxy: the container's network counters (bytes in +
 * out, summed over its interfaces) and CPU counters, read from the engine's
 * one-shot stats (src/core/stats). Counters are cumulative, so any two
 * readings give the traffic and the average CPU between them.
 *
 * `ActivityClock` is pure: it keeps the last reading, the time of the last
 * activity, and a bounded history of CPU readings (at most MAX_CPU_SAMPLES;
 * the oldest is dropped first) for the busy veto's "cpu over the last minute".
 */
import type { Engine } from '../engine/engine.js';
import { cpuPercent, networkTotals, type CpuStats } from '../stats/formulas.js';
import { readStatsOnce } from '../stats/sample.js';

export interface Counters {
  /** Local time of the reading, ms. */
  at: number;
  /** Network bytes received + sent since the container started. */
  bytes: number;
  /** Of which sent (absent in state files of older versions). */
  tx?: number;
  cpu?: CpuStats;
}

export const MAX_CPU_SAMPLES = 128;

export async function readCounters(engine: Engine, id: string, signal: AbortSignal, now = Date.now): Promise<Counters> {
  // 'now': one reading without the engine's one-second pairing (counters only need one).
  const raw = await readStatsOnce(engine, id, signal, 'now');
  const { rx, tx } = networkTotals(raw);
  return { at: now(), bytes: rx + tx, tx, ...(raw.cpu_stats ? { cpu: raw.cpu_stats } : {}) };
}

/**
 * Traffic between two readings counts as activity when it is above
 * `minBytes` and the container sent something: broadcast and multicast
 * chatter on a shared network (ARP, IPv6 neighbour discovery of other
 * containers) only ever arrives, so it never keeps a container awake.
 * Counters going back mean a restart: activity too.
 */
export function isActivity(prev: Counters | undefined, cur: Counters, minBytes: number): boolean {
  if (!prev) return false;
  if (cur.bytes < prev.bytes) return true;
  const sent = cur.tx !== undefined && prev.tx !== undefined ? cur.tx - prev.tx : 1;
  return sent > 0 && cur.bytes - prev.bytes > minBytes;
}

export class ActivityClock {
  last?: Counters;
  private readonly cpu: Counters[] = [];

  constructor(public lastActivity: number) {}

  /** Feeds a reading; true when it shows activity (then lastActivity = its time). */
  observe(cur: Counters, minBytes: number): boolean {
    const active = isActivity(this.last, cur, minBytes);
    if (active) this.lastActivity = cur.at;
    this.last = cur;
    if (cur.cpu) {
      this.cpu.push(cur);
      if (this.cpu.length > MAX_CPU_SAMPLES) this.cpu.shift();
    }
    return active;
  }

  /** Marks activity now (the container just started, or berth woke it). */
  touch(at: number): void {
    this.lastActivity = Math.max(this.lastActivity, at);
  }

  /**
   * Average CPU% from the newest reading back over `windowMs` (from the
   * newest reading at least that old, else the oldest kept); undefined
   * with fewer than two readings.
   */
  cpuOver(windowMs: number): { percent: number; spanMs: number } | undefined {
    const cur = this.cpu[this.cpu.length - 1];
    if (!cur || this.cpu.length < 2) return undefined;
    let from = this.cpu[0]!;
    for (const c of this.cpu) if (cur.at - c.at >= windowMs) from = c;
    if (from === cur) return undefined;
    return { percent: cpuPercent(from.cpu!, cur.cpu!), spanMs: cur.at - from.at };
  }

  idleFor(now: number): number {
    return Math.max(0, now - this.lastActivity);
  }
}
