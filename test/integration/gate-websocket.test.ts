/**
 * A WebSocket through the user's own proxy keeps its container awake, though
 * the gate answers only the opening request: real nginx and real Caddy run the
 * recipes of docs/gate/ in front of `berth serve --api-listen`, the app is a
 * WebSocket echo server in Python's standard library (test/fixtures/ws-echo.py)
 * in berth-test/real, and the client is the `ws` package. Two rules are at
 * work, each shown alone:
 * - a route behind a gate counts its own network traffic as activity (the
 *   proxy carries the bytes berth does not see): a chatty socket, with
 *   `berth.idle.connections=ignore` so only its traffic can keep it awake;
 * - an established connection to the container's port counts
 *   (`berth.idle.connections`, default `count`): a quiet socket, no message
 *   at all while it is held.
 * Each socket is held three idle timeouts; once it is closed the container
 * sleeps within its timeout (plus a few readings).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { removeContainer, ROOT, runContainer, uniqueName } from '../helpers/docker.js';
import { REAL_IMAGE, requireRealImage } from '../helpers/real-image.js';
import { ServeHarness, isRunning, waitFor } from './serve-harness.js';
import { appPort, startCaddy, startNginx, type GateApp, type RunningProxy } from './gate-proxies.js';

const TIMEOUT_MS = 3000;
/** Three idle timeouts. */
const HOLD_MS = 3 * TIMEOUT_MS;
/**
 * After the close: its timeout, plus a few readings and a kill. A reading is a one-shot stats call, which
 * takes seconds under CI's load: a stop came 8,459 ms after the close there ("idle for 6s", timeout 3 s).
 */
const SLACK_MS = 12_000;
const ECHO = readFileSync(join(ROOT, 'test', 'fixtures', 'ws-echo.py'), 'utf8');
const VIA = ['nginx', 'caddy'] as const;
const KINDS = ['chatty', 'quiet'] as const;
type Kind = (typeof KINDS)[number];

const h = new ServeHarness();
const tmp = mkdtempSync(join(tmpdir(), 'berth-gate-ws-'));
const apps: Record<string, GateApp & { name: string }> = {};
const proxies: Record<string, RunningProxy> = {};

async function echoApp(key: string, labels: Record<string, string>): Promise<void> {
  const name = uniqueName(`gate-ws-${key}`);
  const port = await appPort();
  const host = `${key}-${h.run}.localhost`;
  await runContainer({
    name,
    image: REAL_IMAGE,
    cmd: ['python3', '-c', ECHO, '8080'],
    labels: h.labels({ 'berth.proxy.host': host, 'berth.proxy.port': '8080', 'berth.idle.timeout': `${TIMEOUT_MS / 1000}s`, 'berth.idle.stop_method': 'kill', ...labels }),
    start: false,
    exposedPorts: { '8080/tcp': {} },
    host: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
  });
  h.made.push(name);
  apps[key] = { name, host, upstream: `127.0.0.1:${port}` };
}

beforeAll(async () => {
  await requireRealImage();
  for (const via of VIA) {
    await echoApp(`${via}-chatty`, { 'berth.idle.connections': 'ignore' });
    await echoApp(`${via}-quiet`, {});
  }
  await h.start(['--api-listen', '127.0.0.1:0', '--trusted-proxy', '127.0.0.1']);
  const api = h.records<{ event?: string; listener?: string; listen?: string }>().find((r) => r.event === 'listening' && r.listener === 'api')!.listen!;
  const mine = (via: string) => Object.entries(apps).flatMap(([k, a]) => (k.startsWith(`${via}-`) ? [a] : []));
  for (const via of VIA) mkdirSync(join(tmp, via));
  proxies.nginx = await startNginx(join(tmp, 'nginx'), 'nginx.conf', api, mine('nginx'));
  proxies.caddy = await startCaddy(join(tmp, 'caddy'), api, mine('caddy'));
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(proxies).map((p) => p.stop()));
  await h.stop();
  await Promise.all(h.made.map(removeContainer));
  rmSync(tmp, { recursive: true, force: true });
});

