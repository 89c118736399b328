/**
 * serve's edges against the real engine: clients that leave while their
 * request waits for a wake, busybox httpd's CGI answers with bare-LF header
 * lines, refused requests that must not wake, and the warning for a listener
 * open to the network. The stats API's poller is tested in serve-stream.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { execa } from 'execa';
import { removeContainer } from '../helpers/docker.js';
import { ServeHarness, httpdCmd, isRunning, request, waitFor } from './serve-harness.js';

const h = new ServeHarness();
const host = (n: string) => `${n}-${h.run}.test`;
const c: Record<string, string> = {};
// CGIs whose answers are close-delimited (no Content-Length); each run leaves a mark, so a request that
// never reached the app shows. `env` ends its header lines with CRLF, `lf` with a bare LF, as shell
// scripts often do (busybox httpd passes the lines on as they are).
const cgi = (name: string, eol: string) =>
  `printf '#!/bin/sh\\necho x >> /tmp/hits\\nprintf "Content-Type: text/plain${eol}${eol}"\\necho ${name}-ok\\n' > /www/cgi-bin/${name} && chmod +x /www/cgi-bin/${name}`;
const CGIS = `${cgi('env', '\\\\r\\\\n')} && ${cgi('lf', '\\\\n')}`;
const SLOW = 'sleep 3'; // before httpd listens: the probe keeps the wake going until then
const sleepy = (timeout: string) => ({ 'berth.idle.timeout': timeout, 'berth.idle.stop_method': 'kill', 'berth.idle.probe': 'http://container:8080/' });

beforeAll(async () => {
  c.cgi = await h.container('cgi', httpdCmd(`${CGIS} && echo page > /www/index.html && ${SLOW}`), { 'berth.proxy.host': host('cgi'), 'berth.proxy.port': '8080', ...sleepy('4s') });
  c.sized = await h.container('sized', httpdCmd(`echo sized-ok > /www/index.html && ${SLOW}`), { 'berth.proxy.host': host('sized'), 'berth.proxy.port': '8080', ...sleepy('4s') });
  c.refuse = await h.container('refuse', httpdCmd('echo refuse-ok > /www/index.html'), { 'berth.proxy.host': host('refuse'), 'berth.proxy.port': '8080' });
  await h.start(['--hold-body', '1k']);
}, 90_000);

afterAll(async () => {
  await h.stop();
  await Promise.all(h.made.map(removeContainer));
});

/** Sends a request and closes the socket after `ms`, as `curl -m 1` does, before any answer. */
function leaveAfter(port: number, hostName: string, path: string, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let got = '';
    s.on('connect', () => s.write(`GET ${path} HTTP/1.1\r\nHost: ${hostName}\r\nAccept: */*\r\n\r\n`));
    s.on('data', (d) => (got += d.toString()));
    s.on('error', () => {});
    s.on('close', () => resolve(got));
    setTimeout(() => s.destroy(), ms);
  });
}

type Status = { routes: Array<{ container: string; state: string; inflight: number }> };
const route = async (name: string) => (JSON.parse((await request(h.port, 'x', '/$berth/status')).body) as Status).routes.find((r) => r.container === name)!;
const metric = async (name: string, code: number) => {
  const text = (await request(h.port, 'x', '/$berth/metrics')).body;
  const m = new RegExp(`^berth_proxy_requests_total\\{route="${name}",code="${code}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};
const hits = async (name: string) => (await execa('docker', ['exec', name, 'sh', '-c', 'cat /tmp/hits 2>/dev/null | wc -l'])).stdout.trim();

describe('berth serve: a client that leaves while its request waits for a wake', () => {
  for (const [kind, key, path] of [
    ['a close-delimited CGI answer', 'cgi', '/cgi-bin/env'],
    ['a Content-Length answer', 'sized', '/index.html'],
  ] as const) {
    it(`(${kind}) neither crashes serve nor pins the container: 499, inflight 0, asleep on its timeout`, async () => {
      const name = c[key]!;
      expect(await isRunning(name)).toBe(false);
      expect(await leaveAfter(h.port, host(key), path, 1000)).toBe('');
      await waitFor(async () => (await route(name)).state === 'ready', 30_000, 200);
      // serve answers later requests after the wake ended (a crash in the abandoned answer would have come first)
      await waitFor(async () => (await route(name)).inflight === 0, 10_000, 100);
      expect(await metric(name, 499)).toBe(1);
      expect(h.child!.exitCode).toBeNull();
      expect(h.stderr).not.toMatch(/AssertionError|paused/);
      if (key === 'cgi') expect(await hits(name)).toBe('0'); // the request never reached the app
      // Nothing keeps it awake: it sleeps on its 4 s timeout, plus serve's rounds, whose readings (one-shot
      // stats calls) take seconds under CI's load.
      const awake = Date.now();
      await waitFor(async () => !(await isRunning(name)), 20_000, 250);
      expect(Date.now() - awake).toBeLessThan(4_000 + 12_000);
    }, 60_000);
  }

  it("answers busybox httpd's bare-LF CGI output (no 502)", async () => {
    const res = await request(h.port, host('cgi'), '/cgi-bin/lf');
    expect(res.status, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.body).toBe('lf-ok\n');
  }, 60_000);
});

describe('berth serve: refused requests wake nothing', () => {
  it('a chunked body over --hold-body: 413; a malformed chunk size: 400; the container stays asleep', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: h.port });
        let got = '';
        s.on('connect', () => s.write(text));
        s.on('data', (d) => (got += d.toString()));
        s.on('close', () => resolve(got));
        s.on('error', () => resolve(got));
        setTimeout(() => s.destroy(), 5000);
      });
    const head = `POST / HTTP/1.1\r\nHost: ${host('refuse')}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const big = `${head}800\r\n${'x'.repeat(0x800)}\r\n0\r\n\r\n`;
    expect(await raw(big)).toMatch(/^HTTP\/1\.1 413 /);
    expect(await raw(`${head}zz\r\nhello\r\n0\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    // a later answer: serve still has it napping (a wake would have made it starting at the request)
    expect((await route(c.refuse!)).state).toBe('napping');
    expect(await isRunning(c.refuse!)).toBe(false);
    expect(h.records<{ type: string; container: string }>().filter((r) => r.type === 'wake' && r.container === c.refuse)).toEqual([]);
  });
});

describe('berth serve --listen on a network address', () => {
  it('warns on one stderr line that the admin endpoints are open, and only then', async () => {
    // Every client is denied: this listener is reachable from the network for the length of the test.
    const open = new ServeHarness();
    await open.start(['--listen', '0.0.0.0:0', '--deny', '0.0.0.0/0', '--deny', '::/0']);
    try {
      await waitFor(() => open.stderr.includes('\n'), 5000);
      expect(open.stderr).toMatch(
        /^berth: listening on 0\.0\.0\.0:\d+ with neither --token-file nor --allow: \/\$berth\/status, \/\$berth\/metrics and \/\$berth\/api\/stats are open to anyone on the network who can connect$/m,
      );
    } finally {
      await open.stop();
    }
    expect(h.stderr).not.toMatch(/neither --token-file nor --allow/); // 127.0.0.1
  });
});
