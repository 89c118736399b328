import { describe, expect, it } from 'vitest';
import type { IdleRecord, Provider, WakeEvent } from '../../src/core/idle/types.js';
import { wakePath } from '../../src/core/idle/wake.js';
import { RouteLife, type LifeDeps } from '../../src/core/proxy/lifecycle.js';
import { ProxyMetrics } from '../../src/core/proxy/metrics.js';
import { parseRoute } from '../../src/core/proxy/routes.js';
import { containerUpstreams, type Address, type ContainerReader, type UpstreamSource } from '../../src/core/proxy/upstream.js';

interface World {
  running: boolean;
  wakes: number;
  stops: string[];
}

function setup(opts: { fail?: string; wakeMs?: number; exitCode?: number; upstreams?: UpstreamSource; now?: () => number } = {}) {
  const world: World = { running: false, wakes: 0, stops: [] };
  const records: Array<IdleRecord | WakeEvent> = [];
  // The container's inspect, as the upstream source reads it through its provider.
  const reader: ContainerReader = {
    inspect: async () => ({ State: { Running: world.running }, NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.9' } } } }) as never,
  };
  const ev = (event: WakeEvent['event']): WakeEvent => ({ type: 'wake', event, ts: '2026-01-01T00:00:00.000Z', container: 'web', message: event });
  // The route's clock, unless the test brings its own: a wake takes `wakeMs` of it (default 20), not of the machine's.
  let clock = 1_000;
  const wakes = wakePath(async (_name, emit) => {
    world.wakes++;
    emit(ev('starting'));
    await Promise.resolve();
    clock += opts.wakeMs ?? 20;
    if (opts.fail) throw new Error(opts.fail);
    world.running = true;
    emit(ev('ready'));
  });
  const provider: Provider = {
    state: async () => ({ running: world.running, paused: false, id: 'x', ...(world.running ? {} : { exitCode: opts.exitCode ?? 0 }) }),
    start: async () => {},
    stop: async (name, method) => {
      world.stops.push(`${name}:${method}`);
      world.running = false;
    },
    // the route's life asks only the three above; the lifecycle owner's readings are not used here
    list: async () => [],
    counters: async () => ({ at: Date.now(), bytes: 0 }),
    exec: async () => 1,
    changes: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) }),
  };
  const metrics = new ProxyMetrics();
  const deps: LifeDeps = {
    upstreams: opts.upstreams ?? containerUpstreams(reader),
    now: opts.now ?? (() => clock),
    wakes,
    provider,
    metrics,
    budget: { max: 10, count: 0 },
    signal: new AbortController().signal,
    record: (r) => records.push(r),
    errorHoldMs: 5000,
  };
  const life = new RouteLife(parseRoute('web', { 'berth.proxy.host': 'a.test', 'berth.proxy.port': '8080' }), { timeoutMs: 1000, wakeTimeoutMs: 5000, stopMethod: 'stop' }, deps);
  const published: string[] = [];
  const data: WakeEvent[] = [];
  const orig = life.hub.publish.bind(life.hub);
  life.hub.publish = (event: string, d: unknown) => (published.push((d as WakeEvent).event), data.push(d as WakeEvent), orig(event, d));
  return { world, records, life, metrics, published, data };
}

