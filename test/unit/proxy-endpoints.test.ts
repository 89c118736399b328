// A route with several endpoints (a swarm service's tasks), one of which cannot be reached: the ring's
// turn and bench (endpoint-ring.ts), where a failed attempt goes next (connect-retry.ts), and forward()
// and connectAny() against real sockets on 127.0.0.1, one port refusing (nothing listens there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { EndpointRing, BENCH_MS } from '../../src/core/proxy/endpoint-ring.js';
import { connectAny, nextStep } from '../../src/core/proxy/connect-retry.js';
import { forward } from '../../src/core/proxy/forward.js';
import { forwardedHeaders } from '../../src/core/proxy/headers.js';
import { UpstreamPools } from '../../src/core/proxy/upstream-pool.js';
import { connectTcp } from '../../src/core/proxy/websocket.js';
import type { Address } from '../../src/core/proxy/upstream.js';

const A = { host: '10.0.0.1', port: 80 };
const B = { host: '10.0.0.2', port: 80 };
const C = { host: '10.0.0.3', port: 80 };
const hosts = (xs: Array<Address | undefined>) => xs.map((x) => x?.host.slice(-1) ?? '-').join('');

describe('EndpointRing', () => {
  it('takes endpoints in turn; a benched one is skipped until its bench ends, then back in turn', () => {
    const r = new EndpointRing(1000);
    r.set([A, B, C]);
    expect(hosts([r.take(0), r.take(0), r.take(0), r.take(0)])).toBe('1231');
    r.bench(C, 0);
    expect(hosts([r.take(10), r.take(10), r.take(10), r.take(10)])).toBe('2121');
    expect(r.isBenched(C, 999)).toBe(true);
    expect(hosts([r.take(1000), r.take(1000), r.take(1000)])).toBe('231');
  });

  it('with every endpoint benched, the turn goes on over all of them (never none)', () => {
    const r = new EndpointRing(1000);
    r.set([A, B]);
    r.bench(A, 0);
    r.bench(B, 0);
    expect(hosts([r.take(5), r.take(5), r.take(5)])).toBe('121');
  });

  it('a benched endpoint stays benched across a new reading that still lists it, and is forgotten once a reading leaves it out', () => {
    const r = new EndpointRing(1000);
    r.set([A, B, C]);
    r.bench(B, 0);
    r.set([{ ...A }, { ...B }, { ...C }]);
    expect(r.isBenched({ ...B }, 500)).toBe(true);
    r.set([A, C]);
    r.set([A, B, C]);
    expect(r.isBenched(B, 500)).toBe(false);
  });

  it('other: an untried endpoint from the turn on, unbenched first, a benched one when none else is left, none when all were tried', () => {
    const r = new EndpointRing(1000);
    r.set([A, B, C]);
    expect(r.take(0)).toBe(A);
    r.bench(A, 0);
    expect(r.other([A], 0)).toBe(B);
    r.bench(B, 0);
    expect(r.other([A, B], 0)).toBe(C);
    expect(r.other([C], 0)).toBe(B); // both others benched: the first untried in turn order (B, C, A from the turn)
    expect(r.other([A, B, C], 0)).toBeUndefined();
    expect(r.other([{ host: '10.0.0.2', port: 80 }, C], 0)).toBe(A); // tried compares by address, not object
  });

  it('benches for BENCH_MS (10 s) by default', () => {
    const r = new EndpointRing();
    r.set([A, B]);
    r.bench(A, 0);
    expect(BENCH_MS).toBe(10_000);
    expect([r.isBenched(A, 9_999), r.isBenched(A, 10_000)]).toEqual([true, false]);
  });
});

describe('nextStep', () => {
  const f = { sent: true, resendable: true, stale: false, staleRetried: false, idempotent: true };
  it('nothing sent: another endpoint, whatever the method and body', () => {
    expect(nextStep({ ...f, sent: false, resendable: false, idempotent: false })).toBe('other');
  });
  it('sent: a stale keep-alive socket is retried on the same upstream once; then an idempotent request goes elsewhere', () => {
    expect(nextStep({ ...f, stale: true })).toBe('again');
    expect(nextStep({ ...f, stale: true, staleRetried: true })).toBe('other');
    expect(nextStep({ ...f, stale: true, staleRetried: true, idempotent: false })).toBe('fail');
  });
  it('sent: a request that may have reached the app is repeated only when idempotent with a body that can be resent', () => {
    expect(nextStep(f)).toBe('other');
    expect(nextStep({ ...f, idempotent: false })).toBe('fail');
    expect(nextStep({ ...f, resendable: false })).toBe('fail');
  });
});

