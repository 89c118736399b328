/**
 * A container named in serve's --config file is looked up by name each discovery. Only the engine's
 * "no such container" makes it a problem line ("does not exist"); an engine error or a stop of serve in
 * the middle of the lookup fails the round (serve keeps its routes and says nothing on a stop). The
 * engine here is a small HTTP server: an empty listing, an events stream that stays open, and an
 * inspect that answers as each case says.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/core/engine/engine.js';
import { discoverRoutes } from '../../src/core/proxy/discover.js';
import { parseConfigText } from '../../src/core/idle/config-file.js';

type Inspect = 'missing' | 'error' | 'hang';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function fakeEngine(inspect: Inspect): Promise<{ host: string; inspected: Promise<void> }> {
  let seen!: () => void;
  const inspected = new Promise<void>((r) => (seen = r));
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://engine').pathname.replace(/^\/v[0-9.]+/, '');
    if (path === '/events') {
      open.add(res);
      return void res.writeHead(200, { 'content-type': 'application/json' }).flushHeaders();
    }
    if (path === '/containers/json') return void res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    if (path === '/containers/app/json') {
      seen();
      if (inspect === 'hang') return void open.add(res);
      const [status, message] = inspect === 'missing' ? [404, 'No such container: app'] : [500, 'the engine is busy'];
      return void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message }));
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'page not found' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  close = () =>
    new Promise<void>((r) => {
      for (const res of open) res.destroy();
      server.close(() => r());
    });
  return { host: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, inspected };
}

const file = parseConfigText('containers:\n  app:\n    proxy:\n      host: app.test\n      port: 8080\n', '/etc/berth.yaml');

async function discover(inspect: Inspect, stopWhenInspected = false) {
  const f = await fakeEngine(inspect);
  const engine = createEngine({ name: 'fake', host: f.host });
  engine.apiVersion = '1.45';
  const ac = new AbortController();
  if (stopWhenInspected) void f.inspected.then(() => ac.abort());
  const bound = setTimeout(() => ac.abort(new Error('the test bound (5 s) passed')), 5000);
  try {
    return await discoverRoutes(engine, file, {}, ac.signal);
  } finally {
    clearTimeout(bound);
  }
}

describe('discoverRoutes: a container named in the config file', () => {
  it('that the engine does not know is a problem line, and the others still serve', async () => {
    expect(await discover('missing')).toEqual({ found: [], problems: ['container app (in /etc/berth.yaml) does not exist; its route is left out'] });
  });

  it('whose lookup fails with an engine error fails the round: no "does not exist"', async () => {
    await expect(discover('error')).rejects.toMatchObject({ code: 'ENGINE_ERROR', message: 'engine error (500): the engine is busy' });
  });

  it('whose lookup is cut short by serve stopping fails the round with the stop, not a problem line', async () => {
    await expect(discover('hang', true)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
