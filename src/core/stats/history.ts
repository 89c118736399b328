/**
 * Per-container history: a ring buffer of the last `capacity` samples for
 * each container (default 60). Bound: each ring overwrites its oldest sample
 * when full, and a container's ring is dropped when the container goes away
 * (`remove`), so memory stays at most containers x capacity samples whatever
 * the churn. A sample with `reset` (counters went backwards: a restart)
 * clears the ring first, so a series never spans two lives of a container.
 */
import { RingBuffer } from '../ring-buffer.js';
import type { StatsSample } from './compute.js';

export const DEFAULT_HISTORY = 60;

/** The numeric fields a series can be read for. */
export type SeriesField = 'cpuPercent' | 'memUsage' | 'memPercent' | 'netRxRate' | 'netTxRate' | 'blockReadRate' | 'blockWriteRate' | 'pids';

export class StatsHistory {
  private readonly rings = new Map<string, RingBuffer<StatsSample>>();

  constructor(readonly capacity = DEFAULT_HISTORY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be a positive integer (got: ${capacity})`);
  }

  add(key: string, sample: StatsSample): void {
    let ring = this.rings.get(key);
    if (!ring) this.rings.set(key, (ring = new RingBuffer<StatsSample>(this.capacity)));
    if (sample.reset) ring.clear();
    ring.push(sample);
  }

  remove(key: string): void {
    this.rings.delete(key);
  }

  has(key: string): boolean {
    return this.rings.has(key);
  }

  keys(): string[] {
    return [...this.rings.keys()];
  }

  /** Number of containers held. */
  get size(): number {
    return this.rings.size;
  }

  samples(key: string): StatsSample[] {
    return this.rings.get(key)?.toArray() ?? [];
  }

  latest(key: string): StatsSample | undefined {
    return this.rings.get(key)?.last();
  }

  /** The field's values, oldest first; samples without it (first CPU reading, rates after a reset) are skipped. */
  series(key: string, field: SeriesField): number[] {
    const out: number[] = [];
    for (const s of this.rings.get(key) ?? []) {
      const v = s[field];
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  /** Network rate (rx + tx) per sample, for one sparkline. */
  netSeries(key: string): number[] {
    const out: number[] = [];
    for (const s of this.rings.get(key) ?? []) if (s.netRxRate !== undefined && s.netTxRate !== undefined) out.push(s.netRxRate + s.netTxRate);
    return out;
  }
}
