import { describe, expect, it } from 'vitest';
import { judge } from '../../src/core/idle/readiness.js';
import type { BerthError } from '../../src/core/errors.js';
import type { WakeFailure } from '../../src/core/idle/wake-failure.js';
import { SingleFlight } from '../../src/core/idle/single-flight.js';

const st = (s: Partial<{ running: boolean; paused: boolean; exitCode: number; health: string; failingStreak: number }>) => ({ id: 'x', running: false, paused: false, ...s });

describe('readiness verdicts', () => {
  it.each([
    ['ready', st({ running: true }), false, { kind: 'ready', how: 'running' }],
    ['ready', st({ running: true, health: 'starting' }), false, { kind: 'wait', what: 'its healthcheck (now starting)' }],
    ['ready', st({ running: true, health: 'healthy' }), false, { kind: 'ready', how: 'healthy' }],
    ['ready', st({ running: true, health: 'healthy' }), true, { kind: 'wait', what: 'the probe' }],
    ['ready', st({ running: true, paused: true }), false, { kind: 'wait', what: 'it to be unpaused' }],
    ['service_started', st({ running: true, health: 'starting' }), false, { kind: 'ready', how: 'running' }],
    // docker's status of a container paused, kept after the unpause until its next probe: no failed probe behind it
    ['service_healthy', st({ running: true, health: 'unhealthy', failingStreak: 0 }), false, { kind: 'wait', what: 'its healthcheck (now unhealthy)' }],
    ['ready', st({ running: true, health: 'unhealthy', failingStreak: 0 }), false, { kind: 'wait', what: 'its healthcheck (now unhealthy)' }],
    // a probe decides readiness: the healthcheck is not asked
    ['ready', st({ running: true, health: 'unhealthy', failingStreak: 3 }), true, { kind: 'wait', what: 'the probe' }],
    ['service_started', st({ running: true, health: 'unhealthy', failingStreak: 3 }), false, { kind: 'ready', how: 'running' }],
    ['service_completed_successfully', st({ running: true }), false, { kind: 'wait', what: 'it to complete' }],
    ['service_completed_successfully', st({ exitCode: 0 }), false, { kind: 'ready', how: 'completed successfully' }],
  ] as const)('%s on %j (probe %s)', (cond, s, probe, want) => {
    expect(judge('db', s, cond, probe)).toEqual(want);
  });

  it('fails service_healthy on a container without a healthcheck, as docker compose does (exit 2: a configuration to fix)', () => {
    const v = judge('db', st({ running: true }), 'service_healthy', false);
    expect(v.kind).toBe('failed');
    const err = (v as { error: BerthError }).error;
    expect(err.message).toBe('db has no healthcheck, but a dependent waits for it to be healthy (service_healthy)');
    expect(err.exitCode).toBe(2);
  });

  it.each([
    [
      'service_healthy',
      { ...st({ running: true, health: 'unhealthy', failingStreak: 3 }), healthOutput: '127.0.0.1:5499 - no response' },
      'db is unhealthy: its healthcheck failed 3 times in a row (last output: 127.0.0.1:5499 - no response)',
    ],
    ['ready', st({ running: true, health: 'unhealthy', failingStreak: 1 }), 'db is unhealthy: its healthcheck failed 1 time in a row'],
    ['ready', st({ running: true, health: 'unhealthy' }), 'db is unhealthy'],
  ] as const)('fails at once on %s when its healthcheck says unhealthy, as compose does: %j', (cond, s, message) => {
    const v = judge('db', s, cond, false);
    expect(v.kind).toBe('failed');
    if (v.kind === 'failed') expect([v.error.message, v.error.code, v.error.exitCode, (v.error as WakeFailure).kind]).toEqual([message, 'FAILED', 1, 'unhealthy']);
  });

  it.each([
    ['ready', st({ exitCode: 3 }), 'db exited with code 3 while starting'],
    ['service_completed_successfully', st({ exitCode: 1 }), 'db exited with code 1 before completing successfully'],
  ] as const)('fails fast on %s when it exited: %j', (cond, s, message) => {
    const v = judge('db', s, cond, false);
    expect(v.kind).toBe('failed');
    if (v.kind === 'failed') expect([v.error.message, v.error.code, v.error.exitCode]).toEqual([message, 'FAILED', 1]);
  });
});

