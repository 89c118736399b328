// A client that leaves while its request is held for a wake: serve must not
// crash on an answer without Content-Length, must count the request as 499,
// must not send it upstream, and its activity must end, so the route can
// sleep. One held request counts once in `inflight`. Waits are by state (the
// wake's, the upstream's) and by a later request that went the same way, not
// by the clock: a loaded machine runs timers late.
import { afterEach, describe, expect, it, vi } from 'vitest';
import net from 'node:net';
import { rawExchange, rawUpstream, requestsTotal, sleep, startFront, type Front } from './proxy-front.js';

const GET = 'GET /cgi-bin/env HTTP/1.1\r\nHost: app.test\r\n\r\n';
/** A request sent after the one that left, answered through the same path: whatever the first would have done, it would have done by then. */
const LATER = 'GET /later HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n';
const heads = (seen: Array<{ head: string }>) => seen.map((s) => s.head.split('\r\n')[0]);
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(answer: Parameters<typeof rawUpstream>[0], wake: number | Promise<unknown> = 300): Promise<{ front: Front; up: Awaited<ReturnType<typeof rawUpstream>> }> {
  const up = await rawUpstream(answer);
  const front = await startFront({ upstreamPort: up.port, ...(typeof wake === 'number' ? { wakeMs: wake } : { wakeUntil: wake }) });
  cleanup.push(up.close, front.close);
  return { front, up };
}

/** Sends a request and closes the socket once the front counts it in flight (a busy machine may take a while). */
async function leaveWhenHeld(front: Front, text: string): Promise<void> {
  const s = net.connect({ host: '127.0.0.1', port: front.port });
  s.on('error', () => {});
  s.on('connect', () => s.write(text));
  for (let i = 0; i < 200 && front.ctx.activity.get('web').inflight === 0; i++) await sleep(5);
  s.destroy();
}

const closeDelimited = (_head: string, s: import('node:net').Socket) => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nenv output\n');
const sized = (_head: string, s: import('node:net').Socket) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n');
const chunked = (_head: string, s: import('node:net').Socket) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nok\n\r\n0\r\n\r\n');

describe('a client that leaves during a wake', () => {
  for (const [kind, answer] of [
    ['close-delimited', closeDelimited],
    ['Content-Length', sized],
    ['chunked', chunked],
  ] as const) {
    it(`(${kind} answer) is counted 499, never reaches the upstream, and its activity ends`, async () => {
      // The wake goes on until the test ends it.
      let endWake = () => {};
      const { front, up } = await setup(answer, new Promise<void>((r) => (endWake = r)));
      const crashes: unknown[] = [];
      const onCrash = (err: unknown) => crashes.push(err);
      process.on('uncaughtException', onCrash);
      try {
        await leaveWhenHeld(front, GET);
        await vi.waitFor(() => expect(front.ctx.activity.get('web').inflight).toBe(0), { timeout: 1500, interval: 10 });
        expect(front.awake()).toBe(false); // it ended at once, while the wake goes on
        expect(requestsTotal(front.ctx)).toEqual({ '499': 1 });
        endWake();
        await vi.waitFor(() => expect(front.awake()).toBe(true), { timeout: 10_000, interval: 20 });
        expect(await rawExchange(front.port, LATER)).toMatch(/^HTTP\/1\.1 200 /);
        await vi.waitFor(() => expect(front.ctx.activity.get('web').inflight).toBe(0), { timeout: 5000, interval: 10 });
        expect(crashes).toEqual([]);
        expect(requestsTotal(front.ctx)).toEqual({ '200': 1, '499': 1 });
        expect(heads(up.seen)).toEqual(['GET /later HTTP/1.1']);
        expect(front.wakes()).toBe(1); // the wake itself goes on: others may be waiting for it
      } finally {
        process.off('uncaughtException', onCrash);
      }
    });
  }

  it("leaving while an awake route's address is looked up: 499, nothing sent upstream", async () => {
    const up = await rawUpstream(closeDelimited);
    const front = await startFront({ upstreamPort: up.port, awake: true, upstreamMs: 300 });
    cleanup.push(up.close, front.close);
    await leaveWhenHeld(front, GET);
    await vi.waitFor(() => expect(requestsTotal(front.ctx)).toEqual({ '499': 1 }), { timeout: 5000, interval: 20 });
    // A later request's lookup (300 ms too) begins after the first one's: once it is answered, the first is over.
    expect(await rawExchange(front.port, LATER)).toMatch(/^HTTP\/1\.1 200 /);
    await vi.waitFor(() => expect(front.ctx.activity.get('web').inflight).toBe(0), { timeout: 5000, interval: 10 });
    expect(heads(up.seen)).toEqual(['GET /later HTTP/1.1']);
  });

  it('one held request reads inflight 1', async () => {
    // The upstream answers when the test says so.
    let answer = () => {};
    const { front, up } = await setup((_h, s) => (answer = () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')), 500);
    const client = net.connect({ host: '127.0.0.1', port: front.port });
    cleanup.push(async () => void client.destroy());
    let got = '';
    client.on('error', () => {});
    client.on('data', (d) => (got += d.toString('latin1')));
    client.on('connect', () => client.write(GET));
    await vi.waitFor(() => expect(front.ctx.activity.get('web').inflight).toBe(1), { timeout: 5000, interval: 5 });
    expect(front.awake()).toBe(false); // held for the wake
    await vi.waitFor(() => expect(up.seen).toHaveLength(1), { timeout: 5000, interval: 5 });
    expect(front.ctx.activity.get('web').inflight).toBe(1); // proxied, waiting for the answer
    answer();
    await vi.waitFor(() => expect(got).toMatch(/\r\n\r\nok$/), { timeout: 5000, interval: 5 });
    client.destroy();
    await vi.waitFor(() => expect(front.ctx.activity.get('web').inflight).toBe(0), { timeout: 5000, interval: 10 });
  });
});

describe('a WebSocket or TCP client that leaves during a wake', () => {
  it('frees its activity and leaves no upstream connection open', async () => {
    const { front, up } = await setup((_h, s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'), 300);
    await leaveWhenHeld(front, 'GET /ws HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    expect(front.awake()).toBe(false); // it left during the wake
    await vi.waitFor(() => expect(front.awake()).toBe(true), { timeout: 10_000, interval: 20 });
    // A later upgrade, answered 101 through the same path, then closed by its client: every upstream connection
    // made by then (the one that left goes on after the wake) must close, and no activity stay.
    const later = await upgraded(front.port);
    later.destroy();
    expect(heads(up.seen)).toContain('GET /later HTTP/1.1');
    await vi.waitFor(() => expect(up.seen.filter((s) => !s.closed).map((s) => s.head.split('\r\n')[0])).toEqual([]), { timeout: 5000, interval: 10 });
    await vi.waitFor(() => expect(front.ctx.activity.get('web').inflight).toBe(0), { timeout: 5000, interval: 10 });
  });
});

/** A WebSocket upgrade of /later through the front: its client socket once the 101 arrived. */
function upgraded(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write('GET /later HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    s.on('error', reject);
    s.once('data', (d) => (String(d).startsWith('HTTP/1.1 101') ? resolve(s) : reject(new Error(`not upgraded: ${String(d)}`))));
  });
}
