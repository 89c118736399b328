/**
 * The numbers `docker stats` shows, computed exactly as the docker CLI does.
 * Source: docker/cli `cli/command/container/stats_helpers.go` (20.10 and
 * later; the function named beside each formula below). Inputs are the
 * engine's GET /containers/{id}/stats payload (`RawStats`), cgroup v1 or v2.
 */

export interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface BlkioEntry {
  op?: string;
  value?: number;
}

export interface MemoryStats {
  usage?: number;
  limit?: number;
  stats?: Record<string, number>;
}

export interface NetworkStats {
  rx_bytes?: number;
  tx_bytes?: number;
}

/** One reading from the engine's stats endpoint (the fields berth reads). */
export interface RawStats {
  read: string;
  /** berth's own: `readTimeMs(read)` once computed (null: not a time), not the engine's. */
  readMs?: number | null;
  preread?: string;
  id?: string;
  name?: string;
  pids_stats?: { current?: number; limit?: number };
  blkio_stats?: { io_service_bytes_recursive?: BlkioEntry[] | null };
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: MemoryStats;
  networks?: Record<string, NetworkStats>;
}

/**
 * CPU% = container CPU delta / system CPU delta x online CPUs x 100, with the
 * length of `percpu_usage` when `online_cpus` is absent (older engines), and
 * 0 unless both deltas are positive.
 * Source: stats_helpers.go `calculateCPUPercentUnix`.
 */
export function cpuPercent(prev: CpuStats, cur: CpuStats): number {
  return cpuPercentOf(prev.cpu_usage?.total_usage ?? 0, prev.system_cpu_usage ?? 0, cur);
}

/** `cpuPercent` from the previous reading's two counters (the container's total usage and the system's). */
export function cpuPercentOf(prevTotal: number, prevSystem: number, cur: CpuStats): number {
  const cpuDelta = (cur.cpu_usage?.total_usage ?? 0) - prevTotal;
  const systemDelta = (cur.system_cpu_usage ?? 0) - prevSystem;
  let online = cur.online_cpus ?? 0;
  if (online === 0) online = cur.cpu_usage?.percpu_usage?.length ?? 0;
  if (systemDelta > 0 && cpuDelta > 0) return (cpuDelta / systemDelta) * online * 100;
  return 0;
}

/**
 * Memory usage without the page cache that can be reclaimed: usage minus
 * `total_inactive_file` on cgroup v1, minus `inactive_file` on cgroup v2, each
 * only when smaller than usage; else usage.
 * Source: stats_helpers.go `calculateMemUsageUnixNoCache`.
 */
export function memUsageNoCache(mem: MemoryStats | undefined): number {
  const usage = mem?.usage ?? 0;
  const stats = mem?.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file ?? 0;
  if (v2 < usage) return usage - v2;
  return usage;
}

/**
 * Memory% = usage (no cache) / limit x 100; 0 when the limit is 0 (a
 * container that is not running). Source: stats_helpers.go
 * `calculateMemPercentUnixNoCache`.
 */
export function memPercent(limit: number, usedNoCache: number): number {
  return limit !== 0 ? (usedNoCache / limit) * 100 : 0;
}

/**
 * Block I/O bytes read and written: `io_service_bytes_recursive` entries
 * summed by the first letter of `op`, case-insensitively ("Read" on cgroup
 * v1, "read" on v2). Source: stats_helpers.go `calculateBlockIO`.
 */
export function blockIO(entries: BlkioEntry[] | null | undefined): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const e of entries ?? []) {
    const c = e.op?.[0];
    if (c === 'r' || c === 'R') read += e.value ?? 0;
    else if (c === 'w' || c === 'W') write += e.value ?? 0;
  }
  return { read, write };
}

/**
 * Network bytes received and sent, summed over all interfaces.
 * Source: stats_helpers.go `calculateNetwork`.
 */
export function networkTotals(raw: Pick<RawStats, 'networks'>): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(raw.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  return { rx, tx };
}

/** PIDs: `pids_stats.current` (docker's `PidsStatsCurrent`), 0 when absent. */
export function pidsCurrent(raw: Pick<RawStats, 'pids_stats'>): number {
  return raw.pids_stats?.current ?? 0;
}

/** A reading with a usable previous CPU reading: the engine fills `precpu_stats` (system usage > 0). */
export function hasCpu(c: CpuStats | undefined): c is CpuStats {
  return !!c && (c.system_cpu_usage ?? 0) > 0;
}

/**
 * The engine's `read` time in milliseconds since the epoch, keeping the
 * sub-millisecond fraction; undefined for Go's zero time ("0001-01-01..."),
 * which the engine sends for a container that is not running.
 *
 * Called for every reading of every container: the readings of one engine
 * tick share their whole seconds and zone, so the last of those parsed is
 * kept and only the fraction is read again.
 */
export function readTimeMs(read: string | undefined): number | undefined {
  if (!read || read.startsWith('0001-') || read.length < 20 || read[10] !== 'T') return undefined;
  let end = 19;
  if (read[19] === '.') {
    end = 20;
    while (end < read.length && read.charCodeAt(end) >= 48 && read.charCodeAt(end) <= 57) end++;
    if (end === 20) return undefined;
  }
  const zone = read.slice(end);
  if (zone !== 'Z' && !/^[+-]\d\d:\d\d$/.test(zone)) return undefined;
  const whole = read.slice(0, 19) + zone;
  if (whole !== lastWhole) {
    const base = Date.parse(whole);
    if (Number.isNaN(base)) return undefined;
    lastWhole = whole;
    lastBase = base;
  }
  return end === 19 ? lastBase : lastBase + Number(`0.${read.slice(20, end)}`) * 1000;
}
let lastWhole = '';
let lastBase = 0;
