// One cold wake of a route, through the real wake path, unit resolver, ContainerProvider and upstream
// source, over an engine stand-in that answers inspect and start and lists every call: the address the
// readiness step read is the upstream's, with no second inspect after it.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.js';
import { ContainerProvider } from '../../src/core/idle/provider.js';
import { UnitResolver } from '../../src/core/idle/unit-resolver.js';
import { createWakePath } from '../../src/core/idle/wake.js';
import { RouteLife } from '../../src/core/proxy/lifecycle.js';
import { ProxyMetrics } from '../../src/core/proxy/metrics.js';
import { parseRoute } from '../../src/core/proxy/routes.js';
import { containerUpstreams } from '../../src/core/proxy/upstream.js';

let app: net.Server;
let port: number;
beforeAll(async () => {
  // The "container's" port: readiness connects to it at the address the inspect gives (127.0.0.1 here).
  app = net.createServer((s) => s.end());
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  port = (app.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => app.close(() => resolve())));

function standIn() {
  const calls: string[] = [];
  let running = false;
  const labels = { 'berth.proxy.host': 'web.test', 'berth.proxy.port': String(port) };
  const api = {
    json: async (req: { method?: string; path: string }) => {
      calls.push(`${req.method ?? 'GET'} ${req.path}`);
      if (req.method === 'POST' && req.path === '/containers/web/start') return void (running = true);
      if (req.path === '/containers/web/json') {
        return {
          Id: 'c0ffee',
          Name: '/web',
          Config: { Labels: labels },
          State: running ? { Running: true, Paused: false } : { Running: false, Paused: false, ExitCode: 0 },
          NetworkSettings: { Networks: running ? { app: { IPAddress: '127.0.0.1' } } : {} },
          HostConfig: {},
        };
      }
      throw new Error(`unexpected call ${req.method ?? 'GET'} ${req.path}`);
    },
  };
  const engine = { name: 'stand-in', api, flavor: 'docker' } as unknown as Engine;
  return { engine, calls, labels };
}

describe('a cold wake of a route, counted', () => {
  it('inspects once, starts once, reads readiness, and takes the upstream address from that reading: 3 engine calls', async () => {
    const { engine, calls, labels } = standIn();
    const provider = new ContainerProvider(engine);
    const life = new RouteLife(
      parseRoute('web', labels),
      { timeoutMs: 60_000, wakeTimeoutMs: 10_000, stopMethod: 'stop' },
      {
        upstreams: containerUpstreams(provider),
        wakes: createWakePath({ resolver: new UnitResolver(provider) }),
        provider,
        metrics: new ProxyMetrics(),
        budget: { max: 10, count: 0 },
        signal: new AbortController().signal,
        record: () => {},
        errorHoldMs: 5000,
      },
    );
    await Promise.all(Array.from({ length: 10 }, () => life.wake()));
    expect(life.state).toBe('ready');
    expect(calls).toEqual(['GET /containers/web/json', 'POST /containers/web/start', 'GET /containers/web/json']);
    // The address is known: the first request goes straight to it, with no engine call.
    expect(life.cachedUpstream()).toEqual({ host: '127.0.0.1', port });
    expect(calls).toHaveLength(3);
  });
});
