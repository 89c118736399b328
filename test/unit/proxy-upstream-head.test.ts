// Bare-LF answer heads from upstreams are repaired; clients stay strict.
import { afterEach, describe, expect, it } from 'vitest';
import { HeadRepair, MAX_HEAD } from '../../src/core/proxy/upstream-head.js';
import { rawExchange, rawUpstream, startFront } from './proxy-front.js';

/** Feeds `parts` through one HeadRepair, as chunks; returns what comes out, joined. */
const run = (...parts: string[]) => {
  const r = new HeadRepair();
  return parts.map((p) => r.transform(Buffer.from(p, 'latin1')).toString('latin1')).join('');
};

describe('HeadRepair', () => {
  it('passes a CRLF head and its body through as the same buffer', () => {
    const r = new HeadRepair();
    const b = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\n\nx', 'latin1');
    expect(r.transform(b)).toBe(b);
    expect(r.done).toBe(true);
    const later = Buffer.from('HTTP/1.1 200 OK\nX: y\n\n');
    expect(r.transform(later)).toBe(later); // only the first answer is ever touched
  });

  it("repairs busybox httpd's CGI head (status line CRLF, the script's lines LF) and closes after it", () => {
    expect(run('HTTP/1.1 200 OK\r\nContent-Type: text/plain\n\nline1\nline2\n')).toBe('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nline1\nline2\n');
  });

  it('repairs an all-LF head, the body left as it is', () => {
    expect(run('HTTP/1.0 404 Not Found\nContent-Length: 4\n\na\nb\n')).toBe('HTTP/1.0 404 Not Found\r\nContent-Length: 4\r\nConnection: close\r\n\r\na\nb\n');
  });

  it('gives the same bytes however the answer is split, a CR at a chunk end included', () => {
    const whole = 'HTTP/1.1 200 OK\r\nA: 1\nB: 2\r\n\r\nbody\r\n';
    const once = run(whole);
    expect(once).toBe('HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nConnection: close\r\n\r\nbody\r\n');
    for (let cut = 1; cut < whole.length; cut++) expect(run(whole.slice(0, cut), whole.slice(cut))).toBe(once);
    const strict = 'HTTP/1.1 204 No Content\r\nA: 1\r\n\r\n';
    for (let cut = 1; cut < strict.length; cut++) expect(run(strict.slice(0, cut), strict.slice(cut))).toBe(strict);
  });

  it('repairs the final head after a 100 Continue, and stops at 101', () => {
    expect(run('HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nA: 1\n\nx')).toBe('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA: 1\r\nConnection: close\r\n\r\nx');
    expect(run('HTTP/1.1 101 Switching Protocols\r\n\r\n\nraw\n')).toBe('HTTP/1.1 101 Switching Protocols\r\n\r\n\nraw\n');
  });

  it(`leaves a head longer than ${MAX_HEAD} bytes to the parser`, () => {
    const r = new HeadRepair();
    const long = Buffer.from(`HTTP/1.1 200 OK\nX: ${'a'.repeat(MAX_HEAD)}\n\n`, 'latin1');
    const out = r.transform(long).toString('latin1');
    expect(r.done).toBe(true);
    expect(out.startsWith('HTTP/1.1 200 OK\r\nX: a')).toBe(true);
    expect(out.endsWith('a\n\n')).toBe(true);
  });
});

describe('through the proxy', () => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });

  it('a CGI answer with bare-LF headers reaches the client (200, its headers, its body)', async () => {
    const up = await rawUpstream((_h, s) => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\nX-Cgi: yes\n\nenv output\n'));
    const f = await startFront({ upstreamPort: up.port, awake: true });
    cleanup.push(up.close, f.close);
    const raw = await rawExchange(f.port, 'GET /cgi-bin/env HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw).toMatch(/\r\nContent-Type: text\/plain\r\n/);
    expect(raw).toMatch(/\r\nX-Cgi: yes\r\n/);
    expect(raw).toMatch(/env output\n/);
  });

  it('a keep-alive upstream with bare-LF heads answers request after request', async () => {
    const up = await rawUpstream((_h, s) => s.write('HTTP/1.1 200 OK\nContent-Length: 3\n\nok\n'));
    const f = await startFront({ upstreamPort: up.port, awake: true });
    cleanup.push(up.close, f.close);
    for (let i = 0; i < 3; i++) expect(await rawExchange(f.port, 'GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok\n$/);
    expect(up.seen).toHaveLength(3); // each on a connection of its own: a repaired one is closed after its answer
  });

  it('a client request with bare-LF lines is still refused (400)', async () => {
    const up = await rawUpstream((_h, s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const f = await startFront({ upstreamPort: up.port, awake: true });
    cleanup.push(up.close, f.close);
    expect(await rawExchange(f.port, 'GET / HTTP/1.1\nHost: app.test\n\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(up.seen).toHaveLength(0);
  });
});
