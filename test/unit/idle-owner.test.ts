// The lifecycle owner (LifecycleOwner, lifecycle-owner.ts) against a fake Provider: no engine, a clock the test moves, exact
// decisions. The same class runs in watch-idle and serve against the engine (test/integration, test/chaos).
import { describe, expect, it } from 'vitest';
import type { Counters } from '../../src/core/idle/counters.js';
import type { InboundReading } from '../../src/core/idle/connections.js';
import type { IdleRecord, Provider, StopMethod } from '../../src/core/idle/types.js';
import type { Seen } from '../../src/core/idle/listing.js';
import { LifecycleOwner } from '../../src/core/idle/lifecycle-owner.js';

interface Unit {
  id: string;
  labels: Record<string, string>;
  running: boolean;
  /** network bytes received, sent */
  rx: number;
  tx: number;
  /** Open connections to its listening ports, or why they cannot be read. */
  conns: InboundReading;
}

/** `stopMs`: how long each stop takes on the test's clock. */
function world(units: Record<string, Omit<Unit, 'id' | 'rx' | 'tx' | 'conns'>>, execExit = 1, stopMs = 0) {
  let t = 1_000_000;
  const u = new Map<string, Unit>(Object.entries(units).map(([name, x], i) => [name, { ...x, id: `id${i}`, rx: 0, tx: 0, conns: [] as InboundReading }]));
  const byId = (id: string) => [...u.entries()].find(([, x]) => x.id === id)!;
  const calls: string[] = [];
  /** Whose connections were read, in order. */
  const reads: string[] = [];
  const provider: Provider = {
    state: async (name) => ({ running: u.get(name)!.running, paused: false, id: u.get(name)!.id }),
    start: async (name) => void (u.get(name)!.running = true),
    stop: async (id: string, method: StopMethod) => {
      const [name, x] = byId(id);
      calls.push(`${method} ${name}`);
      t += stopMs;
      x.running = false;
    },
    list: async () => [...u.entries()].map(([name, x]): Seen => ({ id: x.id, name, labels: x.labels, running: x.running, paused: false, awake: x.running, status: x.running ? 'Up' : 'Exited (0)' })),
    counters: async (id: string): Promise<Counters> => {
      const [, x] = byId(id);
      return { at: t, bytes: x.rx + x.tx, tx: x.tx };
    },
    connections: async (id: string) => (reads.push(byId(id)[0]), byId(id)[1].conns),
    exec: async (id: string, cmd: string[]) => (calls.push(`exec ${byId(id)[0]} ${cmd.join(' ')}`), execExit),
    changes: (signal) => ({
      [Symbol.asyncIterator]: () => ({ next: () => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) }),
    }),
  };
  const records: IdleRecord[] = [];
  const make = (extra: Partial<ConstructorParameters<typeof LifecycleOwner>[0]> = {}) =>
    new LifecycleOwner({ provider, intervalMs: 1000, now: () => t, emit: (r) => void records.push(r), warn: (m) => records.push({ warn: m } as never), ...extra });
  const signal = new AbortController().signal;
  return {
    u,
    calls,
    reads,
    records,
    make,
    /** Moves the clock, then one round and the stops it began. */
    at: async (w: LifecycleOwner, ms: number) => {
      t = 1_000_000 + ms;
      await w.tick(signal);
      await w.settle();
    },
  };
}

const idle = (timeout: string, more: Record<string, string> = {}) => ({ labels: { 'berth.idle.timeout': timeout, ...more }, running: true });

