// The wake sequence against an in-memory stand-in for the Provider interface (not dockerode):
// event order, start order, budget, failures, single flight, abort. The real engine is in test/integration/wake*.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { parseIdleConfig } from '../../src/core/idle/config.js';
import { createWaker } from '../../src/core/idle/wake.js';
import type { UnitResolver, Unit } from '../../src/core/idle/unit-resolver.js';
import type { UnitState } from '../../src/core/idle/provider.js';
import type { WakeEvent } from '../../src/core/idle/types.js';

interface Spec {
  deps?: Array<[string, string]>;
  labels?: Record<string, string>;
  /** What the container looks like once started. */
  after?: Partial<UnitState>;
}

function world(specs: Record<string, Spec>) {
  const states = new Map<string, UnitState>(Object.keys(specs).map((n) => [n, { id: n, running: false, paused: false, exitCode: 0 }]));
  const starts: string[] = [];
  const provider = {
    async state(n: string) {
      return { ...states.get(n)! };
    },
    async start(n: string) {
      starts.push(n);
      states.set(n, { id: n, running: true, paused: false, ...specs[n]!.after });
    },
    async address() {
      return undefined;
    },
  };
  const unit = (n: string): Unit => ({
    name: n,
    id: n,
    labels: {},
    config: parseIdleConfig(specs[n]!.labels ?? {}, { container: n }),
    deps: (specs[n]!.deps ?? []).map(([name, condition]) => ({ name, condition: condition as never })),
    state: { ...states.get(n)! },
  });
  const resolver = {
    provider,
    async graph(root: string) {
      const out = new Map<string, Unit>();
      const todo = [root];
      while (todo.length) {
        const n = todo.pop()!;
        if (out.has(n)) continue;
        out.set(n, unit(n));
        todo.push(...(specs[n]!.deps ?? []).map(([d]) => d));
      }
      return out;
    },
  } as unknown as UnitResolver;
  return { states, starts, waker: createWaker({ resolver }) };
}

const kinds = (evs: WakeEvent[]) => evs.map((e) => (e.dep ? `${e.event}:${e.dep}` : e.event));

describe('the wake sequence', () => {
  it('starts dependencies deepest first, each once, and emits the events in order with the summed budget', async () => {
    const w = world({
      app: {
        deps: [
          ['api', 'ready'],
          ['db', 'service_started'],
        ],
      },
      api: { deps: [['db', 'service_healthy']] },
      db: { after: { health: 'healthy' } },
    });
    const evs: WakeEvent[] = [];
    await w.waker('app', { onEvent: (e) => evs.push(e) });
    expect(w.starts).toEqual(['db', 'api', 'app']);
    expect(kinds(evs)).toEqual(['starting', 'waking_dep:db', 'dep_ready:db', 'waking_dep:api', 'dep_ready:api', 'container_woke', 'waiting_ready', 'ready']);
    expect(evs[0]!.message).toBe('waking app after db, api (budget 180s)');
    // db is needed as service_started and service_healthy: waited for as the stricter, healthy
    expect(evs[2]!.message).toBe('dependency db is healthy');
  });

  it('lists the dependencies it started and left running when a later one fails', async () => {
    const w = world({
      app: {
        deps: [
          ['cache', 'ready'],
          ['db', 'ready'],
        ],
      },
      cache: {},
      db: { after: { running: false, exitCode: 1 } },
    });
    const evs: WakeEvent[] = [];
    await expect(w.waker('app', { onEvent: (e) => evs.push(e) })).rejects.toThrow('db exited with code 1 while starting');
    expect(evs.at(-1)!.message).toBe('db exited with code 1 while starting; started and left running: cache');
  });

  it('fails at the dependency that exits, names its exit code, and does not start the app', async () => {
    const w = world({ app: { deps: [['db', 'ready']] }, db: { after: { running: false, exitCode: 3 } } });
    const evs: WakeEvent[] = [];
    await expect(w.waker('app', { onEvent: (e) => evs.push(e) })).rejects.toThrow('db exited with code 3 while starting');
    expect(w.starts).toEqual(['db']);
    expect(evs.at(-1)).toMatchObject({ event: 'error', message: 'db exited with code 3 while starting' });
  });

  it('collapses concurrent wakes of one container into one (single flight)', async () => {
    const w = world({ app: { deps: [['db', 'ready']] }, db: {} });
    const seen: string[][] = [[], []];
    await Promise.all([0, 1].map((i) => w.waker('app', { onEvent: (e) => seen[i]!.push(e.event) })));
    expect(w.starts).toEqual(['db', 'app']);
    expect(seen[0]).toEqual(seen[1]);
  });

  it('times out with the overall budget when --timeout is given', async () => {
    const w = world({ app: { after: { health: 'starting' } } });
    await expect(w.waker('app', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT', message: 'app was not ready after 0.3s (waiting for its healthcheck (now starting))' });
  });

  it('on abort reports what it started and left running', async () => {
    const w = world({ app: { deps: [['db', 'service_healthy']] }, db: { after: { health: 'starting' } } });
    const ac = new AbortController();
    const evs: WakeEvent[] = [];
    const p = w.waker('app', { signal: ac.signal, onEvent: (e) => evs.push(e) });
    p.catch(() => {});
    // Interrupted once db was started, while the wake waits for its healthcheck.
    await vi.waitFor(() => expect(w.starts).toEqual(['db']), { timeout: 5000, interval: 5 });
    ac.abort('SIGINT');
    await expect(p).rejects.toBe('SIGINT');
    expect(w.starts).toEqual(['db']);
    expect(evs.at(-1)).toMatchObject({ event: 'error', message: 'interrupted; started and left running: db' });
  });
});
