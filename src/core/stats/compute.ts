/**
 * A sample: the numbers for one container at one reading, from the raw
 * reading and the previous one of the same series. `computeSample(prev, cur)`
 * is pure, so every consumer (stats, idle, serve, topology) agrees.
 *
 * CPU% needs a previous reading: `prev.cpu_stats` when given (so --interval
 * spans the whole interval), else the engine's own `precpu_stats` when it
 * filled them (stream=false). The first reading of a stream has neither and
 * gets no `cpuPercent`. Rates need `prev`. When a counter went backwards
 * (restart) the sample starts a new series: `reset` is true and it carries
 * neither CPU% nor rates.
 */
import { fixedRfc3339 } from '../parse.js';
import { blockIO, cpuPercent, hasCpu, memPercent, memUsageNoCache, networkTotals, pidsCurrent, readTimeMs, type RawStats } from './formulas.js';
import { perSecond, wentBackwards } from './rates.js';

export interface StatsSample {
  /** The engine's read time (RFC 3339 with nanoseconds). */
  ts: string;
  /** The same in ms since the epoch (with fraction). */
  tsMs: number;
  cpuPercent?: number;
  /** Cumulative CPU time used by the container, ns (`cpu_usage.total_usage`). */
  cpuTotalNs: number;
  memUsage: number;
  memLimit: number;
  memPercent: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
  netRxRate?: number;
  netTxRate?: number;
  blockReadRate?: number;
  blockWriteRate?: number;
  /** True when this reading starts a new series (counters went backwards). */
  reset?: boolean;
}

type Totals = Pick<StatsSample, 'cpuTotalNs' | 'memUsage' | 'memLimit' | 'memPercent' | 'netRxBytes' | 'netTxBytes' | 'blockReadBytes' | 'blockWriteBytes' | 'pids'>;

/** The cumulative and instantaneous numbers of one reading, no previous needed. */
export function readingTotals(raw: RawStats): Totals {
  const mem = memUsageNoCache(raw.memory_stats);
  const limit = raw.memory_stats?.limit ?? 0;
  const net = networkTotals(raw);
  const blk = blockIO(raw.blkio_stats?.io_service_bytes_recursive);
  return {
    cpuTotalNs: raw.cpu_stats?.cpu_usage?.total_usage ?? 0,
    memUsage: mem,
    memLimit: limit,
    memPercent: memPercent(limit, mem),
    netRxBytes: net.rx,
    netTxBytes: net.tx,
    blockReadBytes: blk.read,
    blockWriteBytes: blk.write,
    pids: pidsCurrent(raw),
  };
}

/** The cumulative counters of two readings: a restart shows as one of them going backwards. */
const wentBack = (a: Totals, b: Totals) =>
  wentBackwards([a.cpuTotalNs, a.netRxBytes, a.netTxBytes, a.blockReadBytes, a.blockWriteBytes], [b.cpuTotalNs, b.netRxBytes, b.netTxBytes, b.blockReadBytes, b.blockWriteBytes]);

/** The reading's `read` time in ms; undefined when the container is not running. */
export function readingTime(raw: RawStats): number | undefined {
  // Asked several times per reading (is it empty, is it due, its sample): parsed once, kept on the reading.
  if (raw.readMs === undefined) raw.readMs = readTimeMs(raw.read) ?? null;
  return raw.readMs ?? undefined;
}

/**
 * A small stand-in for a reading that is kept as the previous one: the same totals, CPU counters and
 * time, without the rest of the payload (kept for a second per container, a full reading would be
 * promoted to the old generation and cost a major GC; this stays a few objects).
 */
export function slimReading(raw: RawStats, sample?: StatsSample): RawStats {
  // The sample of this reading already holds its totals: no need to compute them again.
  const t: Totals = sample ?? readingTotals(raw);
  const cpu = raw.cpu_stats;
  return {
    read: raw.read,
    readMs: readingTime(raw) ?? null,
    cpu_stats: { cpu_usage: { total_usage: t.cpuTotalNs }, system_cpu_usage: cpu?.system_cpu_usage, online_cpus: cpu?.online_cpus },
    memory_stats: { usage: t.memUsage, limit: t.memLimit },
    networks: { all: { rx_bytes: t.netRxBytes, tx_bytes: t.netTxBytes } },
    blkio_stats: {
      io_service_bytes_recursive: [
        { op: 'read', value: t.blockReadBytes },
        { op: 'write', value: t.blockWriteBytes },
      ],
    },
    pids_stats: { current: t.pids },
  };
}

/** True for the engine's reading of a container that is not running (zero `read` time). */
export function isEmptyReading(raw: RawStats): boolean {
  return readingTime(raw) === undefined;
}

/** The sample for `cur`, given the previous reading of the same series (undefined for the first). */
export function computeSample(prev: RawStats | undefined, cur: RawStats): StatsSample {
  // Runs for every reading of every container: one object, built in place.
  const sample: StatsSample = readingTotals(cur) as StatsSample;
  sample.ts = fixedRfc3339(cur.read);
  const tsMs = readingTime(cur) ?? Date.now();
  sample.tsMs = tsMs;
  if (!prev || isEmptyReading(prev)) {
    if (!prev && hasCpu(cur.precpu_stats) && cur.cpu_stats) sample.cpuPercent = cpuPercent(cur.precpu_stats, cur.cpu_stats);
    return sample;
  }
  const before = readingTotals(prev);
  if (wentBack(before, sample)) {
    sample.reset = true;
    return sample;
  }
  if (hasCpu(prev.cpu_stats) && cur.cpu_stats) sample.cpuPercent = cpuPercent(prev.cpu_stats, cur.cpu_stats);
  const elapsed = tsMs - (readingTime(prev) ?? tsMs);
  setRate(sample, 'netRxRate', perSecond(before.netRxBytes, sample.netRxBytes, elapsed));
  setRate(sample, 'netTxRate', perSecond(before.netTxBytes, sample.netTxBytes, elapsed));
  setRate(sample, 'blockReadRate', perSecond(before.blockReadBytes, sample.blockReadBytes, elapsed));
  setRate(sample, 'blockWriteRate', perSecond(before.blockWriteBytes, sample.blockWriteBytes, elapsed));
  return sample;
}

function setRate(s: StatsSample, k: 'netRxRate' | 'netTxRate' | 'blockReadRate' | 'blockWriteRate', v: number | undefined): void {
  if (v !== undefined) s[k] = v;
}
