import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { sparkline } from '../../src/core/stats/sparkline.js';
import { bytesSize, humanSize, percent, rateSize } from '../../src/core/stats/human-size.js';
import { renderLiveFrame, renderStatsTable } from '../../src/core/stats/render.js';
import { StatsHistory } from '../../src/core/stats/history.js';
import { computeSample } from '../../src/core/stats/compute.js';
import { toStatsRecord, toStoppedRecord } from '../../src/core/stats/record.js';
import { fixtureList } from './stats-fixtures.js';

const [a, b] = fixtureList('v2-constructed-pair.json');
const s = computeSample(a, b!);

describe('sizes as the docker CLI prints them', () => {
  it.each([
    [0, '0B'],
    [736, '736B'],
    [1350, '1.35kB'],
    [999_999, '1000kB'], // go-units prints "1e+03kB" here (%.3g); berth prints the plain number
    [1_000_000, '1MB'],
    [123_456_789, '123MB'],
  ])('humanSize(%d) = %s', (n, want) => {
    expect(humanSize(n)).toBe(want);
  });

  it.each([
    [335872, '328KiB'],
    [25276518400, '23.54GiB'],
    [1368064, '1.305MiB'],
    [512, '512B'],
  ])('bytesSize(%d) = %s', (n, want) => {
    expect(bytesSize(n)).toBe(want);
  });

  it('rates and percentages, with -- when there is no value yet', () => {
    expect(rateSize(1350)).toBe('1.35kB/s');
    expect(rateSize(undefined)).toBe('--');
    expect(percent(49.6821)).toBe('49.68%');
    expect(percent(undefined)).toBe('--');
  });
});

describe('sparkline', () => {
  it.each([
    [[0, 1, 2, 3, 4, 5, 6, 7], 8, undefined, '▁▂▃▄▅▆▇█'],
    [[0, 0, 0], 3, undefined, '▁▁▁'],
    [[50, 100], 4, undefined, '  ▅█'],
    [[50], 1, { max: 100 }, '▅'],
    [[100, 101, 102, 100], 4, { fromMin: true }, '▁▅█▁'],
    [[7, 7], 2, { fromMin: true }, '▁▁'],
    [[1, 2, 3, 4, 5], 2, undefined, '▇█'],
    [[5], 0, undefined, ''],
  ])('%j in %i cells (%j)', (values, width, opts, want) => {
    expect(sparkline(values, width, opts)).toBe(want);
  });
});

describe('tables', () => {
  it('one row per container, docker-like columns', () => {
    const out = renderStatsTable([{ key: 'k', name: 'web', sample: s }]);
    const [head, row] = out.trimEnd().split('\n');
    expect(head).toMatch(/^NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET RX\/s\s+NET TX\/s\s+BLOCK R\/s\s+BLOCK W\/s\s+PIDS$/);
    expect(row).toMatch(/^web\s+100\.00%\s+9MiB \/ 1GiB\s+0\.88%\s+10kB\/s\s+2kB\/s\s+524kB\/s\s+6\.14kB\/s\s+4$/);
  });

  it('a stopped member of the selection: its row says stopped, then -- in every column', () => {
    const out = renderStatsTable([
      { key: 'k', name: 'web', sample: s },
      { key: 'j', name: 'worker' },
    ]);
    const [, , stopped] = out.trimEnd().split('\n');
    expect(stopped!.trim().split(/\s{2,}/)).toEqual(['worker', 'stopped', '--', '--', '--', '--', '--', '--', '--']);
  });

  it('a stopped member as a record: who it is and stopped: true, no numbers', () => {
    const t = { id: 'c'.repeat(64), name: 'shop-web-1', project: 'shop', service: 'web', tty: false, running: false, labels: {} };
    expect(toStoppedRecord(t, '2026-12-07T15:00:00.000000000Z')).toEqual({
      type: 'stats',
      ts: '2026-12-07T15:00:00.000000000Z',
      id: 'c'.repeat(64),
      name: 'shop-web-1',
      project: 'shop',
      service: 'web',
      stopped: true,
    });
  });

  it('the live frame adds sparklines when the terminal is wide, none when narrow', () => {
    const h = new StatsHistory(10);
    h.add('k', s);
    const rows = [{ key: 'k', name: 'web', sample: s }];
    const chalk = new Chalk({ level: 0 });
    const wide = renderLiveFrame(rows, h, { columns: 200, rows: 10, chalk, history: 10 });
    expect(wide).toMatch(/CPU\s+MEM\s+NET/);
    expect(wide.split('\n')[1]).toMatch(/ {9}█ {3} {9}▁ {3} {9}█/); // CPU and NET from 0, memory from its minimum
    const narrow = renderLiveFrame(rows, h, { columns: 60, rows: 10, chalk, history: 10 });
    expect(narrow).not.toMatch(/█/);
    for (const line of narrow.split('\n')) expect(line.replace(/\x1b\[[JK]/g, '').length).toBeLessThanOrEqual(60);
  });
});

describe('toStatsRecord', () => {
  it('numbers rounded for reading, compose labels and engine carried, absent fields left out', () => {
    const target = { id: 'f00d', name: 'web', project: 'shop', service: 'web' };
    expect(toStatsRecord(target, { ...s, cpuPercent: 12.345678, netRxRate: 1.26 }, 'ctx1')).toEqual({
      type: 'stats',
      ts: '2026-11-22T11:00:02.000000000Z',
      id: 'f00d',
      name: 'web',
      project: 'shop',
      service: 'web',
      engine: 'ctx1',
      cpuPercent: 12.346,
      memUsage: 9437184,
      memLimit: 1073741824,
      memPercent: 0.879,
      netRxBytes: 30500,
      netTxBytes: 6250,
      netRxRate: 1.3,
      netTxRate: 2000,
      blockReadBytes: 2105344,
      blockWriteBytes: 16384,
      blockReadRate: 524288,
      blockWriteRate: 6144,
      pids: 4,
    });
    const first = toStatsRecord({ id: 'x', name: 'x' }, computeSample(undefined, a!));
    expect(Object.keys(first)).not.toContain('cpuPercent');
    expect(Object.keys(first)).not.toContain('netRxRate');
    expect(Object.keys(first)).not.toContain('project');
  });
});
