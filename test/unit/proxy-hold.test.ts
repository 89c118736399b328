import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { BodyTooLarge, bufferBody } from '../../src/core/proxy/hold.js';
import { dropHopByHop, forwardedHeaders, requestHead } from '../../src/core/proxy/headers.js';
import { withConnectGrace } from '../../src/core/proxy/connect.js';

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
    const raw = ['Host', 'a.test', 'Connection', 'keep-alive, X-Secret', 'Keep-Alive', 'timeout=5', 'X-Secret', '1', 'TE', 'trailers', 'Transfer-Encoding', 'chunked', 'Upgrade', 'h2c', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'];
    expect(dropHopByHop(raw)).toEqual(['Host', 'a.test', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });

  it('keeps Upgrade for a WebSocket and sets Connection: Upgrade', () => {
    expect(dropHopByHop(['Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], true)).toEqual(['Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k', 'Connection', 'Upgrade']);
  });

  it('appends to X-Forwarded-For and sets Proto and Host, replacing a client\'s own', () => {
    const raw = ['Host', 'a.test', 'X-Forwarded-For', '203.0.113.1', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'evil.test'];
    expect(forwardedHeaders(raw, { remote: '::ffff:10.0.0.2', host: 'a.test', proto: 'http' })).toEqual([
      'Host', 'a.test',
      'X-Forwarded-For', '203.0.113.1, 10.0.0.2',
      'X-Forwarded-Proto', 'http',
      'X-Forwarded-Host', 'a.test',
    ]);
  });

  it('drops hop-by-hop headers, those named in Connection and Expect from what goes upstream; keeps Upgrade when asked', () => {
    const raw = ['Host', 'a.test', 'Connection', 'X-Hop, Upgrade', 'X-Hop', '1', 'Expect', '100-continue', 'Upgrade', 'websocket', 'Accept', '*/*'];
    const client = { remote: '10.0.0.2', host: 'a.test', proto: 'http' as const };
    expect(forwardedHeaders(raw, client)).toEqual(['Host', 'a.test', 'Accept', '*/*', 'X-Forwarded-For', '10.0.0.2', 'X-Forwarded-Proto', 'http', 'X-Forwarded-Host', 'a.test']);
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
