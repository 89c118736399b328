// The chaos harness for serve and watch-idle (issue 15). A seeded run builds a small compose-style project
// (a db with a slow healthcheck and a PID 1 that may ignore SIGTERM, an app depending on it with streaming
// CGIs and a random listen delay, a TCP echo, a container that crashes after it starts), runs `berth serve`
// and a `berth watch-idle` beside it over the same containers, drives random clients (plain, aborted, long
// streams, TCP, WebSockets (held, or cut at a random moment), slow heads, refused and crashing routes,
// idle TCP connections held straight to the app's container past its timeout, not through serve)
// and checks invariants after every step:
// serve and watch-idle never exit; starts and stops of a container alternate (one start per wake); no
// container is stopped while a connection to it (or to an awake dependent) is open; every container is
// asleep within its timeout plus one interval (plus its stop time and slack) after its last activity;
// every client gets an answer or a clean close; inflight returns to 0. The seed is printed on failure.
//
//
// The engine is a parameter (ChaosEngine): docker (serve-chaos.test.ts), Podman (test/podman/serve-chaos.test.ts).
import { expect } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { WebSocket, WebSocketServer } from 'ws';
import type Docker from 'dockerode';
import { BERTH_BIN, docker, runContainer, TEST_IMAGE, uniqueName } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import { freePort } from '../integration/serve-harness.js';
import { rng as mulberry32 } from '../oracle/generator.js';

const INTERVAL_MS = 500;
/**
 * BERTH_CHAOS_ABORT=answering: clients abort only once the answer has begun, never while a request is
 * held for a wake (issue 15 item 1, fixed on the proxy-edge branch, pins inflight until then).
 */
const ABORT_ONLY_ANSWERING = process.env.BERTH_CHAOS_ABORT === 'answering';
/** Engine latency on a small shared machine: a start or stop call can take seconds. */
const SLACK_MS = 8000;

/** An engine the harness runs on: its client, the test image's name there, the network the containers join. */
export interface ChaosEngine {
  name: string;
  client: Docker;
  image: string;
  /** The network whose gateway the ws container reaches the host's WebSocket server by. */
  network: string;
  /** Environment of berth serve and watch-idle, to reach the engine. */
  env: Record<string, string>;
  /** The `event` filter naming start, die, kill and stop in the engine's own names. */
  eventFilter: string[];
  /**
   * Whether a stop through the API sends `stop`/`kill` events. Podman 4.3 sends only `die` for a stop
   * (`kill` for a kill); there the harness checks a stop's invariants at the container's `die`.
   */
  stopEvents: boolean;
  /** How to re-run one seed, printed on failure. */
  rerun(seed: number): string;
}

export const dockerChaosEngine: ChaosEngine = {
  name: 'docker',
  client: docker,
  image: TEST_IMAGE,
  network: 'bridge',
  env: {},
  eventFilter: ['start', 'die', 'kill', 'stop'],
  stopEvents: true,
  rerun: (seed) => `npm run soak -- --seed ${seed} --only chaos`,
};

function rng(seed: number) {
  const next = mulberry32(seed);
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]! };
}

interface Unit {
  name: string;
  role: 'db' | 'app' | 'tcp' | 'ws' | 'crash';
  timeoutMs: number;
  stopMs: number;
  dependents: string[];
}