describe('across endpoints, on real sockets', () => {
  const seen: Array<{ method: string; body: string }> = [];
  /** Answers with its body echoed; `/reset` resets the connection once the request is read (a task dying mid-request). */
  const live = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, body });
      if (req.url === '/reset' && req.socket.localPort === resetPort) return void req.socket.resetAndDestroy();
      res.end(`live ${req.method} ${body}`);
    });
  });
  const resetting = http.createServer((req) => req.on('data', () => {}).on('end', () => req.socket.resetAndDestroy()));
  let livePort = 0;
  let resetPort = 0;
  let refusedPort = 0;
  let refusedPort2 = 0;
  const pools = new UpstreamPools();
  const listen = (s: net.Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

  /** A front whose route has `list` as endpoints (first tried first); records the pools it was offered. */
  function front(list: Address[], offered: string[]) {
    return http.createServer((req, res) => {
      const tried = [list[0]!];
      const instead = (unreachable: boolean) => {
        const next = list.find((a) => !tried.includes(a));
        offered.push(`${unreachable ? 'unreachable' : 'answerless'} -> ${next?.port === livePort ? 'live' : String(next?.port)}`);
        if (next) tried.push(next);
        return next && pools.get(next);
      };
      const headers = forwardedHeaders(req.rawHeaders, { remote: req.socket.remoteAddress, host: req.headers.host, proto: 'http' });
      forward(req, res, { pool: pools.get(list[0]!), headers, grace: { until: 0 }, instead }).catch((err: Error) => res.writeHead(502).end(`502 ${err.message}`));
    });
  }

  async function via(list: Address[], method: string, path: string, body?: string, chunked = false): Promise<{ status: number; text: string; offered: string[] }> {
    const offered: string[] = [];
    const f = front(list, offered);
    const port = await listen(f);
    try {
      return await new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers: chunked ? { 'transfer-encoding': 'chunked' } : {} }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString())).on('end', () => resolve({ status: res.statusCode!, text, offered }));
        });
        req.on('error', reject);
        if (body !== undefined && chunked) {
          req.write(body.slice(0, 3));
          setTimeout(() => req.end(body.slice(3)), 50);
        } else req.end(body);
      });
    } finally {
      f.closeAllConnections();
      await new Promise((r) => f.close(r));
    }
  }

  beforeAll(async () => {
    livePort = await listen(live);
    resetPort = await listen(resetting);
    // ports that were just free: nothing listens there once closed
    const probes = [net.createServer(), net.createServer()];
    [refusedPort, refusedPort2] = await Promise.all(probes.map(listen));
    await Promise.all(probes.map((p) => new Promise((r) => p.close(r))));
  });
  afterAll(async () => {
    await pools.destroy();
    live.closeAllConnections();
    resetting.closeAllConnections();
    await Promise.all([new Promise((r) => live.close(r)), new Promise((r) => resetting.close(r))]);
  });

  const at = (port: number) => ({ host: '127.0.0.1', port });

  it('a refused connect goes on to the next endpoint: a GET, and a POST whose body streams (chunked), each answered once by the live one', async () => {
    seen.length = 0;
    expect(await via([at(refusedPort), at(livePort)], 'GET', '/')).toEqual({ status: 200, text: 'live GET ', offered: ['unreachable -> live'] });
    expect(await via([at(refusedPort), at(livePort)], 'POST', '/', 'hello body', true)).toEqual({ status: 200, text: 'live POST hello body', offered: ['unreachable -> live'] });
    expect(seen).toEqual([
      { method: 'GET', body: '' },
      { method: 'POST', body: 'hello body' },
    ]);
  });

  it('every endpoint refused: the last error, after each was tried once', async () => {
    const r = await via([at(refusedPort), at(refusedPort2)], 'GET', '/');
    expect(r.status).toBe(502);
    expect(r.text).toContain('ECONNREFUSED');
    expect(r.offered).toEqual([`unreachable -> ${refusedPort2}`, 'unreachable -> undefined']);
  });

  it('sent but reset before an answer: a GET is repeated on another endpoint, a POST is not', async () => {
    seen.length = 0;
    expect(await via([at(resetPort), at(livePort)], 'GET', '/x')).toEqual({ status: 200, text: 'live GET ', offered: ['answerless -> live'] });
    const post = await via([at(resetPort), at(livePort)], 'POST', '/x', 'once');
    expect([post.status, post.offered]).toEqual([502, []]);
    expect(seen).toEqual([{ method: 'GET', body: '' }]);
  });

  it('connectAny (TCP and WebSocket routes): a refused endpoint is benched through `instead` and the next one connects', async () => {
    const calls: string[] = [];
    const sock = await connectAny(
      at(refusedPort),
      (a) => connectTcp(a),
      (failed, tried, unreachable) => (calls.push(`${failed.port === refusedPort ? 'refused' : failed.port} ${tried.length} ${unreachable}`), tried.length < 2 ? at(livePort) : undefined),
      { until: 0 },
    );
    expect(sock.remotePort).toBe(livePort);
    sock.destroy();
    expect(calls).toEqual(['refused 1 true']);
    await expect(
      connectAny(
        at(refusedPort),
        (a) => connectTcp(a),
        () => undefined,
        { until: 0 },
      ),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
