import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';
import { docker, removeContainer } from '../helpers/docker.js';
import { ServeHarness, freePort, httpdCmd, isRunning, request, startCount, tcpExchange, waitFor } from './serve-harness.js';

const h = new ServeHarness();
const host = (n: string) => `${n}-${h.run}.test`;
const SLOW_CGI = (lines: number) =>
  `printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\nfor i in $(seq 1 ${lines}); do echo line$i; sleep 1; done\\n' > /www/cgi-bin/slow && chmod +x /www/cgi-bin/slow`;
const c: Record<string, string> = {};
let wss: WebSocketServer;
let tcpPort = 0;

beforeAll(async () => {
  const wsPort = await freePort();
  wss = new WebSocketServer({ host: '0.0.0.0', port: wsPort });
  wss.on('connection', (ws, req) => ws.on('message', (m) => ws.send(`echo:${m.toString()} via:${req.headers['x-forwarded-host']}`)));
  const bridge = await docker.getNetwork('bridge').inspect();
  // The engine leaves Gateway out of IPAM when it picked the default, the subnet's first address.
  const ipam = bridge.IPAM.Config[0] as { Gateway?: string; Subnet: string };
  const gateway = ipam.Gateway ?? ipam.Subnet.replace(/\.\d+\/\d+$/, '.1');
  tcpPort = await freePort();
  c.stream = await h.container('stream', httpdCmd(SLOW_CGI(6)), { 'berth.proxy.host': host('stream'), 'berth.proxy.port': '8080', 'berth.idle.timeout': '2s', 'berth.idle.stop_method': 'kill' }, true);
  c.ws = await h.container('ws', `exec nc -ll -p 8080 -e nc ${gateway} ${wsPort}`, { 'berth.proxy.host': host('ws'), 'berth.proxy.port': '8080' });
  c.tcp = await h.container('tcp', 'exec nc -ll -p 5432 -e cat', { 'berth.proxy.tcp': `${tcpPort}:5432` });
  c.db = await h.container('db', 'exec sleep 3600', {});
  c.app = await h.container('app', httpdCmd('echo app-ok > /www/index.html'), { 'berth.proxy.host': host('app'), 'berth.proxy.port': '8080', 'berth.idle.depends_on': c.db });
  c.paused = await h.container(
    'pause',
    httpdCmd('echo pause-ok > /www/index.html'),
    { 'berth.proxy.host': host('pause'), 'berth.proxy.port': '8080', 'berth.idle.timeout': '1s', 'berth.idle.stop_method': 'pause' },
    true,
  );
  c.stats = await h.container('stats', httpdCmd('echo stats-ok > /www/index.html'), { 'berth.proxy.host': host('stats'), 'berth.proxy.port': '8080' }, true);
  await h.start(['--stats-interval', '300ms', '--stats-expiry', '5s', '--shutdown-timeout', '20s']);
}, 90_000);

afterAll(async () => {
  await h.stop('SIGKILL');
  wss?.close();
  await Promise.all(h.made.map(removeContainer));
});

