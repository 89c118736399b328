import { describe, expect, it } from 'vitest';
import { blockIO, cpuPercent, memPercent, memUsageNoCache, networkTotals, pidsCurrent, readTimeMs } from '../../src/core/stats/formulas.js';
import { fixture, fixtureList, fixtureStream } from './stats-fixtures.js';

const busy = fixtureStream('v1-stream-busy.ndjson');
const [v2a, v2b] = fixtureList('v2-constructed-pair.json') as [ReturnType<typeof fixture>, ReturnType<typeof fixture>];

describe('stats formulas (docker stats_helpers.go)', () => {
  it.each([
    [1, 50.12298415841584],
    [2, 49.824162300000005],
    [3, 49.5865088557214],
  ])('CPU%% of cgroup v1 stream frame %i against its precpu_stats', (i, want) => {
    const f = busy[i]!;
    expect(cpuPercent(f.precpu_stats!, f.cpu_stats!)).toBe(want);
  });

  it('CPU% on cgroup v2: online_cpus with no percpu array', () => {
    expect(cpuPercent(v2a.cpu_stats!, v2b.cpu_stats!)).toBe(100);
  });

  it('CPU% falls back to the per-CPU array length when online_cpus is absent', () => {
    const f = fixture('v1-blkio-constructed.json');
    expect(f.cpu_stats!.online_cpus).toBeUndefined();
    expect(cpuPercent(f.precpu_stats!, f.cpu_stats!)).toBe(1);
  });

  it('CPU% is 0 unless both deltas are positive (as docker computes it)', () => {
    const cur = { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000, online_cpus: 2 };
    expect(cpuPercent({ cpu_usage: { total_usage: 200 }, system_cpu_usage: 500 }, cur)).toBe(0);
    expect(cpuPercent({ cpu_usage: { total_usage: 50 }, system_cpu_usage: 1000 }, cur)).toBe(0);
  });

  it.each([
    ['v1: usage - total_inactive_file', busy[1]!, 2093056 - 724992],
    ['v1: total_inactive_file 0', fixture('v1-nostream-idle.json'), 737280],
    ['v1: constructed with cache', fixture('v1-blkio-constructed.json'), 4808704 - 4194304],
    ['v2: usage - inactive_file', v2b, 12582912 - 3145728],
    ['stopped: empty memory_stats', fixture('v1-stopped.json'), 0],
  ])('memory usage without cache, %s', (_n, raw, want) => {
    expect(memUsageNoCache(raw.memory_stats)).toBe(want);
  });

  it('memory usage: inactive file larger than usage is not subtracted', () => {
    expect(memUsageNoCache({ usage: 100, stats: { total_inactive_file: 200 } })).toBe(100);
    expect(memUsageNoCache({ usage: 100, stats: { inactive_file: 100 } })).toBe(100);
  });

  it('memory% = usage / limit x 100, 0 without a limit', () => {
    expect(memPercent(25276518400, 2093056 - 724992)).toBe(0.005412390972326315);
    expect(memPercent(1073741824, 9437184)).toBe(0.87890625);
    expect(memPercent(0, 5)).toBe(0);
  });

  it.each([
    ['v1 upper-case ops over two devices, Sync/Total/empty ignored', fixture('v1-blkio-constructed.json'), { read: 409700, write: 8242 }],
    ['v2 lower-case ops', v2b, { read: 2097152 + 8192, write: 12288 + 4096 }],
    ['recorded v1, no accounting on this engine', busy[0]!, { read: 0, write: 0 }],
    ['stopped: null list', fixture('v1-stopped.json'), { read: 0, write: 0 }],
  ])('block I/O: %s', (_n, raw, want) => {
    expect(blockIO(raw.blkio_stats?.io_service_bytes_recursive)).toEqual(want);
  });

  it('network totals sum every interface; none for a stopped container', () => {
    expect(networkTotals(v2a)).toEqual({ rx: 10500, tx: 2250 });
    expect(networkTotals(busy[0]!)).toEqual({ rx: 736, tx: 0 });
    expect(networkTotals(fixture('v1-stopped.json'))).toEqual({ rx: 0, tx: 0 });
  });

  it('pids', () => {
    expect(pidsCurrent(v2b)).toBe(4);
    expect(pidsCurrent(fixture('v1-stopped.json'))).toBe(0);
  });

  it('read time keeps the sub-millisecond fraction; zero time is undefined', () => {
    expect(readTimeMs('2026-11-22T11:00:02.000000000Z')).toBe(Date.UTC(2026, 10, 22, 11, 0, 2));
    expect(readTimeMs('2026-11-22T10:51:45.981436202Z')! - Date.UTC(2026, 10, 22, 10, 51, 45)).toBeCloseTo(981.436202, 3);
    expect(readTimeMs('2026-11-22T12:00:00.5+01:00')).toBe(Date.UTC(2026, 10, 22, 11, 0, 0, 500));
    expect(readTimeMs('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(readTimeMs('garbage')).toBeUndefined();
  });

  it('read time: the cached whole seconds never leak into a reading of another second or zone', () => {
    expect(readTimeMs('2026-11-22T10:51:45.25Z')).toBe(Date.UTC(2026, 10, 22, 10, 51, 45, 250));
    expect(readTimeMs('2026-11-22T10:51:45.5Z')).toBe(Date.UTC(2026, 10, 22, 10, 51, 45, 500));
    expect(readTimeMs('2026-11-22T10:51:46.5Z')).toBe(Date.UTC(2026, 10, 22, 10, 51, 46, 500));
    expect(readTimeMs('2026-11-22T10:51:46.5+02:00')).toBe(Date.UTC(2026, 10, 22, 8, 51, 46, 500));
    expect(readTimeMs('2026-11-22T10:51:46Z')).toBe(Date.UTC(2026, 10, 22, 10, 51, 46));
    for (const bad of ['2026-11-22T10:51:46.Z', '2026-11-22T10:51:46.5', '2026-11-22T10:51:46.5X', '2026-11-22 10:51:46Z', '2026-13-22T10:51:46Z']) expect(readTimeMs(bad), bad).toBeUndefined();
  });
});
