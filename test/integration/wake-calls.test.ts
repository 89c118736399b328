// The engine calls one cold wake through serve's path makes, counted by a wrapper of the engine client
// (the real engine answers): each unit is inspected once before it is started, and started once.
import { afterAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/core/engine/connect.js';
import { containerUpstreams } from '../../src/core/proxy/upstream.js';
import type { EngineRequest } from '../../src/core/engine/client.js';
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

describe('one cold wake, counted at the engine', () => {
  it('inspects each unit once before its start, starts each once; the rest are readiness polls and the upstream address', async () => {
    const db = uniqueName('calls-db');
    const app = uniqueName('calls-app');
    made.push(db, app);
    const labels = { 'berth.proxy.host': 'calls.test', 'berth.proxy.port': '8080', 'berth.idle.depends_on': `${db}:service_started` };
    await runContainer({ name: db, cmd: 'exec sleep 600', start: false });
    await runContainer({ name: app, cmd: httpdCmd('echo ok > /www/index.html'), labels, start: false });
    const engine = await connectEngine({ env: process.env });
    const calls: string[] = [];
    const json = engine.api.json.bind(engine.api);
    engine.api.json = (req: EngineRequest) => {
      const path = decodeURIComponent(req.path).replace(`/containers/${app}`, '/containers/APP').replace(`/containers/${db}`, '/containers/DB');
      calls.push(`${req.method ?? 'GET'} ${path.split('?')[0]}`);
      return json(req);
    };
    const provider = new ContainerProvider(engine);
    const wakes = createWakePath({ resolver: new UnitResolver(provider) });
    const all = await (await import('../helpers/docker.js')).docker.getContainer(app).inspect();
    const life = new RouteLife(parseRoute(app, all.Config.Labels), idleConfigFor(app, all.Config.Labels), {
      upstreams: containerUpstreams(engine),
      wakes,
      provider,
      metrics: new ProxyMetrics(),
      budget: { max: 10, count: 0 },
      signal: new AbortController().signal,
      record: () => {},
      errorHoldMs: 5000,
    });
    await Promise.all(Array.from({ length: 20 }, () => life.wake()));
    console.log(`engine calls of one cold wake (20 concurrent requests):\n  ${calls.join('\n  ')}`);
    const count = (c: string) => calls.filter((x) => x === c).length;
    expect(count('POST /containers/DB/start')).toBe(1);
    expect(count('POST /containers/APP/start')).toBe(1);
    const before = (unit: string) => calls.slice(0, calls.indexOf(`POST /containers/${unit}/start`)).filter((x) => x === `GET /containers/${unit}/json`).length;
    expect([before('DB'), before('APP')]).toEqual([1, 1]);
    expect(life.state).toBe('ready');
  }, 60_000);
});
