// Abort listeners on serve's signal: many requests held for one wake,
// retrying a refused upstream, and many open WebSocket connections must
// neither trigger MaxListenersExceededWarning nor leave a listener behind.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startFront, type Front } from './proxy-front.js';

const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);
let cleanup: Array<() => Promise<void>> = [];
beforeEach(() => {
  warnings.length = 0;
  process.on('warning', onWarning);
});
afterEach(async () => {
  process.off('warning', onWarning);
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const freePort = () =>
  new Promise<number>((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => r(p));
    });
  });

function get(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ port, host: '127.0.0.1', path: '/', headers: { host: 'app.test' }, agent: false }, (res) => (res.resume(), res.on('end', () => resolve(res.statusCode!)))).on('error', reject);
  });
}

const abortListeners = (f: Front) => getEventListeners(f.ctx.signal, 'abort').length;
const maxListenerWarnings = () => warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message);

describe("abort listeners on serve's signal", () => {
  it('20 requests held for one wake, retrying a refused upstream: no warning, none left', async () => {
    const port = await freePort();
    const front = await startFront({ upstreamPort: port, wakeMs: 100, graceMs: 5000 });
    cleanup.push(front.close);
    // The upstream pool reports each refused connect: 40 of them, two rounds of the 20 requests' retries.
    let refused = 0;
    front.ctx.upstreams.get({ host: '127.0.0.1', port }).on('connectionError', () => refused++);
    const answers = Promise.all(Array.from({ length: 20 }, () => get(front.port)));
    await vi.waitFor(() => expect(refused).toBeGreaterThanOrEqual(40), { timeout: 5000, interval: 5 });
    expect(front.awake()).toBe(true);
    const up = http.createServer((_req, res) => res.end('ok')).listen(port, '127.0.0.1');
    cleanup.push(() => new Promise((r) => (up.closeAllConnections(), up.close(() => r()))));
    expect(await answers).toEqual(Array(20).fill(200));
    await vi.waitFor(() => expect(abortListeners(front)).toBe(0), { timeout: 5000, interval: 20 });
    expect(maxListenerWarnings()).toEqual([]);
  });

  it('12 open WebSocket connections hold no listener on it', async () => {
    const upSockets = new Set<net.Socket>();
    const up = net.createServer((s) => {
      upSockets.add(s);
      s.on('error', () => {});
      s.once('data', () => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    });
    const port = await new Promise<number>((r) => up.listen(0, '127.0.0.1', () => r((up.address() as AddressInfo).port)));
    const front = await startFront({ upstreamPort: port, awake: true });
    cleanup.push(front.close, () => new Promise((r) => (upSockets.forEach((s) => s.destroy()), up.close(() => r()))));
    const clients: net.Socket[] = [];
    cleanup.push(async () => clients.forEach((s) => s.destroy()));
    await Promise.all(
      Array.from(
        { length: 12 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect({ port: front.port, host: '127.0.0.1' }, () => s.write('GET /ws HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
            clients.push(s);
            s.once('data', () => resolve(s));
          }),
      ),
    );
    expect(front.ctx.activity.get('web').inflight).toBe(12);
    expect(abortListeners(front)).toBe(0);
    expect(maxListenerWarnings()).toEqual([]);
    for (const s of clients) s.destroy();
    // The closes reach serve as the loop gets to them (a loaded machine: later than any fixed sleep).
    await vi.waitFor(() => expect(front.ctx.activity.get('web').inflight).toBe(0), { timeout: 5000, interval: 20 });
  });
});
