// forward() against a real upstream on 127.0.0.1: headers both ways, bodies
// streamed both ways, backpressure, a client that leaves, an upstream that is
// not there. The front server here is a bare one calling forward(), as
// http-proxy.ts does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward } from '../../src/core/proxy/forward.js';
import { forwardedHeaders, routingHost } from '../../src/core/proxy/headers.js';
import { UpstreamPools } from '../../src/core/proxy/upstream-pool.js';

type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; bytes: number; closedEarly: boolean };
let seen: Seen[] = [];
let results: Array<number | string> = [];

const upstream = http.createServer((req, res) => {
  const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, bytes: 0, closedEarly: false };
  seen.push(s);
  req.on('data', (c: Buffer) => (s.bytes += c.length));
  res.on('close', () => (s.closedEarly = !res.writableFinished));
  if (req.url === '/endless') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const t = setInterval(() => res.write('tick\n'), 5);
    return void res.on('close', () => clearInterval(t));
  }
  if (req.url === '/late') return void setTimeout(() => res.end('late'), 200);
  if (req.url === '/big') {
    res.writeHead(200, { 'content-length': String(8 << 20) });
    return void res.end(Buffer.alloc(8 << 20, 'x'));
  }
  req.on('end', () => {
    res.writeHead(201, 'Made', { 'x-up': '1', connection: 'x-private', 'x-private': 'secret', 'keep-alive': 'timeout=5' });
    res.end(`got ${s.bytes}`);
  });
});

const pools = new UpstreamPools();
let upPort = 0;
const front = http.createServer((req: IncomingMessage, res: ServerResponse) => {
  const port = req.url === '/refused' ? 1 : upPort;
  const headers = forwardedHeaders(req.rawHeaders, { remote: req.socket.remoteAddress, host: req.headers.host, proto: 'http' });
  forward(req, res, { pool: pools.get({ host: '127.0.0.1', port }), headers, grace: { until: 0 } }).then(
    (status) => results.push(status),
    (err: Error) => (results.push(`error: ${err.message}`), res.writeHead(502).end()),
  );
});