describe('berth serve: streams, WebSocket, TCP, stats', () => {
  it('a long streaming response keeps the container awake past its idle timeout; it sleeps after', async () => {
    const t0 = Date.now();
    const lines: number[] = [];
    // asked when line4 arrives, 3 s after line1: past the 2 s idle timeout
    let upAtLine4: Promise<boolean> | undefined;
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: h.port, path: '/cgi-bin/slow', headers: { host: host('stream') } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d.toString();
            lines.push(Date.now() - t0);
            if (text.includes('line4')) upAtLine4 ??= isRunning(c.stream!);
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    const ended = Date.now();
    expect(body.trim().split('\n')).toEqual(['line1', 'line2', 'line3', 'line4', 'line5', 'line6']);
    expect(lines.at(-1)! - lines[0]!).toBeGreaterThan(4000); // streamed, not buffered
    expect(await upAtLine4).toBe(true);
    await waitFor(async () => !(await isRunning(c.stream!)), 20_000, 100);
    expect(Date.now() - ended).toBeGreaterThanOrEqual(1500);
  });

  it('passes a WebSocket through, waking the container first', async () => {
    expect(await isRunning(c.ws!)).toBe(false);
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/socket`, { headers: { host: host('ws') } });
    const replies: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (m) => {
        replies.push(m.toString());
        if (replies.length === 1) ws.send('again');
        else resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    expect(replies).toEqual([`echo:hello via:${host('ws')}`, `echo:again via:${host('ws')}`]);
    expect(await isRunning(c.ws!)).toBe(true);
  });

  it('a TCP route wakes a sleeping TCP server on connect and splices bytes both ways', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    expect(await isRunning(c.tcp!)).toBe(false);
    expect(await tcpExchange(tcpPort, 'ping over tcp\n')).toBe('ping over tcp\n');
    expect(await tcpExchange(tcpPort, 'second\n')).toBe('second\n');
    expect(await startCount(c.tcp!, since)).toBe(1);
    const m = await request(h.port, 'x', '/$berth/metrics');
    expect(m.body).toContain(`berth_proxy_tcp_bytes_total{route="${c.tcp}",direction="in"} 21`);
    expect(m.body).toContain(`berth_proxy_tcp_bytes_total{route="${c.tcp}",direction="out"} 21`);
  });

  it('wakes dependencies first (berth.idle.depends_on), then the app', async () => {
    expect(await isRunning(c.db!)).toBe(false);
    const res = await request(h.port, host('app'), '/index.html');
    expect(res.body.trim()).toBe('app-ok');
    expect(await isRunning(c.db!)).toBe(true);
    const events = h.records<{ type: string; container: string; event: string; dep?: string }>().filter((r) => r.type === 'wake' && r.container === c.app);
    expect(events.map((e) => e.event)).toEqual(['starting', 'waking_dep', 'dep_ready', 'container_woke', 'waiting_ready', 'ready']);
    expect(events[1]!.dep).toBe(c.db);
  });

  it('with stop_method pause: pauses when idle and unpauses on the next request', async () => {
    const paused = async () => (await docker.getContainer(c.paused!).inspect()).State.Paused;
    await waitFor(paused, 20_000, 100);
    const res = await request(h.port, host('pause'), '/index.html');
    expect(res.body.trim()).toBe('pause-ok');
    expect(await paused()).toBe(false);
  });

  it('the stats API is started by its poller, returns growing `from` indices, and stops sampling after the expiry without polls', async () => {
    const api = async (from: number) =>
      JSON.parse((await request(h.port, 'x', `/$berth/api/stats/${c.stats}?from=${from}`)).body) as {
        metrics: Array<{ cpu: number; mem: number; ts: string }>;
        from: number;
        running: boolean;
        sampling: boolean;
      };
    // Running since before serve started, never requested through it: the poll starts sampling and
    // `running` is the engine's answer.
    expect(await api(0)).toEqual({ metrics: [], from: 0, running: true, sampling: true });
    const first = await waitFor(async () => ((await api(0)).from >= 2 ? api(0) : undefined), 15_000);
    expect(first.running).toBe(true);
    expect(first.sampling).toBe(true);
    expect(first.metrics).toHaveLength(first.from);
    for (const p of first.metrics) {
      expect(typeof p.cpu).toBe('number');
      expect(p.mem).toBeGreaterThan(0);
      expect(Date.parse(p.ts)).toBeGreaterThan(Date.now() - 60_000);
    }
    expect((await request(h.port, host('stats'), '/index.html')).status).toBe(200); // a request renews the expiry too
    const later = await waitFor(async () => ((await api(first.from)).from > first.from ? api(first.from) : undefined), 15_000);
    expect(later.metrics).toHaveLength(later.from - first.from);
    // Nobody polls or requests for longer than --stats-expiry (5s): the readings stop within it. The
    // window has passed when serve's sampler of another route (app: awake, polled) has a reading 9 s on.
    const quiet = Date.now();
    const appReadings = async () => (JSON.parse((await request(h.port, 'x', `/$berth/api/stats/${c.app}?from=0`)).body) as { metrics: Array<{ ts: string }> }).metrics;
    await waitFor(async () => (await appReadings()).some((m) => Date.parse(m.ts) > quiet + 9000), 30_000, 500);
    const a = await api(0); // this poll starts sampling again
    const at = a.metrics.map((m) => Date.parse(m.ts));
    expect(at.filter((t) => t > quiet + 5000 + 1500 && t < quiet + 9000 - 500)).toEqual([]);
    expect(at.filter((t) => t > quiet + 1000).length).toBeGreaterThan(0); // it sampled until then
    // A fixed cadence: the engine's collector has a reading once a second, so at --stats-interval 300ms one
    // one-shot reading follows another about a second apart. Paired readings plus the interval made it 2.3 s.
    const gaps = at
      .filter((t) => t < quiet + 5000)
      .slice(1)
      .map((t, i) => t - at[i]!)
      .sort((x, y) => x - y);
    expect(gaps.length).toBeGreaterThan(2);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(1600);
    expect((await request(h.port, 'x', '/$berth/api/stats/not-a-route')).status).toBe(404);
    expect((await request(h.port, 'x', `/$berth/api/stats/${c.stats}?from=-1`)).status).toBe(400);
  });

  it('on SIGTERM stops accepting, lets the in-flight stream finish, and exits 143', async () => {
    await waitFor(async () => !(await isRunning(c.stream!)), 20_000, 100);
    const since = Math.floor(Date.now() / 1000) - 1;
    let received = '';
    const got = new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: h.port, path: '/cgi-bin/slow', headers: { host: host('stream') } }, (res) => {
          res.on('data', (d: Buffer) => (received += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body: received }));
        })
        .on('error', reject);
    });
    await waitFor(() => received.includes('line1'), 20_000); // the stream is in flight
    h.child!.kill('SIGTERM');
    // the listener closes: a new connection is refused
    await waitFor(
      () =>
        request(h.port, host('stream'), '/').then(
          () => false,
          (err: Error) => /ECONNREFUSED/.test(err.message),
        ),
      10_000,
      50,
    );
    const res = await got;
    expect(res.status).toBe(200);
    expect(res.body.trim().split('\n')).toHaveLength(6);
    const exit = await h.child!;
    expect(exit.exitCode).toBe(143);
    expect(await startCount(c.stream!, since)).toBe(1);
  });
});
