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
import { blockIO, cpuPercent, cpuPercentOf, hasCpu, memPercent, memUsageNoCache, networkTotals, pidsCurrent, readTimeMs, type RawStats } from './formulas.js';
import { perSecond } from './rates.js';

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

/** The cumulative counters of two readings: a restart shows as one of them going backwards (rates.ts `wentBackwards`, counter by counter). */
const wentBack = (a: Totals, b: Totals) =>
  b.cpuTotalNs < a.cpuTotalNs || b.netRxBytes < a.netRxBytes || b.netTxBytes < a.netTxBytes || b.blockReadBytes < a.blockReadBytes || b.blockWriteBytes < a.blockWriteBytes;

/** The reading's `read` time in ms; undefined when the container is not running. */
export function readingTime(raw: RawStats): number | undefined {
  // Asked several times per reading (is it empty, is it due, its sample): parsed once, kept on the reading.
  if (raw.readMs === undefined) raw.readMs = readTimeMs(raw.read) ?? null;
  return raw.readMs ?? undefined;
}

/**
 * What the next sample of a series needs of the previous reading: that reading's sample (its time and
 * totals) and the engine's system CPU counter then. A follower keeps this for a second per container
 * instead of the reading (about 2 KiB of parsed JSON, which would be promoted to the old generation and
 * cost a major GC); `nextSample(prev, cur)` equals `computeSample(thatReading, cur)`.
 */
export interface Previous {
  sample: StatsSample;
  systemCpu: number | undefined;
}

/** The Previous of a reading and its sample (a reading that is not running has none: the next sample starts a series). */
export function previousOf(raw: RawStats, sample: StatsSample): Previous | undefined {
  return isEmptyReading(raw) ? undefined : { sample, systemCpu: raw.cpu_stats?.system_cpu_usage };
}

/** The sample for `cur` after the kept previous reading of its series (undefined for the first). */
export function nextSample(prev: Previous | undefined, cur: RawStats): StatsSample {
  return prev ? sampleAfter(prev.sample, prev.sample.tsMs, prev.systemCpu, cur) : computeSample(undefined, cur);
}

/** True for the engine's reading of a container that is not running (zero `read` time). */
export function isEmptyReading(raw: RawStats): boolean {
  return readingTime(raw) === undefined;
}

/** The sample for `cur`, given the previous reading of the same series (undefined for the first). */
export function computeSample(prev: RawStats | undefined, cur: RawStats): StatsSample {
  if (prev && !isEmptyReading(prev)) return sampleAfter(readingTotals(prev), readingTime(prev)!, prev.cpu_stats?.system_cpu_usage, cur);
  // Runs for every reading of every container: one object, built in place.
  const sample = startSample(cur);
  if (!prev && hasCpu(cur.precpu_stats) && cur.cpu_stats) sample.cpuPercent = cpuPercent(cur.precpu_stats, cur.cpu_stats);
  return sample;
}

/** The totals and time of `cur`, as a sample without CPU% or rates. */
function startSample(cur: RawStats): StatsSample {
  const sample = readingTotals(cur) as StatsSample;
  sample.ts = fixedRfc3339(cur.read);
  sample.tsMs = readingTime(cur) ?? Date.now();
  return sample;
}

/** The sample for `cur` after a reading of `before`'s totals at `beforeMs`, whose system CPU counter was `beforeSystem`. */
function sampleAfter(before: Totals, beforeMs: number, beforeSystem: number | undefined, cur: RawStats): StatsSample {
  const sample = startSample(cur);
  if (wentBack(before, sample)) {
    sample.reset = true;
    return sample;
  }
  if ((beforeSystem ?? 0) > 0 && cur.cpu_stats) sample.cpuPercent = cpuPercentOf(before.cpuTotalNs, beforeSystem!, cur.cpu_stats);
  const elapsed = sample.tsMs - beforeMs;
  setRate(sample, 'netRxRate', perSecond(before.netRxBytes, sample.netRxBytes, elapsed));
  setRate(sample, 'netTxRate', perSecond(before.netTxBytes, sample.netTxBytes, elapsed));
  setRate(sample, 'blockReadRate', perSecond(before.blockReadBytes, sample.blockReadBytes, elapsed));
  setRate(sample, 'blockWriteRate', perSecond(before.blockWriteBytes, sample.blockWriteBytes, elapsed));
  return sample;
}

function setRate(s: StatsSample, k: 'netRxRate' | 'netTxRate' | 'blockReadRate' | 'blockWriteRate', v: number | undefined): void {
  if (v !== undefined) s[k] = v;
}