describe('single flight', () => {
  it('runs once for concurrent callers and replays earlier events to late joiners', async () => {
    const sf = new SingleFlight<string>();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const run = async (emit: (e: string) => void) => {
      runs++;
      emit('a');
      await gate;
      emit('b');
    };
    const seen1: string[] = [];
    const seen2: string[] = [];
    const p1 = sf.join('web', run, { onEvent: (e) => seen1.push(e) });
    const p2 = sf.join('web', run, { onEvent: (e) => seen2.push(e) });
    release();
    await Promise.all([p1, p2]);
    expect(runs).toBe(1);
    expect(seen1).toEqual(['a', 'b']);
    expect(seen2).toEqual(['a', 'b']);
    expect(sf.active).toBe(0);
    await sf.join('web', run);
    expect(runs).toBe(2);
  });

  it('one caller aborting does not cancel the run for the others; the last one does, after its final events', async () => {
    const sf = new SingleFlight<string>();
    let runSignal!: AbortSignal;
    const run = (emit: (e: string) => void, signal: AbortSignal) =>
      new Promise<void>((_, reject) => {
        runSignal = signal;
        signal.addEventListener('abort', () => {
          emit('left db running');
          reject(signal.reason);
        });
      });
    const a = new AbortController();
    const b = new AbortController();
    const seenB: string[] = [];
    const pa = sf.join('web', run, { signal: a.signal });
    const pb = sf.join('web', run, { signal: b.signal, onEvent: (e) => seenB.push(e) });
    a.abort('SIGINT');
    await expect(pa).rejects.toBe('SIGINT');
    expect(runSignal.aborted).toBe(false);
    b.abort('SIGTERM');
    await expect(pb).rejects.toBe('SIGTERM');
    expect(runSignal.aborted).toBe(true);
    expect(seenB).toEqual(['left db running']);
  });
});

describe('dependency conditions across a graph', () => {
  it('waits for a dependency needed under several conditions under the strictest', async () => {
    const { depConditions } = await import('../../src/core/idle/wake.js');
    const unit = (name: string, deps: Array<[string, string]>) => [name, { name, deps: deps.map(([n, condition]) => ({ name: n, condition })) }] as const;
    const units = new Map([
      unit('app', [
        ['db', 'service_started'],
        ['init', 'service_completed_successfully'],
      ]),
      unit('api', [
        ['db', 'service_healthy'],
        ['cache', 'service_started'],
      ]),
      unit('worker', [['db', 'ready']]),
    ]) as never;
    expect([...depConditions(units)].sort()).toEqual([
      ['cache', 'service_started'],
      ['db', 'ready'],
      ['init', 'service_completed_successfully'],
    ]);
  });
});

describe('the round timer', () => {
  it('waits the interval, is cut short by a fire during it (or one before it) or an abort', async () => {
    const { Kicker } = await import('../../src/core/idle/kicker.js');
    const k = new Kicker();
    const ac = new AbortController();
    let t = Date.now();
    await k.wait(200, ac.signal);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
    // A fire while it waits (wait is armed before its first await).
    t = Date.now();
    const fired = k.wait(5000, ac.signal);
    k.fire();
    await fired;
    expect(Date.now() - t).toBeLessThan(2000);
    k.fire();
    t = Date.now();
    await k.wait(5000, ac.signal);
    expect(Date.now() - t).toBeLessThan(100);
    t = Date.now();
    const aborted = k.wait(5000, ac.signal);
    ac.abort();
    await aborted;
    await k.wait(5000, ac.signal); // already aborted: at once
    expect(Date.now() - t).toBeLessThan(2000);
  });
});
