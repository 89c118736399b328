/**
 * Podman's CPU readings, made docker's. Its compat API's `system_cpu_usage`
 * is not the host's CPU time as docker's is: measured here (Podman 4.3), its
 * delta over one second was 0.28 of the wall clock times the online CPUs, so
 * docker's formula (container delta / system delta x CPUs) read a container
 * capped at 0.25 CPU as 175%. On Podman the system counter is therefore taken
 * from the reading's own time: wall-clock nanoseconds times the online CPUs,
 * which is what docker's counter measures on an otherwise busy or idle host
 * alike. Then CPU% = container CPU time / wall time, as `podman stats` shows.
 * The reading's `precpu_stats` (previous reading of a stream) gets the same
 * from its `preread` time.
 */
import { readTimeMs, type CpuStats, type RawStats } from './formulas.js';

/** Pure: the reading with its system CPU counters taken from its own times (in place; returned). */
export function podmanCpu(raw: RawStats): RawStats {
  fix(raw.cpu_stats, readTimeMs(raw.read));
  fix(raw.precpu_stats, readTimeMs(raw.preread));
  return raw;
}

function fix(cpu: CpuStats | undefined, atMs: number | undefined): void {
  if (!cpu) return;
  const online = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 0;
  // No time or no CPU count: no system counter, so no CPU% (shown as 0 with the reading's other figures).
  cpu.system_cpu_usage = atMs === undefined || !online ? 0 : atMs * 1e6 * online;
}
