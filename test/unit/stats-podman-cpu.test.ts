import { describe, expect, it } from 'vitest';
import { podmanCpu } from '../../src/core/stats/podman-cpu.js';
import { cpuPercent, type RawStats } from '../../src/core/stats/formulas.js';

/** A Podman reading: its own system counter is off the wall clock (here 0.28 of it, as measured on Podman 4.3). */
const reading = (read: string, total: number, system: number, online = 2): RawStats => ({
  read,
  cpu_stats: { cpu_usage: { total_usage: total }, system_cpu_usage: system, online_cpus: online },
});

describe("Podman's CPU readings", () => {
  it('gives CPU% as container CPU time over wall time: a quarter of a CPU for a second is 25%', () => {
    const a = podmanCpu(reading('2026-01-01T00:00:00.000000000Z', 1_000_000_000, 5_000_000_000));
    const b = podmanCpu(reading('2026-01-01T00:00:01.000000000Z', 1_250_000_000, 5_560_000_000));
    expect(cpuPercent(a.cpu_stats!, b.cpu_stats!)).toBeCloseTo(25, 6);
    // Docker's formula on Podman's own counter would have said 89.3%.
    expect((250_000_000 / 560_000_000) * 2 * 100).toBeCloseTo(89.29, 2);
  });

  it("does the same for a stream reading's precpu_stats from its preread time", () => {
    const raw: RawStats = {
      read: '2026-01-01T00:00:02.500000000Z',
      preread: '2026-01-01T00:00:02.000000000Z',
      cpu_stats: { cpu_usage: { total_usage: 600_000_000 }, system_cpu_usage: 1, online_cpus: 4 },
      precpu_stats: { cpu_usage: { total_usage: 100_000_000 }, system_cpu_usage: 1, online_cpus: 4 },
    };
    podmanCpu(raw);
    expect(cpuPercent(raw.precpu_stats!, raw.cpu_stats!)).toBeCloseTo(100, 6); // one whole CPU over half a second
  });

  it('leaves no system counter (so no CPU%) without a time or a CPU count', () => {
    const raw = podmanCpu({ read: '0001-01-01T00:00:00Z', cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 9, online_cpus: 2 } });
    expect(raw.cpu_stats!.system_cpu_usage).toBe(0);
    const none = podmanCpu(reading('2026-01-01T00:00:00Z', 5, 9, 0));
    expect(none.cpu_stats!.system_cpu_usage).toBe(0);
  });
});
