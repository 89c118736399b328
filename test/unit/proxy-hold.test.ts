import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { BodyTooLarge, bufferBody } from '../../src/core/proxy/hold.js';
import { dropHopByHop, forwardedElement, forwardedHeaders, realClient, requestHead } from '../../src/core/proxy/headers.js';
import { withConnectGrace } from '../../src/core/proxy/connect-retry.js';

const body = (chunks: string[], headers: Record<string, string> = {}) => {
  const s = new PassThrough() as unknown as IncomingMessage & PassThrough;
  (s as { headers: object }).headers = headers;
  setImmediate(() => {
    for (const c of chunks) s.write(c);
    s.end();
  });
  return s;
};

describe('held request bodies', () => {
  it('buffers a body up to the limit', async () => {
    expect((await bufferBody(body(['ab', 'cd']), 4)).toString()).toBe('abcd');
  });

  it('refuses a body past the limit while reading it', async () => {
    await expect(bufferBody(body(['abc', 'de']), 4)).rejects.toBeInstanceOf(BodyTooLarge);
  });

  it('refuses at once a declared Content-Length past the limit', async () => {
    const err = await bufferBody(body([], { 'content-length': '5' }), 4).catch((e) => e);
    expect(err).toBeInstanceOf(BodyTooLarge);
    expect(err.message).toBe('request body larger than 4 bytes while the container wakes');
  });
});