interface Conn {
  unit: string;
  kind: string;
  t0: number;
  firstByte?: number;
  end?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Chaos {
  readonly r;
  readonly run = uniqueName('chaos').slice(-6);
  readonly units = new Map<string, Unit>();
  readonly conns = new Set<Conn>();
  /** Every client connection, for the failure report. */
  readonly history: Conn[] = [];
  readonly lastEnd = new Map<string, number>();
  readonly events: Array<{ name: string; action: string; at: number }> = [];
  readonly lastStart = new Map<string, number>();
  readonly running = new Map<string, boolean>();
  /** A stop was begun (the engine's kill or stop event): the decision to sleep was taken. */
  readonly stopBegun = new Set<string>();
  readonly violations: string[] = [];
  readonly n = { requests: 0, aborts: 0, streams: 0, tcp: 0, websockets: 0, direct: 0, slow: 0, refused: 0, crash: 0, starts: 0, stops: 0, checks: 0 };
  serve?: ReturnType<typeof execa>;
  watch?: ReturnType<typeof execa>;
  serveOut?: LineCollector;
  watchOut?: LineCollector;
  stderr = '';
  port = 0;
  tcpPort = 0;
  /** The WebSocket echo server on the host that the ws container relays to. */
  wss?: WebSocketServer;
  private events$?: NodeJS.ReadableStream;

  readonly made: string[] = [];

  constructor(
    readonly seed: number,
    readonly engine: ChaosEngine,
  ) {
    this.r = rng(seed);
  }

  host = (u: Unit) => `${u.role}-${this.run}.chaos.test`;
  of = (role: Unit['role']) => [...this.units.values()].find((u) => u.role === role)!;
  private readonly failedKeys = new Set<string>();
  /** Records a violation, once per kind (the numbers in the message left out of the key). */
  fail = (msg: string) => {
    const key = msg.replace(/\d+/g, '#');
    if (this.failedKeys.has(key) || this.violations.length >= 50) return;
    this.failedKeys.add(key);
    this.violations.push(`${new Date().toISOString()} ${msg}`);
  };

  async build(): Promise<void> {
    const r = this.r;
    const labels = (extra: Record<string, string>) => ({ 'berth.chaos': this.run, ...extra });
    const add = async (role: Unit['role'], cmd: string, extra: Record<string, string>, more: Partial<Parameters<typeof runContainer>[0]> = {}) => {
      const name = uniqueName(`chaos-${role}`);
      const timeoutMs = r.int(2, 4) * 1000;
      const stopMs = r.int(1, 3) * 1000;
      this.made.push(name);
      await runContainer({
        client: this.engine.client,
        image: this.engine.image,
        name,
        cmd,
        start: false,
        labels: labels({ 'berth.idle.timeout': `${timeoutMs / 1000}s`, 'berth.idle.stop_timeout': `${stopMs / 1000}s`, ...extra }),
        ...more,
      });
      this.units.set(name, { name, role, timeoutMs, stopMs, dependents: [] });
      return name;
    };
    // PID 1 sh without a trap ignores SIGTERM (stopped by SIGKILL after stop_timeout); with one it exits.
    const pid1 = () => (r.next() < 0.5 ? "trap 'exit 0' TERM; " : '');
    const db = await add(
      'db',
      `${pid1()}sleep 0.${r.int(1, 9)}; touch /ok; while :; do sleep 1; done`,
      {},
      {
        healthcheck: { Test: ['CMD-SHELL', `sleep 0.${r.int(1, 5)}; test -f /ok`], Interval: 500_000_000, Retries: 30 },
      },
    );
    const cgi =
      'printf \'#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\nfor i in 1 2 3 4 5 6 7 8; do echo line$i; sleep 0.3; done\\n\' > /www/cgi-bin/stream && chmod +x /www/cgi-bin/stream';
    const app = await add('app', `sleep 0.${r.int(0, 9)}; mkdir -p /www/cgi-bin && echo app-ok > /www/index.html && ${cgi} && exec httpd -f -p 8080 -h /www`, {
      // the host name is set in the --config file (the file wins over the label)
      'berth.proxy.host': 'placeholder.test',
      'berth.proxy.port': '8080',
      'berth.idle.depends_on': `${db}:service_healthy`,
      'berth.proxy.ignore': '/healthz',
    });
    this.units.get(db)!.dependents.push(app);
    this.tcpPort = await freePort();
    await add('tcp', 'exec nc -ll -p 5432 -e cat', { 'berth.proxy.tcp': `${this.tcpPort}:5432` });
    const wsPort = await freePort();
    this.wss = new WebSocketServer({ host: '0.0.0.0', port: wsPort });
    this.wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo:${m.toString()}`)));
    const ipam = (await this.engine.client.getNetwork(this.engine.network).inspect()).IPAM.Config[0] as { Gateway?: string; Subnet: string };
    const gateway = ipam.Gateway ?? ipam.Subnet.replace(/\.\d+\/\d+$/, '.1');
    await add('ws', `exec nc -ll -p 8080 -e nc ${gateway} ${wsPort}`, { 'berth.proxy.host': 'placeholder.test', 'berth.proxy.port': '8080' });
    await add('crash', `sleep ${r.int(0, 2)}; exit 3`, { 'berth.proxy.host': 'placeholder.test', 'berth.proxy.port': '8080' });
  }

  async startProcesses(): Promise<void> {
    const cfgDir = mkdtempSync(join(tmpdir(), 'berth-chaos-'));
    const cfg = join(cfgDir, 'berth.yml');
    const routes = [this.of('app'), this.of('ws'), this.of('crash')].map((u) => `  ${u.name}:\n    berth.proxy.host: ${this.host(u)}\n`).join('');
    writeFileSync(cfg, `containers:\n${routes}`);
    const env = { ...process.env, ...this.engine.env, BERTH_RUN_DIR: join(cfgDir, 'run') };
    this.serve = execa('node', [BERTH_BIN, 'serve', '--listen', '127.0.0.1:0', '--json', '--config', cfg, '--idle-interval', `${INTERVAL_MS}ms`, '--filter', `label=berth.chaos=${this.run}`], {
      reject: false,
      env,
    });
    this.serve.stderr!.on('data', (d: Buffer) => (this.stderr += `[serve] ${d}`));
    this.serveOut = new LineCollector(this.serve.stdout!);
    await this.serveOut.until((ls) => ls.some((l) => l.line.includes('"listening"')), 30_000);
    this.port = Number(
      this.serveOut
        .json<{ listen?: string }>()
        .find((x) => x.listen)!
        .listen!.split(':')
        .pop(),
    );
    await sleep(1500); // serve's first rounds claim its containers
    this.watch = execa('node', [BERTH_BIN, 'watch-idle', '--json', '--interval', `${INTERVAL_MS}ms`, ...this.units.keys()], { reject: false, env });
    this.watch.stderr!.on('data', (d: Buffer) => (this.stderr += `[watch-idle] ${d}`));
    this.watchOut = new LineCollector(this.watch.stdout!);
  }

  async followEvents(): Promise<void> {
    const stream = (await this.engine.client.getEvents({ filters: { type: ['container'], label: [`berth.chaos=${this.run}`], event: this.engine.eventFilter } })) as NodeJS.ReadableStream;
    this.events$ = stream;
    let buf = '';
    const seen = new Set<string>();
    stream.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, i)) as { Action: string; Actor: { ID: string; Attributes: { name: string } }; timeNano?: number };
        buf = buf.slice(i + 1);
        // Podman sends the newer half of its event log again when it rotates the log (at 1 MB by default):
        // an event seen already is not a new one.
        const key = `${ev.Actor.ID} ${ev.Action} ${ev.timeNano}`;
        if (seen.has(key)) continue;
        seen.add(key);
        this.onEvent(ev.Actor.Attributes.name, ev.Action, Date.now());
      }
    });
  }

  onEvent(name: string, action: string, at: number): void {
    this.events.push({ name, action, at });
    const u = this.units.get(name);
    if (!u) return;
    if (action === 'start') {
      this.n.starts++;
      if (this.running.get(name)) this.fail(`${u.role} started twice without a stop between (one start per wake)`);
      this.running.set(name, true);
      this.stopBegun.delete(name);
      this.lastStart.set(name, at);
    } else if (action === 'die') {
      // An engine that sends no event for a stop (Podman): its stop is checked when the container dies.
      if (!this.engine.stopEvents && !this.stopBegun.has(name)) this.onEvent(name, 'stop', at);
      this.running.set(name, false);
      this.lastEnd.set(name, Math.max(this.lastEnd.get(name) ?? 0, at));
    } else {
      if (action === 'kill' && this.stopBegun.has(name)) return; // the SIGKILL after an ignored SIGTERM: the same stop
      if (action === 'stop' && this.stopBegun.has(name)) return;
      this.n.stops++;
      this.stopBegun.add(name);
      if (u.role === 'crash') return;
      // stopped by berth: nothing may be open on it or on an awake dependent
      for (const c of this.conns) {
        if (c.end !== undefined || c.firstByte === undefined || c.firstByte > at - 200) continue;
        if (c.unit === name) this.fail(`${u.role} got ${action} while a ${c.kind} to it was open (since ${at - c.t0} ms, answering)`);
      }
      for (const d of u.dependents) if (this.running.get(d)) this.fail(`${u.role} got ${action} while its dependent ${this.units.get(d)!.role} was running`);
    }
  }

  /** The invariants checked after every step. */
  check(now = Date.now()): void {
    this.n.checks++;
    if (this.serve?.exitCode !== null && this.serve?.exitCode !== undefined) this.fail(`serve exited with ${this.serve.exitCode}`);
    if (this.watch?.exitCode !== null && this.watch?.exitCode !== undefined) this.fail(`watch-idle exited with ${this.watch.exitCode}`);
    for (const line of this.watchOut?.lines ?? []) if (/"action":"(stop|kill|pause)"/.test(line.line)) this.fail(`watch-idle stopped a container serve manages: ${line.line}`);
    for (const u of this.units.values()) {
      // measured to the decision (the stop begun), not to the end of a stop the engine may take seconds over
      if (!this.running.get(u.name) || this.stopBegun.has(u.name) || u.role === 'crash') continue;
      const users = [u.name, ...u.dependents];
      if ([...this.conns].some((c) => c.end === undefined && users.includes(c.unit))) continue;
      // a dependency sleeps its own timeout after its last dependent is down (its die counts as activity)
      if (u.dependents.some((d) => this.running.get(d))) continue;
      const last = Math.max(this.lastStart.get(u.name) ?? 0, ...users.map((n) => this.lastEnd.get(n) ?? 0));
      const bound = u.timeoutMs + INTERVAL_MS + u.stopMs + SLACK_MS;
      if (now - last > bound) this.fail(`${u.role} still running ${now - last} ms after its last activity (bound ${bound} ms)`);
    }
  }

  // ---- clients ----

  private track(unit: Unit, kind: string): Conn {
    const c: Conn = { unit: unit.name, kind, t0: Date.now() };
    this.conns.add(c);
    this.history.push(c);
    return c;
  }

  private close(c: Conn): void {
    c.end = Date.now();
    this.lastEnd.set(c.unit, Math.max(this.lastEnd.get(c.unit) ?? 0, c.end));
    this.conns.delete(c);
  }

  http(unit: Unit, path: string, o: { abortMs?: number; headers?: Record<string, string>; expect: (status: number, body: string) => string | undefined; kind: string }): Promise<void> {
    this.n.requests++;
    const c = this.track(unit, o.kind);
    return new Promise((resolve) => {
      let aborted = false;
      const req = http.get({ host: '127.0.0.1', port: this.port, path, headers: { host: this.host(unit), ...(o.headers ?? {}) }, agent: false, timeout: 60_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => ((c.firstByte ??= Date.now()), (body += d)));
        res.on('end', () => {
          const why = o.expect(res.statusCode ?? 0, body);
          if (why) this.fail(`${o.kind} ${unit.role}${path}: ${why} (status ${res.statusCode}, body ${JSON.stringify(body.slice(0, 200))})`);
          this.close(c);
          resolve();
        });
        res.on('error', (err) => {
          if (!aborted) this.fail(`${o.kind} ${unit.role}${path}: answer broken: ${err.message}`);
          this.close(c);
          resolve();
        });
      });
      req.on('timeout', () => (this.fail(`${o.kind} ${unit.role}${path}: no answer in 60 s`), req.destroy()));
      req.on('error', (err) => {
        if (!aborted) this.fail(`${o.kind} ${unit.role}${path}: ${err.message}`);
        this.close(c);
        resolve();
      });
      if (o.abortMs !== undefined) {
        setTimeout(() => {
          if (c.end !== undefined || (ABORT_ONLY_ANSWERING && c.firstByte === undefined)) return;
          aborted = true;
          this.n.aborts++;
          req.destroy();
        }, o.abortMs);
      }
    });
  }

  tcp(holdMs: number): Promise<void> {
    this.n.tcp++;
    const unit = this.of('tcp');
    const c = this.track(unit, 'tcp');
    return new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: this.tcpPort });
      let got = '';
      let sent = '';
      let done = false;
      const finish = (why?: string) => {
        if (done) return;
        done = true;
        clearInterval(timer);
        if (why) this.fail(`tcp: ${why} (sent ${sent.length} B, got ${got.length} B)`);
        s.destroy();
        this.close(c);
        resolve();
      };
      const timer = setInterval(() => {
        const line = `ping${sent.length}\n`;
        sent += line;
        s.write(line);
      }, 300);
      s.on('data', (d) => ((c.firstByte ??= Date.now()), (got += d.toString())));
      s.on('error', (err) => finish(err.message));
      s.on('close', () => finish(got === sent ? undefined : 'closed by the far end before the end of the exchange'));
      setTimeout(() => {
        clearInterval(timer);
        const wait = Date.now() + 30_000;
        const settle = setInterval(() => {
          if (got.length >= sent.length || Date.now() > wait) {
            clearInterval(settle);
            finish(got === sent ? undefined : `echo incomplete after ${holdMs} ms`);
          }
        }, 100);
      }, holdMs);
    });
  }

  /**
   * An idle TCP connection straight to the awake app's container (a session serve does not see), held
   * past the app's timeout: the app must not be stopped while it is open (the stop invariant). Counted
   * as open from 1 s after its connect: the last look before a stop reads the connections, and the
   * engine's stop event may follow that look by a moment on a loaded machine.
   */
  async direct(holdMs: number): Promise<void> {
    const unit = this.of('app');
    if (!this.running.get(unit.name) || this.stopBegun.has(unit.name)) return;
    const ip = await this.engine.client
      .getContainer(unit.name)
      .inspect()
      .then(
        (info) => Object.values(info.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress,
        () => undefined,
      );
    if (!ip) return;
    this.n.direct++;
    const c = this.track(unit, 'direct idle connection');
    await new Promise<void>((resolve) => {
      const s = net.connect({ host: ip, port: 8080 });
      let ended = false;
      const done = () => {
        if (ended) return;
        ended = true;
        s.destroy();
        this.close(c);
        resolve();
      };
      s.once('connect', () => {
        c.firstByte = Date.now() + 1000;
        setTimeout(done, holdMs);
      });
      // refused or cut while the app was going down before the connect: not a session
      s.once('error', done);
      s.once('close', done);
    });
  }

  /** A WebSocket through serve, echoing a message every 300 ms for holdMs; cut (terminated) at abortMs if given. */
  websocket(holdMs: number, abortMs?: number): Promise<void> {
    this.n.websockets++;
    const unit = this.of('ws');
    const c = this.track(unit, abortMs === undefined ? 'websocket' : 'cut websocket');
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${this.port}/socket`, { headers: { host: this.host(unit) }, handshakeTimeout: 60_000 });
      let sent = 0;
      let got = 0;
      let done = false;
      let aborted = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (why?: string) => {
        if (done) return;
        done = true;
        clearInterval(timer);
        if (why && !aborted) this.fail(`websocket: ${why} (sent ${sent}, got ${got})`);
        ws.terminate();
        this.close(c);
        resolve();
      };
      ws.on('open', () => {
        c.firstByte ??= Date.now();
        timer = setInterval(() => ws.send(`m${sent++}`), 300);
        setTimeout(() => {
          clearInterval(timer);
          const wait = Date.now() + 30_000;
          const settle = setInterval(() => {
            if (done) return clearInterval(settle);
            if (got >= sent || Date.now() > wait) {
              clearInterval(settle);
              if (got < sent) finish(`echo incomplete after ${holdMs} ms`);
              else ws.close(1000);
            }
          }, 100);
        }, holdMs);
      });
      ws.on('message', (m) => {
        if (m.toString() !== `echo:m${got}`) finish(`unexpected message ${JSON.stringify(m.toString())}`);
        got++;
      });
      ws.on('error', (err) => finish(err.message));
      ws.on('close', (code) => finish(code === 1000 ? undefined : `closed with code ${code}`));
      if (abortMs !== undefined) {
        setTimeout(() => {
          if (done || (ABORT_ONLY_ANSWERING && c.firstByte === undefined)) return;
          aborted = true;
          this.n.aborts++;
          finish();
        }, abortMs);
      }
    });
  }

  slowHead(unit: Unit): Promise<void> {
    this.n.slow++;
    this.n.requests++;
    const c = this.track(unit, 'slow head');
    return new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: this.port });
      let got = '';
      s.on('connect', () => {
        s.write(`GET / HTTP/1.1\r\nHost: ${this.host(unit)}\r\n`);
        setTimeout(() => s.write('Accept: text/plain\r\nConnection: close\r\n\r\n'), 1000);
      });
      s.on('data', (d) => ((c.firstByte ??= Date.now()), (got += d.toString())));
      s.on('error', (err) => this.fail(`slow head: ${err.message}`));
      s.on('close', () => {
        if (!/^HTTP\/1\.1 200 /.test(got) || !got.includes('app-ok')) this.fail(`slow head: ${JSON.stringify(got.slice(0, 120))}`);
        this.close(c);
        resolve();
      });
    });
  }

  /** One random client action, not awaited. */
  step(): Promise<void> {
    const r = this.r;
    const app = this.of('app');
    const ok200 = (want: string) => (status: number, body: string) => (status === 200 && body.includes(want) ? undefined : 'expected 200 from the app');
    const k = r.next();
    if (k < 0.2) return this.http(app, '/', { kind: 'get', expect: ok200('app-ok'), headers: { accept: 'text/plain' } });
    if (k < 0.33) return this.http(app, '/cgi-bin/stream', { kind: 'aborted get', abortMs: r.int(0, 3000), expect: ok200('line') });
    if (k < 0.45) {
      this.n.streams++;
      return this.http(app, '/cgi-bin/stream', { kind: 'stream', expect: (s, b) => (s === 200 && b.includes('line8') ? undefined : 'stream cut short') });
    }
    if (k < 0.57) return this.tcp(r.int(500, 4000));
    if (k < 0.7) return this.websocket(r.int(500, 4000), r.next() < 0.4 ? r.int(0, 3000) : undefined);
    if (k < 0.74) return this.direct(app.timeoutMs + r.int(500, 3000));
    if (k < 0.78) return this.slowHead(app);
    if (k < 0.88) {
      this.n.refused++;
      // an ignored path never wakes: 503 asleep, or the app's own 404 awake
      return this.http(app, '/healthz', { kind: 'refused', expect: (s) => (s === 503 || s === 404 ? undefined : 'expected 503 (asleep) or 404') });
    }
    this.n.crash++;
    return this.http(this.of('crash'), '/', {
      kind: 'crashing route',
      headers: { accept: r.next() < 0.5 ? 'application/json' : 'text/html', ...(r.next() < 0.3 ? { 'sec-fetch-dest': 'image' } : {}) },
      // a page load may get the loading page (a wake begins); anything else a typed 503, never an address
      expect: (s, b) =>
        (s === 503 || (s === 200 && b.includes('<title>Waking'))) && !/\d+\.\d+\.\d+\.\d+/.test(b) ? undefined : 'expected a typed 503 (or the loading page) without an internal address',
    });
  }

  /** Each route's requests in flight, as serve's /$berth/status counts them. */
  async inflight(): Promise<Array<{ role: string; inflight: number }>> {
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: this.port, path: '/$berth/status', agent: false }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve(b));
        })
        .on('error', reject);
    });
    return (JSON.parse(body) as { routes: Array<{ container: string; inflight: number }> }).routes.map((x) => ({ role: this.units.get(x.container)?.role ?? x.container, inflight: x.inflight }));
  }

  async stop(): Promise<void> {
    (this.events$ as unknown as { destroy?: () => void })?.destroy?.();
    this.watch?.kill('SIGINT');
    this.serve?.kill('SIGTERM');
    await Promise.all([this.watch, this.serve]);
    this.wss?.close();
  }
}

