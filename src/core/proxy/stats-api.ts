/**
 * The stats history API: GET /$berth/api/stats/CONTAINER?from=N returns
 * {metrics: [{cpu, mem, ts}], from: NEXT, running, sampling}: the samples
 * taken since index N (absolute; pass NEXT back next time). The client that
 * polls it is what starts sampling and keeps it going, as does a request
 * through the proxy; sampling takes one reading every `intervalMs` (CPU%
 * between consecutive readings, memory without cache, as `docker stats`
 * computes them: src/core/stats), and stops after `expiryMs` without a poll
 * or a request. `running` is the engine's answer at the last reading: a poll
 * that starts sampling waits (up to FIRST_READING_MS) for the first one. Each container keeps a ring buffer of `capacity`
 * samples (default 3000); older samples are overwritten, so memory is
 * bounded by routes x capacity.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engine/engine.js';
import { RingBuffer } from '../ring-buffer.js';
import { computeSample, isEmptyReading } from '../stats/compute.js';
import type { RawStats } from '../stats/formulas.js';
import { readStatsOnce } from '../stats/sample.js';

export interface StatsPoint {
  cpu: number;
  mem: number;
  ts: string;
}

export interface StatsAnswer {
  metrics: StatsPoint[];
  from: number;
  running: boolean;
  /** True while berth samples the container (it was polled or had a request within the expiry). */
  sampling: boolean;
}

export interface SamplerOptions {
  intervalMs: number;
  expiryMs: number;
  capacity?: number;
  read?: (engine: Engine, id: string, signal: AbortSignal) => Promise<RawStats>;
  now?: () => number;
}

interface Series {
  buf: RingBuffer<StatsPoint>;
  lastRequest: number;
  sampling: boolean;
  running: boolean;
  prev?: RawStats;
  /** Settles once the current sampling run has made its first reading. */
  firstReading?: Promise<void>;
  readingMade?: () => void;
}

/** The longest a poll that starts sampling waits for the engine's first reading. */
export const FIRST_READING_MS = 3000;

export class StatsSampler {
  private readonly series = new Map<string, Series>();
  private readonly now: () => number;

  constructor(
    private readonly engine: Engine,
    private readonly opts: SamplerOptions,
    private readonly signal: AbortSignal,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** A request for `name`: starts sampling, or keeps it going. */
  touch(name: string): void {
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = { buf: new RingBuffer(this.opts.capacity ?? 3000), lastRequest: 0, sampling: false, running: false }));
    s.lastRequest = this.now();
    if (!s.sampling) {
      s.sampling = true;
      s.firstReading = new Promise((resolve) => (s.readingMade = resolve));
      void this.loop(name, s);
    }
  }

  /** A client polling the API: starts or keeps sampling, and answers once `running` has been read from the engine. */
  async poll(name: string, from: number): Promise<StatsAnswer> {
    this.touch(name);
    const s = this.series.get(name)!;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([s.firstReading, new Promise((resolve) => (timer = setTimeout(resolve, FIRST_READING_MS)))]);
    clearTimeout(timer);
    return this.query(name, from);
  }

  query(name: string, from: number): StatsAnswer {
    const s = this.series.get(name);
    if (!s) return { metrics: [], from: 0, running: false, sampling: false };
    const { items, next } = s.buf.since(from);
    return { metrics: items, from: next, running: s.running, sampling: s.sampling };
  }

  private async loop(name: string, s: Series): Promise<void> {
    // One-shot readings: the engine answers at once instead of waiting a second for a pair, and CPU% is
    // computed against this series' previous reading anyway.
    const read = this.opts.read ?? ((e: Engine, n: string, sig: AbortSignal) => readStatsOnce(e, n, sig, 'now'));
    try {
      while (!this.signal.aborted && this.now() - s.lastRequest < this.opts.expiryMs) {
        const began = Date.now();
        await this.take(name, s, read).catch(() => (s.running = false));
        s.readingMade?.();
        // A fixed cadence: the time the reading took counts toward the interval.
        await sleep(Math.max(0, this.opts.intervalMs - (Date.now() - began)), undefined, { signal: this.signal });
      }
    } catch {
      // aborted: the server is shutting down
    } finally {
      s.readingMade?.();
      s.sampling = false;
      s.prev = undefined;
    }
  }

  private async take(name: string, s: Series, read: NonNullable<SamplerOptions['read']>): Promise<void> {
    const raw = await read(this.engine, name, this.signal);
    // Nobody asked within the expiry while the reading was on its way (a slow engine): it is not kept.
    if (this.now() - s.lastRequest >= this.opts.expiryMs) return;
    s.running = !isEmptyReading(raw);
    if (!s.running) {
      s.prev = undefined;
      return;
    }
    const sample = computeSample(s.prev, raw);
    s.prev = raw;
    if (sample.cpuPercent !== undefined) s.buf.push({ cpu: round(sample.cpuPercent), mem: sample.memUsage, ts: sample.ts });
  }
}

const round = (v: number) => Math.round(v * 100) / 100;
