import { describe, expect, it } from 'vitest';
import { computeSample, isEmptyReading } from '../../src/core/stats/compute.js';
import { perSecond, wentBackwards } from '../../src/core/stats/rates.js';
import { fixture, fixtureList, fixtureStream } from './stats-fixtures.js';

const busy = fixtureStream('v1-stream-busy.ndjson');
const [v2a, v2b] = fixtureList('v2-constructed-pair.json');

describe('computeSample', () => {
  it('the first streamed reading has no CPU% and no rates', () => {
    const s = computeSample(undefined, busy[0]!);
    expect(s.cpuPercent).toBeUndefined();
    expect(s.netRxRate).toBeUndefined();
    expect(s).toMatchObject({ ts: busy[0]!.read, memUsage: 2093056 - 724992, memLimit: 25276518400, netRxBytes: 736, pids: 1 });
  });

  it('a one-shot reading alone has no CPU% (no precpu_stats)', () => {
    expect(computeSample(undefined, fixture('v1-oneshot-busy.json')).cpuPercent).toBeUndefined();
  });

  it("a stream=false reading alone uses the engine's precpu_stats", () => {
    const s = computeSample(undefined, fixture('v1-nostream-idle.json'));
    expect(s.cpuPercent).toBe(0);
    expect(s.memPercent).toBe(0.0029168574102357387);
  });

  it('consecutive stream frames: CPU% equals docker on precpu_stats (same previous reading)', () => {
    for (let i = 1; i < busy.length; i++) {
      const a = computeSample(busy[i - 1]!, busy[i]!);
      const cur = busy[i]!;
      const docker = ((cur.cpu_stats!.cpu_usage!.total_usage! - cur.precpu_stats!.cpu_usage!.total_usage!) / (cur.cpu_stats!.system_cpu_usage! - cur.precpu_stats!.system_cpu_usage!)) * 2 * 100;
      expect(a.cpuPercent).toBe(docker);
      expect(a.netRxRate).toBe(0);
    }
  });

  it('cgroup v2 pair: CPU%, memory and per-second rates over the 2 s between readings', () => {
    const s = computeSample(v2a, v2b!);
    expect(s).toMatchObject({
      cpuPercent: 100,
      memUsage: 9437184,
      memPercent: 0.87890625,
      netRxBytes: 30500,
      netTxBytes: 6250,
      netRxRate: 10000,
      netTxRate: 2000,
      blockReadRate: 524288,
      blockWriteRate: 6144,
      pids: 4,
    });
    expect(s.reset).toBeUndefined();
  });

  it('a restart (counters went backwards) resets the series: no CPU%, no negative rate', () => {
    const s = computeSample(fixture('v1-restart-before.json'), fixture('v1-restart-after.json'));
    expect(s.reset).toBe(true);
    expect(s.cpuPercent).toBeUndefined();
    expect(s.netRxRate).toBeUndefined();
    expect(s.netRxBytes).toBe(90);
    // and the reading after it is a normal one again
    const next = computeSample(fixture('v1-restart-after.json'), { ...fixture('v1-restart-after.json'), read: '2026-11-22T10:52:11.220182776Z' });
    expect(next.reset).toBeUndefined();
    expect(next.netRxRate).toBe(0);
  });

  it('a stopped container reads as empty', () => {
    expect(isEmptyReading(fixture('v1-stopped.json'))).toBe(true);
    expect(isEmptyReading(busy[0]!)).toBe(false);
  });
});

describe('rates', () => {
  it.each([
    [0, 1000, 1000, 1000],
    [1000, 1500, 500, 1000],
    [1000, 1000, 2000, 0],
    [1000, 999, 1000, undefined],
    [0, 10, 0, undefined],
    [0, 10, -5, undefined],
  ])('perSecond(%d, %d, %d ms) = %s', (a, b, ms, want) => {
    expect(perSecond(a, b, ms)).toBe(want);
  });

  it('wentBackwards compares counter by counter', () => {
    expect(wentBackwards([1, 2, 3], [1, 2, 3])).toBe(false);
    expect(wentBackwards([1, 2, 3], [5, 1, 9])).toBe(true);
  });
});

describe('nextSample', () => {
  it('after the kept Previous of a reading it gives the same sample as computeSample after the reading itself', async () => {
    const { nextSample, previousOf } = await import('../../src/core/stats/compute.js');
    const pairs: [ReturnType<typeof fixture>, ReturnType<typeof fixture>][] = [
      [busy[0]!, busy[1]!],
      [busy[2]!, busy[3]!],
      [v2a!, v2b!],
      [fixture('v1-restart-before.json'), fixture('v1-restart-after.json')],
      [fixture('v1-blkio-constructed.json'), { ...fixture('v1-blkio-constructed.json'), read: '2026-11-22T11:00:01.5Z' }],
    ];
    for (const [a, b] of pairs) expect(nextSample(previousOf(a, computeSample(undefined, a)), b)).toEqual(computeSample(a, b));
  });
});