describe('proxy headers', () => {
  it('drops hop-by-hop headers and those named in Connection, keeping order and repeats', () => {
    const raw = [
      'Host',
      'a.test',
      'Connection',
      'keep-alive, X-Secret',
      'Keep-Alive',
      'timeout=5',
      'X-Secret',
      '1',
      'TE',
      'trailers',
      'Transfer-Encoding',
      'chunked',
      'Upgrade',
      'h2c',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
    ];
    expect(dropHopByHop(raw)).toEqual(['Host', 'a.test', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });

  it('keeps Upgrade for a WebSocket and sets Connection: Upgrade', () => {
    expect(dropHopByHop(['Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], true)).toEqual(['Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k', 'Connection', 'Upgrade']);
  });

  const SPOOFED = [
    'Host',
    'a.test',
    'X-Forwarded-For',
    '203.0.113.1',
    'X-Forwarded-Proto',
    'https',
    'X-Forwarded-Host',
    'evil.test',
    'X-Real-IP',
    '6.6.6.6',
    'Forwarded',
    'for=6.6.6.6',
    'X-Forwarded-Port',
    '443',
    'Accept',
    '*/*',
  ];

  it("replaces an untrusted client's X-Forwarded-*, X-Real-IP and Forwarded with its own", () => {
    expect(forwardedHeaders(SPOOFED, { remote: '::ffff:10.0.0.2', host: 'a.test', proto: 'http' })).toEqual([
      'Host',
      'a.test',
      'Accept',
      '*/*',
      'X-Forwarded-For',
      '10.0.0.2',
      'X-Forwarded-Proto',
      'http',
      'X-Forwarded-Host',
      'a.test',
      'X-Real-IP',
      '10.0.0.2',
      'Forwarded',
      'for=10.0.0.2;host=a.test;proto=http',
    ]);
    // A trust list the client is not on changes nothing.
    expect(forwardedHeaders(SPOOFED, { remote: '10.0.0.2', host: 'a.test', proto: 'http', trusted: (a) => a === '10.0.0.9' })).toContain('10.0.0.2');
    expect(forwardedHeaders(SPOOFED, { remote: '10.0.0.2', host: 'a.test', proto: 'http', trusted: (a) => a === '10.0.0.9' })).not.toContain('6.6.6.6');
  });

  it("believes a trusted proxy's: X-Forwarded-For and Forwarded appended to, the others kept", () => {
    const trusted = (a: string) => a.startsWith('10.');
    expect(forwardedHeaders(SPOOFED, { remote: '::ffff:10.0.0.2', host: 'a.test', proto: 'http', trusted })).toEqual([
      'Host',
      'a.test',
      'X-Forwarded-Port',
      '443',
      'Accept',
      '*/*',
      'X-Forwarded-For',
      '203.0.113.1, 10.0.0.2',
      'X-Forwarded-Proto',
      'https',
      'X-Forwarded-Host',
      'evil.test',
      'X-Real-IP',
      '6.6.6.6',
      'Forwarded',
      'for=6.6.6.6, for=10.0.0.2;host=a.test;proto=http',
    ]);
    // No X-Real-IP from the proxy: the client is the nearest address in the chain that is not trusted.
    const raw = ['Host', 'a.test', 'X-Forwarded-For', '198.51.100.7, 203.0.113.1, 10.0.0.5'];
    const out = forwardedHeaders(raw, { remote: '10.0.0.2', host: 'a.test', proto: 'http', trusted });
    expect(out[out.indexOf('X-Real-IP') + 1]).toBe('203.0.113.1');
    expect(out[out.indexOf('X-Forwarded-For') + 1]).toBe('198.51.100.7, 203.0.113.1, 10.0.0.5, 10.0.0.2');
  });

  it('writes Forwarded as RFC 7239 does: IPv6 bracketed and quoted, a host with a port quoted', () => {
    expect(forwardedElement('2001:db8::1', 'a.test:8080', 'http')).toBe('for="[2001:db8::1]";host="a.test:8080";proto=http');
    expect(forwardedElement('192.0.2.1', undefined, 'https')).toBe('for=192.0.2.1;proto=https');
    expect(forwardedElement(undefined, 'a"b', 'http')).toBe('for=unknown;host="a\\"b";proto=http');
  });

  it('builds each request its own Forwarded element (the last one is reused only for the same client, host and proto)', () => {
    const fwd = (remote: string, host: string) => {
      const out = forwardedHeaders(['Host', host], { remote, host, proto: 'http' });
      return out[out.indexOf('Forwarded') + 1];
    };
    expect(fwd('10.0.0.1', 'a.test')).toBe('for=10.0.0.1;host=a.test;proto=http');
    expect(fwd('10.0.0.1', 'a.test')).toBe('for=10.0.0.1;host=a.test;proto=http');
    expect(fwd('10.0.0.2', 'a.test')).toBe('for=10.0.0.2;host=a.test;proto=http');
    expect(fwd('10.0.0.2', 'b.test:81')).toBe('for=10.0.0.2;host="b.test:81";proto=http');
  });

  it('realClient: the rightmost untrusted address, else the leftmost', () => {
    const trusted = (a: string) => a.startsWith('10.');
    expect(realClient('1.1.1.1, 10.0.0.3', '10.0.0.2', trusted)).toBe('1.1.1.1');
    expect(realClient('10.0.0.4, 10.0.0.3', '10.0.0.2', trusted)).toBe('10.0.0.4');
    expect(realClient(undefined, '10.0.0.2', trusted)).toBe('10.0.0.2');
  });

  it('drops hop-by-hop headers, those named in Connection and Expect from what goes upstream; keeps Upgrade when asked', () => {
    const raw = ['Host', 'a.test', 'Connection', 'X-Hop, Upgrade', 'X-Hop', '1', 'Expect', '100-continue', 'Upgrade', 'websocket', 'Accept', '*/*'];
    const client = { remote: '10.0.0.2', host: 'a.test', proto: 'http' as const };
    expect(forwardedHeaders(raw, client)).toEqual([
      'Host',
      'a.test',
      'Accept',
      '*/*',
      'X-Forwarded-For',
      '10.0.0.2',
      'X-Forwarded-Proto',
      'http',
      'X-Forwarded-Host',
      'a.test',
      'X-Real-IP',
      '10.0.0.2',
      'Forwarded',
      'for=10.0.0.2;host=a.test;proto=http',
    ]);
    expect(forwardedHeaders(raw, client, true).slice(0, 8)).toEqual(['Host', 'a.test', 'Upgrade', 'websocket', 'Accept', '*/*', 'Connection', 'Upgrade']);
  });

  it('serialises a request head without CR/LF injection', () => {
    expect(requestHead('GET', '/ws', ['Host', 'a.test', 'X', '1', 'X', '2', 'Evil', 'a\r\nb'])).toBe('GET /ws HTTP/1.1\r\nHost: a.test\r\nX: 1\r\nX: 2\r\nEvil: ab\r\n\r\n');
  });
});

describe('connect grace', () => {
  const refused = () => Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });

  it('retries a refused connection until it succeeds within the grace', async () => {
    let n = 0;
    const v = await withConnectGrace(async () => (++n < 3 ? Promise.reject(refused()) : 'ok'), { until: Date.now() + 5000, stepMs: 1 });
    expect([v, n]).toEqual(['ok', 3]);
  });

  it('fails at once outside the grace, and on errors that are not refusals', async () => {
    let n = 0;
    await expect(withConnectGrace(async () => (n++, Promise.reject(refused())), { until: 0 })).rejects.toThrow('refused');
    await expect(withConnectGrace(async () => (n++, Promise.reject(new Error('boom'))), { until: Date.now() + 5000 })).rejects.toThrow('boom');
    expect(n).toBe(2);
  });
});
