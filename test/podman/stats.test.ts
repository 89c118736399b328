/**
 * stats --no-stream on Podman, with `podman stats --no-stream` as the oracle. Podman's CPU% there is the
 * average since its previous reading (here: since the container started), berth's is docker's over one
 * interval; a container held at a steady load by --cpus makes both the same number within a tolerance.
 * Podman's readings lack the page-cache breakdown docker's have: berth says so once on stderr.
 */
import { describe, expect, it } from 'vitest';
import { berthOnPodman, podman, records, removeOnPodman, runOnPodman } from '../helpers/podman.js';

const UNIT: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
/** "40.35MB / 25.28GB" -> 40350000 (Podman prints decimal units). */
const bytes = (s: string) => {
  const m = /^([\d.]+)\s*([kMGT]?B)/.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s}`);
  return Number(m[1]) * UNIT[m[2]!]!;
};

interface Stat {
  name: string;
  cpuPercent?: number;
  memUsage: number;
  memPercent: number;
  pids: number;
}

describe('stats on Podman', () => {
  it('--no-stream: CPU% and MEM% agree with podman stats, and the missing cache breakdown is said once', async () => {
    const busy = await runOnPodman('while :; do :; done', { args: ['--cpus', '0.25'] });
    // 30 MB written to a file: page cache that docker would leave out of the usage and Podman cannot say.
    const cache = await runOnPodman('head -c 30000000 /dev/zero > /tmp/fill; exec sleep 600');
    await new Promise((r) => setTimeout(r, 3000)); // a steady load for Podman's average since the start
    const [ours, oracle] = await Promise.all([berthOnPodman(['stats', '--no-stream', '--format', 'json', busy, cache]), podman(['stats', '--no-stream', '--format', 'json', busy, cache])]);
    expect(ours.exitCode, ours.stderr).toBe(0);
    expect(oracle.exitCode, oracle.stderr).toBe(0);
    const b = new Map(records<Stat>(ours.stdout).map((r) => [r.name, r]));
    const p = new Map((JSON.parse(String(oracle.stdout)) as Array<{ name: string; cpu_percent: string; mem_usage: string; mem_percent: string; pids: string }>).map((r) => [r.name, r]));
    const gaps: string[] = [];
    for (const name of [busy, cache]) {
      const x = b.get(name)!;
      const y = p.get(name)!;
      const cpu = Math.abs(x.cpuPercent! - parseFloat(y.cpu_percent));
      const mem = Math.abs(x.memUsage - bytes(y.mem_usage));
      gaps.push(`${name}: CPU% ${x.cpuPercent} vs ${y.cpu_percent}, memory ${x.memUsage} vs ${y.mem_usage}`);
      expect(cpu, gaps.at(-1)).toBeLessThan(10);
      // Podman rounds to 4 digits (40.35MB): within 1% or 100 kB.
      expect(mem, gaps.at(-1)).toBeLessThan(Math.max(0.01 * x.memUsage, 100_000));
      expect(Math.abs(x.memPercent - parseFloat(y.mem_percent)), gaps.at(-1)).toBeLessThan(0.02);
      expect(x.pids).toBe(Number(y.pids));
    }
    expect(b.get(busy)!.cpuPercent).toBeGreaterThan(5);
    expect(b.get(busy)!.cpuPercent).toBeLessThan(27); // capped at a quarter of a CPU (docker's formula on Podman's counter read 47-175%)
    expect(b.get(cache)!.memUsage).toBeGreaterThan(30_000_000); // the file cache is in it, as podman stats shows
    expect(String(ours.stderr).match(/no page-cache breakdown/g)).toHaveLength(1);
    console.error(`stats on Podman: ${gaps.join('; ')}`);
    await removeOnPodman(busy, cache);
  });
});