describe('RouteLife', () => {
  it("a service's endpoints: used in turn, read again after their ttl, and after a wake waited for until they accept", async () => {
    let clock = 1_000;
    const lists = [
      [
        { host: '10.0.0.1', port: 81 },
        { host: '10.0.0.2', port: 82 },
      ],
      [{ host: '10.0.0.3', port: 83 }],
    ];
    const asked: Array<[string, number]> = [];
    const waited: Address[][] = [];
    const upstreams: UpstreamSource = {
      portInWake: false,
      ttlMs: 2000,
      resolve: async (name, port) => (asked.push([name, port]), lists[asked.length - 1]!),
      ready: async (endpoints) => (waited.push(endpoints), true),
    };
    const { life } = setup({ upstreams, now: () => clock });
    await life.wake();
    expect(waited).toEqual([lists[0]]);
    const hosts = [];
    for (let i = 0; i < 4; i++) hosts.push((life.cachedUpstream() ?? (await life.upstream())).host);
    expect(hosts).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.2']);
    clock += 2000;
    expect(life.cachedUpstream()).toBeUndefined();
    expect(await life.upstream()).toEqual({ host: '10.0.0.3', port: 83 });
    expect(asked).toEqual([
      ['web', 8080],
      ['web', 8080],
    ]);
  });

  it('instead: another endpoint for a request; an unreachable one is benched, skipped by later requests across a new reading of the task list, until it leaves the list', async () => {
    let clock = 1_000;
    const t1 = { host: '10.0.0.1', port: 81 };
    const t2 = { host: '10.0.0.2', port: 82 };
    const t3 = { host: '10.0.0.3', port: 83 };
    const lists = [
      [t1, t2, t3],
      [t1, t2, t3],
      [t1, t3],
    ];
    let reads = 0;
    const upstreams: UpstreamSource = { portInWake: false, ttlMs: 2000, resolve: async () => lists[Math.min(reads++, lists.length - 1)]!.map((a) => ({ ...a })), ready: async () => true };
    const { life } = setup({ upstreams, now: () => clock });
    await life.wake();
    const next = async () => (life.cachedUpstream() ?? (await life.upstream())).port;
    expect(await next()).toBe(81);
    // 82's connect is refused: the request goes on to 83, and 82 is benched.
    expect(await next()).toBe(82);
    expect(life.instead(8080, t2, [t2], true)).toEqual(t3);
    expect([await next(), await next(), await next()]).toEqual([83, 81, 83]);
    // A new reading that still lists 82 keeps it benched; a request that was answerless (not unreachable) benches nothing.
    clock += 2000;
    expect([await next(), await next()]).toEqual([81, 83]);
    expect(life.instead(8080, t1, [t1], false)).toEqual(t3);
    expect(life.instead(8080, t1, [t1, t3], false)).toEqual(t2); // the benched one, when no other is left
    expect(life.instead(8080, t1, [t1, t2, t3], false)).toBeUndefined();
    // 82 leaves the task list (the turn goes on over the two left).
    clock += 2000;
    expect([await next(), await next(), await next()]).toEqual([83, 81, 83]);
    expect(reads).toBe(3);
  });

  it('a woken service whose endpoints never accept fails the wake as a timeout, naming the port and the tasks', async () => {
    const upstreams: UpstreamSource = { portInWake: false, resolve: async () => [{ host: '10.0.0.1', port: 81 }], ready: async () => false };
    const { life } = setup({ upstreams });
    await expect(life.wake()).rejects.toThrow('web was not ready after 5s (waiting for port 8080 of its 1 task to accept connections)');
    expect(life.state).toBe('error');
  });

  it('collapses concurrent wakes into one and is ready with an address afterwards', async () => {
    const { world, life, records, published } = setup();
    await Promise.all(Array.from({ length: 50 }, () => life.wake()));
    expect(world.wakes).toBe(1);
    expect(life.state).toBe('ready');
    expect(await life.upstream()).toEqual({ host: '172.17.0.9', port: 8080 });
    expect(published).toEqual(['starting', 'ready']);
    expect(records.filter((r) => r.type === 'idle').map((r) => `${(r as IdleRecord).from}->${(r as IdleRecord).to}`)).toEqual(['napping->starting', 'starting->ready']);
    await life.wake();
    expect(world.wakes).toBe(1); // awake: no new wake
  });

  it('a failed wake is an error state, answered as failed for a while, with an error event', async () => {
    const { life, published, metrics } = setup({ fail: 'web exited with code 3 while starting' });
    await expect(life.wake()).rejects.toThrow('exited with code 3');
    expect(life.state).toBe('error');
    expect(life.error).toBe('web exited with code 3 while starting');
    expect(life.failedRecently).toBe(true);
    expect(published).toEqual(['starting', 'error']);
    expect([...metrics.wakes.values.values()].map((v) => [v.labels.result, v.value])).toEqual([['error', 1]]);
  });

  it('sleep stops the container with its method, and a wake during the stop waits for it', async () => {
    const { world, life } = setup();
    await life.wake();
    const stopping = life.sleep();
    expect(life.awake).toBe(false);
    const woken = life.wake();
    await stopping;
    await woken;
    expect(world.stops).toEqual(['web:stop']);
    expect(world.wakes).toBe(2);
    expect(life.state).toBe('ready');
  });

  it("the record of its own stop carries the container id and the action, as watch-idle's do", async () => {
    const { life, records } = setup();
    life.id = 'f'.repeat(64);
    await life.wake();
    await life.sleep();
    const slept = records.filter((r): r is IdleRecord => r.type === 'idle' && r.to === 'napping');
    expect(slept).toEqual([
      { type: 'idle', ts: expect.any(String), container: 'web', id: 'f'.repeat(64), action: 'stop', from: 'ready', to: 'napping', reason: 'idle for 1s (no request, stream or connection)' },
    ]);
  });

  it('believes engine events only after reading the state back', async () => {
    const { world, life, metrics } = setup();
    await life.refresh(); // a late "start" while the container is in fact stopped
    expect(life.state).toBe('napping');
    world.running = true;
    await life.refresh();
    expect(life.state).toBe('ready');
    world.running = false;
    await life.refresh();
    expect(life.state).toBe('napping');
    expect([...metrics.stops.values.values()].map((v) => v.labels.reason)).toEqual(['external']);
  });

  it('the SSE data carries the step of each event and, from the second wake on, an estimate from the previous wakes', async () => {
    const { life, data } = setup({ wakeMs: 50 });
    await life.wake();
    expect(data.map((d) => [d.event, d.step, d.steps, d.estimate])).toEqual([
      ['starting', 1, 4, undefined],
      ['ready', 4, 4, undefined],
    ]);
    await life.sleep();
    data.length = 0;
    await life.wake();
    expect(data[0]).toMatchObject({ event: 'starting', step: 1, steps: 4, estimate: { fromWakes: 1, leftMs: expect.any(Number) } });
    expect(data[0]!.estimate!.leftMs).toBeGreaterThan(0);
    expect(data[0]!.estimate!.leftMs).toBeLessThanOrEqual(life.wakeTimes[0]!);
    expect(data[1]!.estimate).toBeUndefined(); // ready: nothing left to estimate
    expect(life.wakeTimes).toHaveLength(2);
  });

  it('a container that exits with an error after it was ready is a crash: error state, its run signal aborted; a clean stop is not', async () => {
    const crash = setup({ exitCode: 3 });
    await crash.life.wake();
    const signal = crash.life.runSignal;
    crash.world.running = false;
    await crash.life.refresh();
    expect([crash.life.state, crash.life.failure, crash.life.crashed, signal.aborted]).toEqual(['error', 'exited', true, true]);
    expect(crash.life.error).toBe('web exited with code 3 after it was ready');
    const clean = setup({ exitCode: 143 });
    await clean.life.wake();
    clean.world.running = false;
    await clean.life.refresh();
    expect([clean.life.state, clean.life.crashed]).toEqual(['napping', false]);
  });
});
