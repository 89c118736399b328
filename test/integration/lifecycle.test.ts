// The lifecycle owner against the real engine: stops decided on a fresh reading, dependencies put to
// sleep by serve, one berth process per container, typed and prompt failures, readiness that includes
// the upstream port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { berth, docker, removeContainer, runContainer, uniqueName } from '../helpers/docker.js';
import { HTTPD, ipOf, roundMarker, start, state, waitWouldStop, watchIdle } from './idle-helpers.js';
import { ServeHarness, freePort, httpdCmd, isRunning, request, startCount, waitFor } from './serve-harness.js';

const made: string[] = [];
const harnesses: ServeHarness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.stop();
  await Promise.all([...made, ...harnesses.flatMap((h) => h.made)].map(removeContainer));
});

const runDir = mkdtempSync(join(tmpdir(), 'berth-lc-run-'));
// every berth child of this file (serve through the harness too) shares one claims directory
process.env.BERTH_RUN_DIR = runDir;
const env = { BERTH_RUN_DIR: runDir };

function get(url: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => (res.resume(), res.on('end', () => resolve(res.statusCode ?? 0))));
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

describe('watch-idle decides each stop on a fresh reading', () => {
  it('while A takes 10 s to stop (PID 1 ignores SIGTERM), B, used every 0.5 s, is never stopped', async () => {
    const labels = { 'berth.idle.timeout': '3s' };
    // names sort A before B, so A's slow stop comes first in the round
    const a = await start(made, 'fresh-a', { cmd: 'exec sleep 600', labels: { ...labels, 'berth.idle.stop_timeout': '10s' } });
    const b = await start(made, 'fresh-b', { cmd: HTTPD, labels });
    const marker = await roundMarker(made);
    const url = `http://${await ipOf(b)}:8080/`;
    await waitFor(async () => (await get(url)) === 200, 10_000);
    let ok = 0;
    let failed = 0;
    let going = true;
    // the client: a request every 0.5 s, for at most the test's own time
    const end = Date.now() + 60_000;
    const client = (async () => {
      while (going && Date.now() < end) {
        (await get(url)) === 200 ? ok++ : failed++;
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const w = watchIdle([a, b, marker], [], env);
    try {
      await w.waitRec(a, (r) => r.action === 'stop', 30_000);
      // two whole rounds after A's stop judge B again
      await w.fullRound(marker);
      await w.fullRound(marker);
      going = false;
      await client;
      expect(w.find(b, (r) => r.action === 'stop')).toBeUndefined();
      expect((await state(b)).Running).toBe(true);
      expect(failed).toBe(0);
      expect(ok).toBeGreaterThan(20);
      expect((await state(a)).Running).toBe(false);
    } finally {
      going = false;
      await w.stop();
    }
  }, 60_000);
});

describe('two watch-idle --once at once', () => {
  it('never both stop a container: one stop record in all, the second waited for the first', async () => {
    const c = await start(made, 'once2', { cmd: 'exec sleep 600', labels: { 'berth.idle.timeout': '2s', 'berth.idle.stop_timeout': '5s' } });
    const path = join(mkdtempSync(join(tmpdir(), 'berth-once2-')), 'state.json');
    const args = ['watch-idle', '--once', '--json', '--state', path, c];
    expect((await berth(args, { env })).exitCode).toBe(0);
    await waitWouldStop(args, path, [c], env);
    const [one, two] = await Promise.all([berth(args, { env }), berth(args, { env })]);
    expect([one.exitCode, two.exitCode]).toEqual([0, 0]);
    const recs = [one.stdout, two.stdout].flatMap((o) => o.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as { action?: string });
    expect(recs.filter((r) => r.action === 'stop')).toHaveLength(1);
    expect(one.stderr + two.stderr).toMatch(/is in use by another watch-idle --once \(pid \d+\); waiting for it/);
    expect((await state(c)).Running).toBe(false);
  }, 60_000);
});

describe('serve owns the lifecycle of its routes and the dependencies they woke', () => {
  it('puts a dependency it woke to sleep after its own timeout once its app sleeps', async () => {
    const h = new ServeHarness();
    harnesses.push(h);
    const db = await h.container('dep-db', 'exec sleep 600', { 'berth.idle.timeout': '2s', 'berth.idle.stop_method': 'kill' });
    const app = await h.container('dep-app', httpdCmd('echo app-ok > /www/index.html'), {
      'berth.proxy.host': `app-${h.run}.test`,
      'berth.proxy.port': '8080',
      'berth.idle.timeout': '2s',
      'berth.idle.stop_method': 'kill',
      'berth.idle.depends_on': db,
    });
    await h.start(['--idle-interval', '500ms']);
    const res = await request(h.port, `app-${h.run}.test`, '/');
    expect([res.status, res.body.trim()]).toEqual([200, 'app-ok']);
    expect([await isRunning(db), await isRunning(app)]).toEqual([true, true]);
    const t0 = Date.now();
    await waitFor(async () => !(await isRunning(app)), 25_000, 200);
    const appDown = Date.now();
    await waitFor(async () => !(await isRunning(db)), 25_000, 200);
    // db: its own 2 s after its last awake dependent, plus one round and the stop
    expect(Date.now() - appDown).toBeGreaterThanOrEqual(1500);
    expect(Date.now() - t0).toBeLessThan(25_000); // generous: engine calls take seconds on a loaded machine
    const slept = () =>
      h.records<{ type: string; container: string; to?: string; action?: string }>().find((r) => r.type === 'idle' && r.container === db && r.action === 'kill' && r.to === 'napping');
    await waitFor(() => slept(), 5000);
  }, 60_000);

  it('a watch-idle beside serve defers to it: an open connection through serve keeps the container up', async () => {
    const h = new ServeHarness();
    harnesses.push(h);
    const port = await freePort();
    const tcp = await h.container('claim-tcp', 'exec nc -ll -p 5432 -e cat', { 'berth.proxy.tcp': `${port}:5432`, 'berth.idle.timeout': '2s', 'berth.idle.stop_method': 'kill' });
    await h.start();
    const sock = net.connect({ host: '127.0.0.1', port });
    let closed = false;
    sock.on('close', () => (closed = true));
    sock.on('error', () => {});
    sock.write('hello\n');
    await waitFor(() => isRunning(tcp), 20_000);
    const id = (await docker.getContainer(tcp).inspect()).Id;
    await waitFor(() => existsSync(join(runDir, 'claims', `${id}.json`)), 15_000); // serve's claim
    // control: idle as long as tcp, with the same timeout, and not served: watch-idle stops it
    const control = await start(made, 'claim-control', { cmd: 'exec sleep 600', labels: { 'berth.idle.timeout': '2s', 'berth.idle.stop_method': 'kill' } });
    const w = watchIdle([tcp, control], [], env);
    try {
      await waitFor(() => w.stderr.join('').includes(`${tcp} is managed by berth serve (pid`), 15_000);
      await w.waitRec(control, (r) => r.action === 'kill', 20_000);
      // two whole rounds after that judged tcp again, past its timeout (the stopped control marks them)
      await w.fullRound(control);
      await w.fullRound(control);
      expect(closed).toBe(false);
      expect(await isRunning(tcp)).toBe(true);
      expect(w.find(tcp, (r) => r.action === 'stop' || r.action === 'kill')).toBeUndefined();
    } finally {
      sock.destroy();
      await w.stop();
    }
    // the connection closed: serve itself puts it to sleep
    await waitFor(async () => !(await isRunning(tcp)), 15_000, 200);
  }, 60_000);
});

describe('serve: failed and broken wakes', () => {
  const h = new ServeHarness();
  harnesses.push(h);
  const host = (n: string) => `${n}-${h.run}.test`;
  const names: Record<string, string> = {};

  beforeAll(async () => {
    // listens only 2 s after it starts, no healthcheck
    names.late = await h.container('late', `sleep 2 && ${httpdCmd('echo late-ok > /www/index.html')}`, { 'berth.proxy.host': host('late'), 'berth.proxy.port': '8080' });
    // never listens, exits after 1 s (crashes after it runs)
    names.crash = await h.container('crash', 'sleep 1; exit 3', { 'berth.proxy.host': host('crash'), 'berth.proxy.port': '8080' });
    // healthcheck never passes; wake budget 8 s, idle timeout 2 s
    names.sick = uniqueName('sick');
    h.made.push(names.sick);
    await runContainer({
      name: names.sick,
      cmd: httpdCmd('echo sick > /www/index.html'),
      labels: h.labels({ 'berth.proxy.host': host('sick'), 'berth.proxy.port': '8080', 'berth.idle.wake_timeout': '8s', 'berth.idle.timeout': '2s', 'berth.idle.stop_method': 'kill' }),
      healthcheck: { Test: ['CMD-SHELL', 'exit 1'], Interval: 500_000_000, Retries: 1 },
      start: false,
    });
    await h.start(['--idle-interval', '500ms']);
  });

  it('a route without a healthcheck is ready only once its port accepts connections', async () => {
    const res = await request(h.port, host('late'), '/');
    expect([res.status, res.body.trim()]).toEqual([200, 'late-ok']);
    const ready = h.records<{ type: string; event?: string; container?: string; message?: string }>().find((r) => r.type === 'wake' && r.event === 'ready' && r.container === names.late);
    expect(ready?.message).toMatch(new RegExp(`^${names.late} is ready \\(running, port 8080 accepting connections\\) after (\\d+(\\.\\d)?)s$`));
    expect(Number(/after ([\d.]+)s$/.exec(ready!.message!)![1])).toBeGreaterThanOrEqual(1.5);
  });

  it('a container that exits after it runs fails the waiting request at once with a typed answer, and a favicon does not wake it again', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const res = await request(h.port, host('crash'), '/api', { headers: { accept: 'application/json' } });
    expect(res.ms).toBeLessThan(15_000); // the start itself takes seconds on a loaded engine
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('application/problem+json');
    // no token configured: the reason is in serve's output, not in the answer
    expect(JSON.parse(res.body)).toMatchObject({ status: 503, kind: 'exited', container: names.crash, detail: "the wake failed (the reason is in berth serve's output)" });
    expect(res.body).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
    type Rec = { ts: string; container?: string; reason?: string; message?: string };
    const said = (r: Rec) => r.container === names.crash && /exited with code 3/.test(r.reason ?? r.message ?? '');
    const failed = await waitFor(() => h.records<Rec>().find(said), 10_000);
    // serve answers every request for 5 s after a failed wake from the failure (a fixed hold with no record
    // of its end): the favicon is asked once serve's clock is past 5 s after its own record of the failure
    await waitFor(() => Date.now() > Date.parse(failed.ts) + 5250, 15_000, 100);
    const fav = await request(h.port, host('crash'), '/favicon.ico', { headers: { accept: 'image/avif,image/webp,*/*', 'sec-fetch-dest': 'image' } });
    expect(fav.status).toBe(503);
    // answered at once without a wake (a wake holds the request until the container is ready or fails)
    expect(fav.ms).toBeLessThan(2000);
    expect(await startCount(names.crash!, since)).toBe(1);
  });

  it('after a wake timeout the container is managed with its idle timer: stopped again', async () => {
    const res = await request(h.port, host('sick'), '/', { headers: { accept: 'application/json' } });
    expect(res.status).toBe(503);
    // unhealthy once the check has failed; timeout when a slow engine started it too late for a check to run
    expect(JSON.parse(res.body).kind).toMatch(/^(unhealthy|timeout)$/);
    expect(await isRunning(names.sick!)).toBe(true);
    await waitFor(async () => !(await isRunning(names.sick!)), 25_000, 200);
  });
});