const listen = (s: http.Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
let frontPort = 0;
beforeAll(async () => {
  upPort = await listen(upstream);
  frontPort = await listen(front);
});
afterAll(async () => {
  await pools.destroy();
  front.closeAllConnections();
  upstream.closeAllConnections();
  await Promise.all([new Promise((r) => front.close(r)), new Promise((r) => upstream.close(r))]);
});

function request(path: string, opts: http.RequestOptions = {}, body?: (req: http.ClientRequest) => void) {
  return new Promise<{ status: number; message: string; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = http.request({ port: frontPort, host: '127.0.0.1', path, agent: false, ...opts }, (res) => {
      let text = '';
      res.setEncoding('latin1').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, message: res.statusMessage!, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (body) body(req);
    else req.end();
  });
}

const settle = async () => {
  for (let i = 0; i < 100 && results.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
};

describe('forward (undici upstream hop)', () => {
  it('sets X-Forwarded-*, drops hop-by-hop headers both ways, keeps status text and end-to-end headers', async () => {
    seen = [];
    results = [];
    const res = await request('/a?b=1', { headers: { host: 'app.test', connection: 'keep-alive, x-hop', 'x-hop': '1', te: 'trailers', 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'https' } });
    expect(res).toMatchObject({ status: 201, message: 'Made', text: 'got 0' });
    expect(res.headers['x-up']).toBe('1');
    expect(res.headers['x-private']).toBeUndefined();
    const h = seen[0]!.headers;
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/a?b=1' });
    // The client is no trusted proxy: its own X-Forwarded-* are replaced.
    expect(h).toMatchObject({
      host: 'app.test',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'app.test',
      'x-real-ip': '127.0.0.1',
      forwarded: 'for=127.0.0.1;host=app.test;proto=http',
    });
    expect(h['x-hop']).toBeUndefined();
    expect(h.te).toBeUndefined();
    await settle();
    expect(results).toEqual([201]);
  });

  it('streams a large chunked request body (Expect: 100-continue answered by the front) and a large response', async () => {
    seen = [];
    results = [];
    const up = await request('/upload', { method: 'POST', headers: { expect: '100-continue', 'transfer-encoding': 'chunked' } }, (req) => {
      req.on('continue', () => {
        for (let i = 0; i < 64; i++) req.write(Buffer.alloc(64 * 1024, 'y'));
        req.end();
      });
    });
    expect(up).toMatchObject({ status: 201, text: `got ${64 * 64 * 1024}` });
    expect(seen[0]!.headers.expect).toBeUndefined();
    const big = await request('/big');
    expect(big.text.length).toBe(8 << 20);
  });

  it('tears the upstream request down when the client leaves mid-stream, and reports 200', async () => {
    seen = [];
    results = [];
    await new Promise<void>((resolve) => {
      const req = http.get({ port: frontPort, host: '127.0.0.1', path: '/endless', agent: false }, (res) => {
        // Leaves mid-stream: after the second piece of the endless answer.
        res.once('data', () => res.once('data', () => (req.destroy(), resolve())));
      });
      req.on('error', () => {});
    });
    for (let i = 0; i < 100 && !seen[0]?.closedEarly; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen[0]!.closedEarly).toBe(true);
    await settle();
    expect(results).toEqual([200]);
  });

  it('settles (499) when the client leaves before any answer, so its activity ends', async () => {
    seen = [];
    results = [];
    const req = http.get({ port: frontPort, host: '127.0.0.1', path: '/late', agent: false });
    req.on('error', () => {});
    // Leaves once the upstream has the request, which it answers only 200 ms later.
    for (let i = 0; i < 500 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
    req.destroy();
    await settle();
    expect(results).toEqual([499]);
    for (let i = 0; i < 100 && !seen[0]?.closedEarly; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen[0]!.closedEarly).toBe(true);
  });

  it('rejects when the upstream cannot be reached, so the caller answers 502', async () => {
    results = [];
    const res = await request('/refused');
    expect(res.status).toBe(502);
    expect(String(results[0])).toMatch(/^error: .*ECONNREFUSED/);
  });
});

describe('upstream pools', () => {
  it('one pool per address; past the bound the oldest is closed and a later request gets a new one', async () => {
    const p = new UpstreamPools({ maxPools: 2 });
    const a = { host: '127.0.0.1', port: 1001 };
    const first = p.get(a);
    expect(p.get(a)).toBe(first);
    expect(p.get({ host: '127.0.0.1', port: 1001 })).toBe(first);
    p.get({ host: '127.0.0.1', port: 1002 });
    p.get({ host: '::1', port: 1003 });
    expect(first.closed).toBe(true);
    expect(p.get(a)).not.toBe(first);
    await p.destroy();
  });
});

describe('routingHost (RFC 9112 3.2)', () => {
  const req = (url: string, raw: string[]) => {
    const host = raw.find((_, i) => i % 2 === 0 && raw[i]!.toLowerCase() === 'host') ? raw[raw.findIndex((v, i) => i % 2 === 0 && v.toLowerCase() === 'host') + 1] : undefined;
    return { url, rawHeaders: raw, headers: host === undefined ? {} : { host } };
  };
  it('routes by the one Host header, and leaves an origin-form target alone', () => {
    const r = req('/a?b=1', ['Host', 'App.Test:8080', 'Accept', '*/*']);
    expect(routingHost(r)).toEqual({ host: 'App.Test:8080' });
    expect(r.url).toBe('/a?b=1');
  });
  it('refuses more than one Host header', () => {
    expect(routingHost(req('/', ['Host', 'app.test', 'host', 'evil.test']))).toEqual({ error: 'more than one Host header' });
  });
  it('takes an absolute-form target to origin form, routed by its authority, which a Host header must agree with', () => {
    const r = req('http://app.test:8080/x/y?z=1', ['Host', 'APP.test']);
    expect(routingHost(r)).toEqual({ host: 'app.test:8080' });
    expect(r.url).toBe('/x/y?z=1');
    const bare = req('http://app.test/', []);
    expect(routingHost(bare)).toEqual({ host: 'app.test' });
    expect(routingHost(req('http://evil.test/x', ['Host', 'app.test']))).toEqual({ error: 'the Host header does not match the request target' });
  });
});
