// The engine calls one cold wake through serve's path makes, counted by a wrapper of the engine client
// (the real engine answers): each unit is inspected once before it is started, and started once; the
// readiness step's last reading gives the upstream address, so no call follows the wake's verdict.
import { afterAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/core/engine/connect.js';
import { containerUpstreams } from '../../src/core/proxy/upstream.js';
import type { EngineRequest } from '../../src/core/engine/client.js';
import type { Engine } from '../../src/core/engine/engine.js';
import type { WakePath } from '../../src/core/idle/types.js';
import { ContainerProvider } from '../../src/core/idle/provider.js';
import { UnitResolver } from '../../src/core/idle/unit-resolver.js';
import { createWakePath } from '../../src/core/idle/wake.js';
import { RouteLife } from '../../src/core/proxy/lifecycle.js';
import { ProxyMetrics } from '../../src/core/proxy/metrics.js';
import { parseRoute } from '../../src/core/proxy/routes.js';
import { idleConfigFor } from '../../src/core/idle/config-file.js';
import { removeContainer, runContainer, uniqueName } from '../helpers/docker.js';
import { httpdCmd } from './serve-harness.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

/** Every engine call, one line each (`GET /containers/APP/json`), and a line where the wake found the route ready. */
function counted(engine: Engine, names: Record<string, string>): string[] {
  const calls: string[] = [];
  const json = engine.api.json.bind(engine.api);
  engine.api.json = (req: EngineRequest) => {
    let path = decodeURIComponent(req.path);
    for (const [name, as] of Object.entries(names)) path = path.replace(`/containers/${name}`, `/containers/${as}`);
    calls.push(`${req.method ?? 'GET'} ${path.split('?')[0]}`);
    return json(req);
  };
  return calls;
}

const READY = '-- the wake found it ready --';

/** serve's route life over the real wake path; READY goes into `calls` when the wake's readiness step says ready. */
async function routeLife(engine: Engine, app: string, calls: string[]): Promise<RouteLife> {
  const provider = new ContainerProvider(engine);
  const path = createWakePath({ resolver: new UnitResolver(provider) });
  const wakes: WakePath = { ...path, once: (c, emit, signal, opts) => path.once(c, (e) => (e.event === 'ready' && calls.push(READY), emit(e)), signal, opts) };
  const all = await (await import('../helpers/docker.js')).docker.getContainer(app).inspect();
  return new RouteLife(parseRoute(app, all.Config.Labels), idleConfigFor(app, all.Config.Labels), {
    upstreams: containerUpstreams(provider),
    wakes,
    provider,
    metrics: new ProxyMetrics(),
    budget: { max: 10, count: 0 },
    signal: new AbortController().signal,
    record: () => {},
    errorHoldMs: 5000,
  });
}

describe('one cold wake, counted at the engine', () => {
  it('inspects each unit once before its start, starts each once; the rest are readiness polls, none after the verdict', async () => {
    const db = uniqueName('calls-db');
    const app = uniqueName('calls-app');
    made.push(db, app);
    const labels = { 'berth.proxy.host': 'calls.test', 'berth.proxy.port': '8080', 'berth.idle.depends_on': `${db}:service_started` };
    await runContainer({ name: db, cmd: 'exec sleep 600', start: false });
    await runContainer({ name: app, cmd: httpdCmd('echo ok > /www/index.html'), labels, start: false });
    const engine = await connectEngine({ env: process.env });
    const calls = counted(engine, { [app]: 'APP', [db]: 'DB' });
    const life = await routeLife(engine, app, calls);
    await Promise.all(Array.from({ length: 20 }, () => life.wake()));
    console.log(`engine calls of one cold wake (20 concurrent requests):\n  ${calls.join('\n  ')}`);
    const count = (c: string) => calls.filter((x) => x === c).length;
    expect(count('POST /containers/DB/start')).toBe(1);
    expect(count('POST /containers/APP/start')).toBe(1);
    const before = (unit: string) => calls.slice(0, calls.indexOf(`POST /containers/${unit}/start`)).filter((x) => x === `GET /containers/${unit}/json`).length;
    expect([before('DB'), before('APP')]).toEqual([1, 1]);
    expect(calls.slice(calls.indexOf(READY) + 1)).toEqual([]);
    expect(life.state).toBe('ready');
  }, 60_000);

  it('a container without dependencies: one inspect, one start, then only readiness readings; the address comes from the last', async () => {
    const app = uniqueName('calls-one');
    made.push(app);
    const labels = { 'berth.proxy.host': 'one.test', 'berth.proxy.port': '8080' };
    await runContainer({ name: app, cmd: httpdCmd('echo ok > /www/index.html'), labels, start: false });
    const engine = await connectEngine({ env: process.env });
    const calls = counted(engine, { [app]: 'APP' });
    const life = await routeLife(engine, app, calls);
    await Promise.all(Array.from({ length: 20 }, () => life.wake()));
    console.log(`engine calls of one cold wake, no dependencies (20 concurrent requests):\n  ${calls.join('\n  ')}`);
    const polls = calls.indexOf(READY) - 2;
    expect(calls).toEqual(['GET /containers/APP/json', 'POST /containers/APP/start', ...Array<string>(polls).fill('GET /containers/APP/json'), READY]);
    expect(polls).toBeGreaterThanOrEqual(1);
    const info = await (await import('../helpers/docker.js')).docker.getContainer(app).inspect();
    expect(life.cachedUpstream()).toEqual({ host: Object.values(info.NetworkSettings.Networks).find((n) => n.IPAddress)!.IPAddress, port: 8080 });
    expect(calls.at(-1)).toBe(READY);
  }, 60_000);
});
