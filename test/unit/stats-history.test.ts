import { describe, expect, it } from 'vitest';
import { StatsHistory } from '../../src/core/stats/history.js';
import type { StatsSample } from '../../src/core/stats/compute.js';

const sample = (i: number, extra: Partial<StatsSample> = {}): StatsSample => ({
  ts: `t${i}`,
  tsMs: i * 1000,
  cpuTotalNs: i,
  cpuPercent: i,
  memUsage: 100 + i,
  memLimit: 1000,
  memPercent: (100 + i) / 10,
  netRxBytes: i * 10,
  netTxBytes: i * 5,
  netRxRate: 10,
  netTxRate: 5,
  blockReadBytes: 0,
  blockWriteBytes: 0,
  pids: 1,
  ...extra,
});

describe('StatsHistory', () => {
  it('keeps the last N samples per container (ring bound)', () => {
    const h = new StatsHistory(3);
    for (let i = 1; i <= 10; i++) h.add('a', sample(i));
    expect(h.samples('a').map((s) => s.ts)).toEqual(['t8', 't9', 't10']);
    expect(h.series('a', 'cpuPercent')).toEqual([8, 9, 10]);
    expect(h.series('a', 'memUsage')).toEqual([108, 109, 110]);
    expect(h.latest('a')?.ts).toBe('t10');
  });

  it('series skip samples without the field (first CPU reading)', () => {
    const h = new StatsHistory(5);
    h.add('a', sample(1, { cpuPercent: undefined, netRxRate: undefined }));
    h.add('a', sample(2));
    expect(h.series('a', 'cpuPercent')).toEqual([2]);
    expect(h.series('a', 'netRxRate')).toEqual([10]);
    expect(h.netSeries('a')).toEqual([15]);
  });

  it('a reset sample (restart) starts the series again', () => {
    const h = new StatsHistory(5);
    h.add('a', sample(1));
    h.add('a', sample(2));
    h.add('a', sample(3, { reset: true, cpuPercent: undefined }));
    expect(h.samples('a').map((s) => s.ts)).toEqual(['t3']);
  });

  it('pruning removes a container entirely: memory does not grow with churn', () => {
    const h = new StatsHistory(2);
    for (let c = 0; c < 1000; c++) {
      h.add(`c${c}`, sample(1));
      h.add(`c${c}`, sample(2));
      h.remove(`c${c}`);
    }
    h.add('live', sample(1));
    expect(h.size).toBe(1);
    expect(h.keys()).toEqual(['live']);
    expect(h.samples('c5')).toEqual([]);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new StatsHistory(0)).toThrow(/positive integer/);
  });
});
