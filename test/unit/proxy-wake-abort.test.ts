// A client that leaves while its request is held for a wake (issue 15, items
// 1 and 13): serve must not crash on an answer without Content-Length, must
// count the request as 499, must not send it upstream, and its activity must
// end, so the route can sleep. One held request counts once in `inflight`.
// Waits are by state (the wake's, the upstream's), not by the clock: a loaded
// machine runs timers late.
import { afterEach, describe, expect, it, vi } from 'vitest';
import net from 'node:net';
import { leaveAfter, rawUpstream, requestsTotal, sleep, startFront, type Front } from './proxy-front.js';

const GET = 'GET /cgi-bin/env HTTP/1.1\r\nHost: app.test\r\n\r\n';
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(answer: Parameters<typeof rawUpstream>[0], wakeMs = 300): Promise<{ front: Front; up: Awaited<ReturnType<typeof rawUpstream>> }> {
  const up = await rawUpstream(answer);
  const front = await startFront({ upstreamPort: up.port, wakeMs });
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
      const { front, up } = await setup(answer, 2000);
      const crashes: unknown[] = [];
      const onCrash = (err: unknown) => crashes.push(err);
      process.on('uncaughtException', onCrash);
      try {
        await leaveWhenHeld(front, GET);
        await vi.waitFor(() => expect(front.ctx.activity.get('web').inflight).toBe(0), { timeout: 1500, interval: 10 });
        expect(front.awake()).toBe(false); // it ended at once, while the wake (2 s) goes on
        expect(requestsTotal(front.ctx)).toEqual({ '499': 1 });
        await vi.waitFor(() => expect(front.awake()).toBe(true), { timeout: 10_000, interval: 20 });
        await sleep(200); // had the held request gone on after the wake, it would reach the upstream now
        expect(crashes).toEqual([]);
        expect(front.ctx.activity.get('web').inflight).toBe(0);
        expect(requestsTotal(front.ctx)).toEqual({ '499': 1 });
        expect(up.seen).toHaveLength(0);
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
    await sleep(400); // the lookup (300 ms) is over: had the request gone on, it would reach the upstream now
    expect(front.ctx.activity.get('web').inflight).toBe(0);
    expect(up.seen).toHaveLength(0);
  });

  it('one held request reads inflight 1', async () => {
    const { front, up } = await setup((_h, s) => setTimeout(() => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), 1500), 500);
    const done = leaveAfter(front.port, GET, 2500);
    await vi.waitFor(() => expect(front.ctx.activity.get('web').inflight).toBe(1), { timeout: 5000, interval: 5 });
    expect(front.awake()).toBe(false); // held for the wake
    await vi.waitFor(() => expect(up.seen).toHaveLength(1), { timeout: 5000, interval: 5 });
    expect(front.ctx.activity.get('web').inflight).toBe(1); // proxied, waiting for the answer (1.5 s)
    await done;
    await vi.waitFor(() => expect(front.ctx.activity.get('web').inflight).toBe(0), { timeout: 5000, interval: 10 });
  });
});

describe('a WebSocket or TCP client that leaves during a wake', () => {
  it('frees its activity and leaves no upstream connection open', async () => {
    const { front, up } = await setup((_h, s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'), 300);
    await leaveAfter(front.port, 'GET /ws HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', 100);
    await vi.waitFor(() => expect(front.awake()).toBe(true), { timeout: 10_000, interval: 20 });
    await sleep(300); // had the client's upgrade gone on after the wake, its upstream connection would be open now
    expect(front.ctx.activity.get('web').inflight).toBe(0);
    for (const seen of up.seen) expect(seen.closed).toBe(true); // (a guard: this already held before issue 15)
  });
});
