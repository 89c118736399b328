/**
 * stats --no-stream on Podman, with `podman stats` as the oracle, read the way berth reads: Podman's CLI
 * follows at one reading a second, and its readings after the first are over the last second, as berth's
 * CPU% is (`podman stats --no-stream`, and each stream's first reading, give the average since the
 * container started instead: 6.75% for a container that wrote a file and then slept, where berth and
 * Podman's next readings both say 0). Podman's readings lack the page-cache breakdown docker's have:
 * berth says so once on stderr.
 *
 * Memory is compared with Podman's readings just before and just after berth's, not one reading at
 * another moment: a cgroup v1 memory counter (`memory.usage_in_bytes`, which both read) moves while the
 * container does nothing, as the kernel's per-CPU pre-charged pages are given back. Measured here: the
 * sleeping container with 30 MB of file cache fell by 446464 bytes in 36 s in steps of 1 to 58 pages
 * (read every 50 ms for 40 s, never rising), more than 1% of it; one reading a second apart fell 24.5 kB.
 */
import { describe, expect, it } from 'vitest';
import { berthOnPodman, podman, records, removeOnPodman, runOnPodman, waitFor } from '../helpers/podman.js';
import { LineCollector } from '../helpers/lines.js';

const UNIT: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
/** "40.35MB / 25.28GB" -> [40350000, 5000]: Podman prints 4 digits in decimal units; the second is half its last digit. */
const bytes = (s: string): [number, number] => {
  const m = /^(\d+)(?:\.(\d+))?\s*([kMGT]?B)/.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s}`);
  const unit = UNIT[m[3]!]!;
  return [Number(`${m[1]}.${m[2] ?? '0'}`) * unit, 0.5 * 10 ** -(m[2]?.length ?? 0) * unit];
};

interface Stat {
  name: string;
  cpuPercent?: number;
  memUsage: number;
  memPercent: number;
  pids: number;
}
interface PodmanStat {
  name: string;
  cpu_percent: string;
  mem_usage: string;
  mem_percent: string;
  pids: string;
}

/** `podman stats --interval 1 --format json`: each reading (a JSON array over several lines), with the local time it arrived. */
function podmanStream(names: string[]) {
  const child = podman(['stats', '--interval', '1', '--format', 'json', ...names], { timeout: 60_000 });
  const out = new LineCollector(child.stdout!);
  const readings = () => {
    const got: Array<{ at: number; stats: Map<string, PodmanStat> }> = [];
    let text = '';
    for (const l of out.lines) {
      text += l.line;
      if (l.line !== ']') continue;
      got.push({ at: l.at, stats: new Map((JSON.parse(text) as PodmanStat[]).map((r) => [r.name, r])) });
      text = '';
    }
    return got;
  };
  return { child, readings };
}

describe('stats on Podman', () => {
  it('--no-stream: CPU% and MEM% agree with podman stats read just before and after, and the missing cache breakdown is said once', async () => {
    const busy = await runOnPodman('while :; do :; done', { args: ['--cpus', '0.25'] });
    // 30 MB written to a file: page cache that docker would leave out of the usage and Podman cannot say.
    const cache = await runOnPodman('head -c 30000000 /dev/zero > /tmp/fill && echo filled; exec sleep 600');
    await waitFor(async () => (await podman(['logs', cache])).stdout.includes('filled'), 30_000, 200);
    const oracle = podmanStream([busy, cache]);
    try {
      // Podman's second reading is the first over one second.
      await waitFor(() => oracle.readings().length >= 2, 30_000, 100);
      const started = Date.now();
      const ours = await berthOnPodman(['stats', '--no-stream', '--format', 'json', busy, cache]);
      const ended = Date.now();
      expect(ours.exitCode, ours.stderr).toBe(0);
      // A reading that arrived after berth ended was read after berth's; Podman reads the next one a second
      // after printing one, so the one after that is surely later than berth's reading.
      await waitFor(() => oracle.readings().filter((r) => r.at > ended).length >= 2, 30_000, 100);
      const all = oracle.readings();
      // The last second-long reading before berth began, and the one read surely after berth's.
      const first = all.map((r, i) => (i > 0 && r.at < started ? i : 0)).reduce((a, i) => Math.max(a, i));
      const last = all.findIndex((r) => r.at > ended) + 1;
      const [before, after] = [all[first]!.stats, all[last]!.stats];
      const cpus = (name: string) => all.slice(first, last + 1).map((r) => parseFloat(r.stats.get(name)!.cpu_percent));
      const b = new Map(records<Stat>(ours.stdout).map((r) => [r.name, r]));
      const gaps: string[] = [];
      for (const name of [busy, cache]) {
        const x = b.get(name)!;
        const [p, q] = [before.get(name)!, after.get(name)!];
        const [m1, r1] = bytes(p.mem_usage);
        const [m2, r2] = bytes(q.mem_usage);
        const cpu = cpus(name);
        gaps.push(`${name}: CPU% ${x.cpuPercent} (podman each second ${cpu.join(', ')}), memory ${x.memUsage} (podman ${p.mem_usage} before, ${q.mem_usage} after)`);
        // Within 10 points of the range of Podman's seconds around berth's, not of one of them: on this shared
        // machine the capped container's share changes from second to second (two of Podman's own readings
        // two seconds apart: 5.51% and 13.83%, at load 48).
        expect(x.cpuPercent!, gaps.at(-1)).toBeGreaterThan(Math.min(...cpu) - 10);
        expect(x.cpuPercent!, gaps.at(-1)).toBeLessThan(Math.max(...cpu) + 10);
        // Between Podman's two readings, within their rounding (half of the last printed digit).
        expect(x.memUsage, gaps.at(-1)).toBeGreaterThanOrEqual(Math.min(m1 - r1, m2 - r2));
        expect(x.memUsage, gaps.at(-1)).toBeLessThanOrEqual(Math.max(m1 + r1, m2 + r2));
        expect(Math.abs(x.memPercent - parseFloat(p.mem_percent)), gaps.at(-1)).toBeLessThan(0.02);
        expect(x.pids).toBe(Number(p.pids));
      }
      expect(b.get(busy)!.cpuPercent).toBeGreaterThan(5);
      expect(b.get(busy)!.cpuPercent).toBeLessThan(27); // capped at a quarter of a CPU (docker's formula on Podman's counter read 47-175%)
      expect(b.get(cache)!.memUsage).toBeGreaterThan(30_000_000); // the file cache is in it, as podman stats shows
      expect(String(ours.stderr).match(/no page-cache breakdown/g)).toHaveLength(1);
      console.error(`stats on Podman: ${gaps.join('; ')}`);
    } finally {
      oracle.child.kill('SIGKILL');
      await removeOnPodman(busy, cache);
    }
  });
});