/** One seed: builds the project on `engine`, drives `trafficMs` of random clients, checks the invariants, removes what it made. */
export async function runChaosSeed(seed: number, engine: ChaosEngine, trafficMs: number): Promise<void> {
  const ch = new Chaos(seed, engine);
  try {
    await ch.build();
    await ch.followEvents();
    await ch.startProcesses();
    const end = Date.now() + trafficMs;
    const pending = new Set<Promise<void>>();
    while (Date.now() < end) {
      if (pending.size < 6) {
        const p = ch.step().finally(() => pending.delete(p));
        pending.add(p);
      }
      await sleep(ch.r.int(100, 900));
      ch.check();
    }
    await Promise.all(pending);
    // quiet: inflight back to 0 (serve sees the last clients' closes as its loop gets to them: at a
    // load average of 21 one came more than 500 ms after the clients' end), then every container asleep
    // within its bound. A request left counted would pin its route awake: it never returns to 0.
    const inflightBy = Date.now() + SLACK_MS;
    const busy = async () => (await ch.inflight()).filter((x) => x.inflight !== 0);
    let left = await busy();
    while (left.length && Date.now() < inflightBy) {
      await sleep(200);
      left = await busy();
    }
    if (left.length) ch.fail(`inflight did not return to 0 within ${SLACK_MS} ms of the last client's end: ${left.map((x) => `${x.role} ${x.inflight}`).join(', ')}`);
    const quietEnd = Date.now() + Math.max(...[...ch.units.values()].map((u) => u.timeoutMs + INTERVAL_MS + u.stopMs)) * 3 + 2 * SLACK_MS;
    while (Date.now() < quietEnd && [...ch.running.values()].some(Boolean)) {
      await sleep(250);
      ch.check();
    }
    ch.check();
    for (const [name, up] of ch.running) if (up) ch.fail(`${ch.units.get(name)!.role} still running after the quiet period`);
    const summary = `chaos (${engine.name}) seed ${seed}: ${trafficMs / 1000}s of traffic, ${JSON.stringify(ch.n)}, ${ch.violations.length} violations`;
    console.log(summary);
    const serveLog = ch.serveOut!.lines.map((l) => `${new Date(l.at).toISOString()} ${l.line}`).join('\n');
    const events = ch.events.map((e) => `${new Date(e.at).toISOString()} ${ch.units.get(e.name)?.role ?? e.name} ${e.action}`).join('\n');
    if (ch.violations.length) {
      const iso = (t?: number) => (t === undefined ? '-' : new Date(t).toISOString());
      const conns = ch.history.map((c) => `${iso(c.t0)} ${ch.units.get(c.unit)?.role ?? c.unit} ${c.kind} first byte ${iso(c.firstByte)} end ${iso(c.end)}`).join('\n');
      const report = join(mkdtempSync(join(tmpdir(), `berth-chaos-${seed}-`)), 'report.txt');
      writeFileSync(report, `${summary}\n${ch.violations.join('\n')}\n--- serve stdout\n${serveLog}\n--- engine events\n${events}\n--- clients\n${conns}\n--- stderr\n${ch.stderr}\n`);
      console.error(
        `chaos seed ${seed}: the whole record is in ${report}\n--- serve stdout\n${serveLog.slice(-12000)}\n--- engine events\n${events.slice(-4000)}\n--- stderr\n${ch.stderr.slice(-3000)}`,
      );
    }
    expect(ch.violations, `${summary}\nre-run: ${engine.rerun(seed)}`).toEqual([]);
  } catch (err) {
    console.error(`chaos (${engine.name}): FAILED with seed ${seed} (re-run: ${engine.rerun(seed)})`);
    throw err;
  } finally {
    await ch.stop();
    await Promise.all(
      ch.made.map((n) =>
        engine.client
          .getContainer(n)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
  }
}
