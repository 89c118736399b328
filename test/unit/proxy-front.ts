/**
 * A bare HTTP front end for unit tests of http-proxy.ts: the real handler
 * (makeHttpHandler) over a fake route life whose wake takes `wakeMs`, and a
 * raw TCP upstream on 127.0.0.1 whose answer each test writes byte by byte,
 * so close-delimited, chunked and bare-LF answers can be sent as apps send them.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Activity } from '../../src/core/proxy/activity.js';
import { makeHttpHandler } from '../../src/core/proxy/http-proxy.js';
import type { ProxyContext } from '../../src/core/proxy/front-context.js';
import type { RouteLife } from '../../src/core/proxy/lifecycle.js';
import { ProxyMetrics } from '../../src/core/proxy/metrics.js';
import { parseRoute, RouteTable } from '../../src/core/proxy/routes.js';
import { UpstreamPools } from '../../src/core/proxy/upstream-pool.js';
import { makeUpgradeHandler } from '../../src/core/proxy/websocket.js';

export interface UpstreamSeen {
  head: string;
  /** True once the upstream saw the connection end or reset. */
  closed: boolean;
}

/** A raw upstream: `answer(head, socket)` writes whatever it wants once a request head arrived. */
export async function rawUpstream(answer: (head: string, socket: net.Socket) => void) {
  const seen: UpstreamSeen[] = [];
  const server = net.createServer((socket) => {
    let buf = '';
    let s: UpstreamSeen | undefined;
    socket.on('error', () => {});
    socket.on('close', () => s && (s.closed = true));
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (s || end < 0) return;
      seen.push((s = { head: buf.slice(0, end), closed: false }));
      answer(s.head, socket);
    });
  });
  const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
  return { port, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface FrontOptions {
  upstreamPort: number;
  wakeMs?: number;
  /** The wake ends when this settles (instead of after `wakeMs`): the test says when. */
  wakeUntil?: Promise<unknown>;
  holdBodyLimit?: number;
  /** Starts awake (no wake needed). */
  awake?: boolean;
  /** Refused upstream connects are retried for this long after a wake (ms). */
  graceMs?: number;
  /** How long looking up the upstream address takes (an inspect, in serve). */
  upstreamMs?: number;
  trustedProxies?: ProxyContext['trustedProxies'];
}

export interface Front {
  port: number;
  ctx: ProxyContext;
  wakes: () => number;
  /** Whether the fake route is up (its wake over). */
  awake: () => boolean;
  close: () => Promise<void>;
}

export async function startFront(o: FrontOptions): Promise<Front> {
  const route = parseRoute('web', { 'berth.proxy.host': 'app.test', 'berth.proxy.port': String(o.upstreamPort) });
  let wakes = 0;
  let awake = !!o.awake;
  let waking: Promise<void> | undefined;
  const life: { readyAt: number } & Record<string, unknown> = {
    name: 'web',
    route,
    get awake() {
      return awake;
    },
    failedRecently: false,
    readyAt: 0,
    runSignal: new AbortController().signal,
    crashed: false,
    error: undefined,
    wake() {
      if (awake) return Promise.resolve();
      return (waking ??= (async () => {
        wakes++;
        await (o.wakeUntil ?? new Promise((r) => setTimeout(r, o.wakeMs ?? 300)));
        awake = true;
        waking = undefined;
        life.readyAt = Date.now();
      })());
    },
    cachedUpstream: () => undefined,
    instead: () => undefined,
    upstream: async () => {
      if (o.upstreamMs) await new Promise((r) => setTimeout(r, o.upstreamMs));
      return { host: '127.0.0.1', port: o.upstreamPort };
    },
  };
  const table = new RouteTable([route]);
  const upstreams = new UpstreamPools();
  const abort = new AbortController();
  const ctx: ProxyContext = {
    table: () => table,
    life: (n) => (n === 'web' ? (life as unknown as RouteLife) : undefined),
    activity: new Activity(),
    metrics: new ProxyMetrics(),
    access: { allow: undefined, deny: undefined },
    ...(o.trustedProxies ? { trustedProxies: o.trustedProxies } : {}),
    upstreams,
    holdBodyLimit: o.holdBodyLimit ?? 1024,
    connectGraceMs: o.graceMs ?? 0,
    onRequest: () => {},
    retryAfterSec: 5,
    signal: abort.signal,
  };
  const server = http.createServer(makeHttpHandler(ctx, (_req, res) => res.writeHead(404).end()));
  server.on('upgrade', makeUpgradeHandler(ctx));
  const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
  return {
    port,
    ctx,
    wakes: () => wakes,
    awake: () => awake,
    close: async () => {
      abort.abort();
      server.closeAllConnections();
      await upstreams.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Sends raw bytes to `port`; resolves with everything read until the server closes (send `Connection: close`), fails if it has not within `ms`. */
export function rawExchange(port: number, text: string, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let got = '';
    const done = () => (clearTimeout(timer), s.destroy(), resolve(got));
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`the server did not close within ${ms} ms; read so far: ${JSON.stringify(got)}`))), ms);
    s.on('connect', () => s.write(text));
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', done);
    s.on('close', done);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function requestsTotal(ctx: ProxyContext): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { labels, value } of ctx.metrics.requests.values.values()) out[labels.code!] = value;
  return out;
}