type Rec = { type: string; event?: string; container?: string; to?: string; action?: string; reason?: string; ts: string };
const recs = () => h.records<Rec>();
/** Its stops from `since` (ms) on: a retry of a test does not see the first try's. */
const stops = (name: string, since: number) => recs().filter((r) => r.type === 'idle' && r.container === name && r.to === 'napping' && Date.parse(r.ts) >= since);

/** A WebSocket to the app through the proxy; the gate holds the opening request until the app is ready (X-Berth-Wait). */
function open(via: string, key: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxies[via]!.port}/echo`, { headers: { host: apps[key]!.host, 'x-berth-wait': '1' }, handshakeTimeout: 60_000 });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`the proxy answered ${res.statusCode} to the WebSocket's opening request`)));
    ws.once('error', reject);
  });
}

/** Sends `text` and resolves when the same text comes back. */
function echo(ws: WebSocket, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no echo in 10 s')), 10_000);
    const on = (data: WebSocket.RawData) => {
      if (data.toString() !== text) return;
      clearTimeout(timer);
      ws.off('message', on);
      resolve();
    };
    ws.on('message', on);
    ws.send(text);
  });
}

/** Holds the socket open for HOLD_MS: chatty sends 1 KiB every 0.5 s and waits for its echo; quiet sends nothing. */
async function hold(ws: WebSocket, kind: Kind, name: string, since: number): Promise<void> {
  let closed = '';
  ws.once('close', (code) => (closed = `the socket closed (${code}) while held`));
  const end = Date.now() + HOLD_MS;
  let n = 0;
  while (Date.now() < end && !closed) {
    if (kind === 'chatty') await echo(ws, `${n++}:`.padEnd(1024, 'x'));
    await new Promise((r) => setTimeout(r, 500));
    expect(closed).toBe('');
    expect(stops(name, since), 'stopped while its WebSocket was open').toEqual([]);
  }
  expect(closed).toBe('');
  if (kind === 'chatty') expect(n).toBeGreaterThanOrEqual(HOLD_MS / 1000);
}

describe.each(VIA)('a WebSocket through %s behind the gate', (via) => {
  it.each(KINDS)(
    'keeps its container awake past three idle timeouts while open (%s), and lets it sleep within its timeout once it is closed',
    async (kind) => {
      const key = `${via}-${kind}`;
      const name = apps[key]!.name;
      const began = Date.now();
      const ws = await open(via, key);
      await echo(ws, 'hello'); // the socket reaches the app
      await hold(ws, kind, name, began);
      if (kind === 'quiet') {
        // The positive signal that the idle check ran and found the socket: a keep naming the open connection.
        const kept = recs().find((r) => r.type === 'idle' && r.container === name && r.action === 'keep');
        expect(kept?.reason).toMatch(/but 1 open connection on port 8080; not stopped$/);
      }
      expect(await isRunning(name)).toBe(true);
      await echo(ws, 'still here');
      const closed = new Promise((r) => ws.once('close', r));
      ws.close(1000);
      await closed;
      const at = Date.now();
      const stop = await waitFor(() => stops(name, began)[0], TIMEOUT_MS + SLACK_MS + 5000);
      const after = Date.parse(stop.ts) - at;
      // Chatty: its last traffic was the close, so a full timeout (less one reading). Quiet: its clock was last
      // moved when a check found the socket open, up to one timeout before the close.
      expect(after, stop.reason).toBeGreaterThanOrEqual(kind === 'chatty' ? TIMEOUT_MS - 1000 : 0);
      expect(after, stop.reason).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      expect(stop.reason).toContain(kind === 'quiet' ? 'no open connections' : 'connections not counted (berth.idle.connections=ignore)');
      expect(await isRunning(name)).toBe(false);
    },
    90_000,
  );
});