describe('the lifecycle owner over a fake provider', () => {
  it('stops a container idle for its timeout, on the first round past it, and only once', async () => {
    const w0 = world({ web: idle('10s') });
    const w = w0.make();
    for (const ms of [0, 5000, 9900]) await w0.at(w, ms);
    expect(w0.calls).toEqual([]);
    await w0.at(w, 10_100);
    expect(w0.calls).toEqual(['stop web']);
    await w0.at(w, 30_000);
    expect(w0.calls).toEqual(['stop web']);
    const stop = w0.records.find((r) => r.action === 'stop')!;
    expect(stop).toMatchObject({ container: 'web', from: 'ready', to: 'napping' });
    expect(stop.reason).toBe('idle for 10.1s (network <= 512 B per reading, no open connections, timeout 10s)');
  });

  it('counts traffic it sent above min_bytes as activity, and not traffic that only arrived', async () => {
    const w0 = world({ web: idle('10s') });
    const w = w0.make();
    await w0.at(w, 0);
    w0.u.get('web')!.rx += 100_000; // broadcast chatter: arrives, nothing sent
    await w0.at(w, 6000);
    w0.u.get('web')!.tx += 1000;
    w0.u.get('web')!.rx += 1000;
    await w0.at(w, 8000);
    await w0.at(w, 17_900);
    expect(w0.calls).toEqual([]);
    await w0.at(w, 18_100);
    expect(w0.calls).toEqual(['stop web']);
  });

  it('keeps a dependency while its dependent is awake, then stops it its own timeout after the dependent went', async () => {
    const w0 = world({ app: idle('10s', { 'berth.idle.depends_on': 'db:service_started' }), db: idle('5s') });
    const w = w0.make();
    await w0.at(w, 0);
    await w0.at(w, 6000);
    expect(w0.calls).toEqual([]);
    expect(w0.records.filter((r) => r.action === 'keep').map((r) => [r.container, r.reason])).toEqual([['db', 'idle for 6s but in use by app (awake dependents)']]);
    await w0.at(w, 10_100);
    expect(w0.calls).toEqual(['stop app']);
    await w0.at(w, 14_000);
    expect(w0.calls).toEqual(['stop app']);
    await w0.at(w, 15_200);
    expect(w0.calls).toEqual(['stop app', 'stop db']);
  });

  it("counts a dependency's idle time from the end of its dependent's stop, not from the round that began it", async () => {
    const w0 = world({ app: idle('10s', { 'berth.idle.depends_on': 'db' }), db: idle('5s') }, 1, 2000);
    const w = w0.make();
    await w0.at(w, 0);
    await w0.at(w, 10_100); // app's stop begins here and ends 2 s later, at 12.1 s
    expect(w0.calls).toEqual(['stop app']);
    await w0.at(w, 16_000); // 5.9 s after the round that began app's stop, 3.9 s after it ended
    expect(w0.calls).toEqual(['stop app']);
    await w0.at(w, 17_200);
    expect(w0.calls).toEqual(['stop app', 'stop db']);
  });

  it('says a dependency this process woke was woken here (its note taken once), and one started by anyone else started outside', async () => {
    const w0 = world({ app: idle('10s', { 'berth.idle.depends_on': 'db' }), db: { ...idle('5s'), running: false } });
    const notes = new Map([['db', 'woken by this serve (dependency of app)']]);
    const asked: string[] = [];
    const w = w0.make({ startedHere: (n) => (asked.push(n), notes.get(n)) });
    await w0.at(w, 0);
    w0.u.get('db')!.running = true; // the wake of app started it
    await w0.at(w, 1000);
    await w0.at(w, 2000); // seen awake again: not asked again
    notes.clear();
    w0.u.get('db')!.running = false;
    await w0.at(w, 3000);
    w0.u.get('db')!.running = true; // someone else started it
    await w0.at(w, 4000);
    const starts = w0.records.filter((r) => r.container === 'db' && r.to === 'ready').map((r) => [r.from, r.reason]);
    expect(starts).toEqual([
      ['napping', 'woken by this serve (dependency of app) (Up)'],
      ['napping', 'started outside this watcher (Up)'],
    ]);
    expect(asked).toEqual(['app', 'db', 'db']); // app once, when first seen awake (a note of a start before then is used up)
  });

  it("for serve: a request in flight keeps its route up however long, its end starts the timeout, and the route's own traffic is not activity", async () => {
    const w0 = world({ web: idle('10s') });
    let act = { inflight: 1, last: 0 };
    const w = w0.make({ activity: () => act, fronted: () => true, sleep: () => undefined });
    await w0.at(w, 0);
    await w0.at(w, 60_000);
    expect(w0.calls).toEqual([]);
    act = { inflight: 0, last: 1_000_000 + 60_000 };
    w0.u.get('web')!.tx += 1e6; // proxied bytes: serve saw them as requests already
    await w0.at(w, 69_900);
    expect(w0.calls).toEqual([]);
    await w0.at(w, 70_100);
    expect(w0.calls).toEqual(['stop web']);
    expect(w0.records.find((r) => r.action === 'stop')!.reason).toBe('idle for 10.1s (no request, stream or connection, no open connections, timeout 10s)');
  });

  it("for serve's gate: a fronted route whose bytes another proxy carries counts its own traffic as activity", async () => {
    const w0 = world({ web: idle('10s') });
    const act = { inflight: 0, last: 1_000_000 };
    const w = w0.make({ activity: () => act, fronted: () => true, carried: () => true, sleep: () => undefined });
    await w0.at(w, 0);
    for (const ms of [4000, 8000, 12_000]) {
      w0.u.get('web')!.tx += 1000; // a download through nginx: the gate saw only its first request
      await w0.at(w, ms);
    }
    await w0.at(w, 21_900);
    expect(w0.calls).toEqual([]);
    await w0.at(w, 22_100);
    expect(w0.calls).toEqual(['stop web']);
    expect(w0.records.find((r) => r.action === 'stop')!.reason).toBe('idle for 10.1s (no request, stream or connection, network <= 512 B per reading, no open connections, timeout 10s)');
  });

  it('a busy check that says busy (exit 0) vetoes the stop and says why once; one that says not busy lets it go', async () => {
    const busy = world({ job: idle('10s', { 'berth.idle.busy': 'exec:pgrep backup' }) }, 0);
    const wb = busy.make();
    for (const ms of [0, 10_100, 11_000]) await busy.at(wb, ms);
    expect(busy.calls).toEqual(['exec job pgrep backup', 'exec job pgrep backup']);
    expect(busy.records.filter((r) => r.action === 'keep').map((r) => r.reason)).toEqual(['idle for 10.1s but busy: pgrep backup exited 0; not stopped']);
    const free = world({ job: idle('10s', { 'berth.idle.busy': 'exec:pgrep backup' }) }, 1);
    const wf = free.make();
    for (const ms of [0, 10_100]) await free.at(wf, ms);
    expect(free.calls).toEqual(['exec job pgrep backup', 'stop job']);
    expect(free.records.find((r) => r.action === 'stop')!.reason).toBe('idle for 10.1s (network <= 512 B per reading, no open connections, timeout 10s); pgrep backup exited 1 (not busy)');
  });

  const session = (port: number, ip = '172.17.0.9', peerPort = 40000) => ({ port, peer: { ip, port: peerPort } });

  it('an open connection to a listening port is use: kept (said once), its clock touched, stopped a timeout after it closed', async () => {
    const w0 = world({ db: idle('10s') });
    const w = w0.make();
    await w0.at(w, 0);
    w0.u.get('db')!.conns = [session(5432)];
    await w0.at(w, 10_100);
    expect(w0.calls).toEqual([]);
    expect(w0.reads).toEqual(['db']);
    expect(w0.records.filter((r) => r.action === 'keep').map((r) => [r.from, r.to, r.reason])).toEqual([['ready', 'ready', 'idle for 10.1s but 1 open connection on port 5432; not stopped']]);
    // the touch restarted its timeout: not judged again before 10 s after it
    await w0.at(w, 20_000);
    expect(w0.reads).toEqual(['db']);
    w0.u.get('db')!.conns = [session(5432), session(5432, '172.17.0.9', 40001), session(8080)];
    await w0.at(w, 20_200);
    expect(w0.records.filter((r) => r.action === 'keep').map((r) => r.reason)).toEqual([
      'idle for 10.1s but 1 open connection on port 5432; not stopped',
      'idle for 10.1s but 3 open connections on ports 5432, 8080; not stopped',
    ]);
    w0.u.get('db')!.conns = [session(5432), session(5432, '172.17.0.9', 40001), session(8080)];
    await w0.at(w, 30_300);
    // the same reason again is not printed again
    expect(w0.records.filter((r) => r.action === 'keep')).toHaveLength(2);
    w0.u.get('db')!.conns = [];
    await w0.at(w, 40_400);
    expect(w0.reads).toEqual(['db', 'db', 'db', 'db']);
    expect(w0.calls).toEqual(['stop db']);
    expect(w0.records.find((r) => r.action === 'stop')!.reason).toBe('idle for 10.1s (network <= 512 B per reading, no open connections, timeout 10s)');
  });

  it('berth.idle.connections=ignore: connections are not read, and the stop record says so', async () => {
    const w0 = world({ db: idle('10s', { 'berth.idle.connections': 'ignore' }) });
    w0.u.get('db')!.conns = [session(5432)];
    const w = w0.make();
    await w0.at(w, 0);
    await w0.at(w, 10_100);
    expect(w0.reads).toEqual([]);
    expect(w0.calls).toEqual(['stop db']);
    expect(w0.records.find((r) => r.action === 'stop')!.reason).toBe('idle for 10.1s (network <= 512 B per reading, connections not counted (berth.idle.connections=ignore), timeout 10s)');
  });

  it('connections that cannot be read: stopped on traffic alone, the record and one warning say why', async () => {
    const w0 = world({ db: idle('10s') });
    w0.u.get('db')!.conns = 'cat /proc/net/tcp in the container failed: no such file';
    const w = w0.make();
    await w0.at(w, 0);
    await w0.at(w, 10_100);
    expect(w0.calls).toEqual(['stop db']);
    expect(w0.records.find((r) => r.action === 'stop')!.reason).toBe(
      'idle for 10.1s (network <= 512 B per reading, connections not checked (cat /proc/net/tcp in the container failed: no such file), timeout 10s)',
    );
    expect(w0.records.filter((r) => 'warn' in r).map((r) => (r as unknown as { warn: string }).warn)).toEqual([
      'db: connections not checked (cat /proc/net/tcp in the container failed: no such file); it is stopped on its traffic alone (set berth.idle.connections=ignore to say so)',
    ]);
  });

  it("for serve: connections from its own sockets (its pool) are not use; another client's are", async () => {
    const w0 = world({ web: idle('10s') });
    const own = (ip: string, port: number) => ip === '172.17.0.1' && port === 50000;
    const w = w0.make({ activity: () => ({ inflight: 0, last: 0 }), fronted: () => true, sleep: () => undefined, ownPeer: own });
    w0.u.get('web')!.conns = [session(80, '172.17.0.1', 50000), session(80, '172.17.0.1', 50001)];
    await w0.at(w, 0);
    await w0.at(w, 10_100);
    expect(w0.records.filter((r) => r.action === 'keep').map((r) => r.reason)).toEqual(['idle for 10.1s but 1 open connection on port 80; not stopped']);
    w0.u.get('web')!.conns = [session(80, '172.17.0.1', 50000)];
    await w0.at(w, 20_200);
    expect(w0.reads).toEqual(['web', 'web']);
    expect(w0.calls).toEqual(['stop web']);
    expect(w0.records.find((r) => r.action === 'stop')!.reason).toBe('idle for 10.1s (no request, stream or connection, no open connections, timeout 10s)');
  });
});
