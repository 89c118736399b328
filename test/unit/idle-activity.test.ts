import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityClock, isActivity, MAX_CPU_SAMPLES, type Counters } from '../../src/core/idle/counters.js';
import { cpuVerdict, execVerdict } from '../../src/core/idle/busy.js';
import { dependentsFirst } from '../../src/core/idle/lifecycle-owner.js';
import { buildView, type Seen } from '../../src/core/idle/listing.js';
import { defaultStatePath, loadState, saveState } from '../../src/core/idle/state-file.js';

const reading = (at: number, bytes: number, cpuNs?: number, systemNs?: number): Counters => ({
  at,
  bytes,
  ...(cpuNs !== undefined ? { cpu: { cpu_usage: { total_usage: cpuNs }, system_cpu_usage: systemNs, online_cpus: 2 } } : {}),
});

describe('network activity', () => {
  it.each<[string, Counters | undefined, Counters, number, boolean]>([
    ['first reading: unknown, not activity', undefined, reading(0, 100), 0, false],
    ['no change', reading(0, 100), reading(1, 100), 0, false],
    ['any byte above 0', reading(0, 100), reading(1, 101), 0, true],
    ['chatter under the threshold', reading(0, 100), reading(1, 600), 512, false],
    ['exactly the threshold is not above it', reading(0, 100), reading(1, 612), 512, false],
    ['above it', reading(0, 100), reading(1, 613), 512, true],
    ['counters went back: restarted', reading(0, 5000), reading(1, 10), 512, true],
    ['received only (broadcast chatter): not activity', { at: 0, bytes: 100, tx: 0 }, { at: 1, bytes: 5000, tx: 0 }, 512, false],
    ['sent and received above the threshold', { at: 0, bytes: 100, tx: 0 }, { at: 1, bytes: 5000, tx: 60 }, 512, true],
    ['sent, but all of it under the threshold', { at: 0, bytes: 100, tx: 0 }, { at: 1, bytes: 200, tx: 60 }, 512, false],
  ])('%s', (_, prev, cur, min, want) => {
    expect(isActivity(prev, cur, min)).toBe(want);
  });

  it('moves the last activity to the reading that showed it, and measures idle time from there', () => {
    const c = new ActivityClock(1000);
    expect(c.observe(reading(2000, 100), 0)).toBe(false);
    expect(c.observe(reading(3000, 900), 512)).toBe(true);
    expect(c.lastActivity).toBe(3000);
    expect(c.observe(reading(4000, 900), 512)).toBe(false);
    expect(c.idleFor(7500)).toBe(4500);
    c.touch(2000); // never moves back
    expect(c.lastActivity).toBe(3000);
  });

  it('averages CPU over the window from the newest reading at least that old, keeping a bounded history', () => {
    const c = new ActivityClock(0);
    expect(c.cpuOver(60_000)).toBeUndefined();
    // 2 CPUs; container uses 0.1 s of CPU per 1 s of system time (system counts both CPUs)
    for (let i = 0; i <= 90; i++) c.observe(reading(i * 1000, 0, i * 100_000_000, i * 2_000_000_000), 0);
    const r = c.cpuOver(60_000)!;
    expect(r.spanMs).toBe(60_000);
    expect(r.percent).toBeCloseTo(10, 10);
    for (let i = 91; i < 91 + MAX_CPU_SAMPLES; i++) c.observe(reading(i * 1000, 0, i * 100_000_000, i * 2_000_000_000), 0);
    expect(c.cpuOver(1_000_000)!.spanMs).toBe((MAX_CPU_SAMPLES - 1) * 1000);
  });
});

describe('busy verdicts', () => {
  it.each([
    [5, { percent: 12.34, spanMs: 60_000 }, { busy: true, why: 'busy: cpu 12.3% > 5% over the last 60s' }],
    [5, { percent: 5, spanMs: 30_400 }, { busy: false, why: 'cpu 5.0% <= 5% over the last 30s' }],
    [5, undefined, { busy: true, why: 'busy check cpu>5% could not decide (fewer than two readings); treated as busy' }],
  ])('cpu>%s%% with %j', (threshold, cpu, want) => {
    expect(cpuVerdict(threshold, cpu)).toEqual(want);
  });

  it.each<[number | string, { busy: boolean; why: string }]>([
    [0, { busy: true, why: 'busy: /bin/check --x exited 0' }],
    [1, { busy: false, why: '/bin/check --x exited 1 (not busy)' }],
    ['no answer within 10s', { busy: true, why: 'busy check /bin/check --x could not decide (no answer within 10s); treated as busy' }],
  ])('exec outcome %j', (outcome, want) => {
    expect(execVerdict(['/bin/check', '--x'], outcome)).toEqual(want);
  });
});

describe('the view of all containers', () => {
  const seen = (name: string, labels: Record<string, string>, awake = true): Seen => ({ id: `${name}-id-000000000000`, name, labels, awake, running: awake, paused: false, status: '' });
  const all = [
    seen('front', { 'berth.idle.timeout': '1m', 'berth.idle.depends_on': 'api' }),
    seen('api', { 'berth.idle.timeout': '1m', 'com.docker.compose.project': 'p', 'com.docker.compose.depends_on': 'db:service_healthy:false' }),
    seen('p-db-1', { 'berth.idle.timeout': '1m', 'com.docker.compose.project': 'p', 'com.docker.compose.service': 'db' }),
    seen('other', {}),
    seen('broken', { 'berth.idle.timeout': 'soon' }),
  ];

  it('manages containers with a timeout, resolves compose services to containers, and keeps config errors', () => {
    const v = buildView(all, undefined);
    expect([...v.managed.keys()]).toEqual(['front', 'api', 'p-db-1']);
    expect(v.deps.get('front')).toEqual(['api']);
    expect(v.deps.get('api')).toEqual(['p-db-1']);
    expect(v.errors.get('broken')).toBe('container broken: label berth.idle.timeout: expected a duration like 30s, 15m, 1h (0 = never) (got: "soon")');
    expect(dependentsFirst(v)).toEqual(['front', 'api', 'p-db-1']);
  });

  it('manages only the named containers when names are given; a default timeout fills in for those without one', () => {
    const v = buildView(all, undefined, ['other', 'api'], 5000);
    expect([...v.managed.keys()]).toEqual(['api', 'other']);
    expect(v.managed.get('other')!.config.timeoutMs).toBe(5000);
    expect(v.managed.get('api')!.config.timeoutMs).toBe(60_000);
    expect(v.errors.size).toBe(0);
  });
});

describe('the --once state file', () => {
  it('defaults under $XDG_STATE_HOME, else ~/.local/state', () => {
    expect(defaultStatePath({ XDG_STATE_HOME: '/x' })).toBe('/x/berth/watch-idle.json');
    expect(defaultStatePath({ HOME: '/home/u' })).toBe('/home/u/.local/state/berth/watch-idle.json');
  });

  it('saves atomically (no temporary file left) and loads what it saved; a missing file is empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-state-'));
    const path = join(dir, 'a', 'state.json');
    expect(await loadState(path)).toEqual({});
    const containers = { abc: { name: 'web', lastActivity: 5, last: { at: 5, bytes: 10 } } };
    await saveState(path, containers, new Date(0));
    expect(readdirSync(join(dir, 'a'))).toEqual(['state.json']);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, savedAt: '1970-01-01T00:00:00.000Z', containers });
    expect(await loadState(path)).toEqual(containers);
    writeFileSync(path, '{"version":2}');
    await expect(loadState(path)).rejects.toThrow(`--state: ${path} is not a berth state file: not a berth watch-idle state (version 1)`);
  });
});
