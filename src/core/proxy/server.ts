/**
 * `berth serve` assembled: discovers the routes, listens for HTTP (and one
 * TCP listener per TCP route), keeps the routes in step with the engine,
 * puts idle containers to sleep, and on the signal shuts down gracefully:
 * stop accepting, end the SSE streams, let in-flight requests finish up to
 * `shutdownTimeoutMs`, then close what is left.
 */
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import type stream from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engine/engine.js';
import { BerthError } from '../errors.js';
import type { ConfigFile } from '../idle/config-file.js';
import type { IdleRecord, Provider, WakeEvent, WakePath } from '../idle/types.js';
import { LifecycleOwner } from '../idle/lifecycle-owner.js';
import type { Claims } from '../idle/claims.js';
import type { ServeRecord } from '../records.js';
import { Activity } from './activity.js';
import { trustedProxyCheck, type AccessRules } from './access.js';
import { makeAdminHandler } from './admin.js';
import type { ProxyContext } from './front-context.js';
import { discoverRoutes, type Discovery } from './discover.js';
import { containerUpstreams, type ContainerReader, type UpstreamSource } from './upstream.js';
import { syncWithEngine } from './engine-sync.js';
import { whenAborted } from '../stream/abort.js';
import { statusLine } from '../events/watcher.js';
import { makeHttpHandler } from './http-proxy.js';
import { makeApiHandler } from './api-listener.js';
import { listenFailure, openAdminWarning } from './listen.js';
import { ProxyMetrics } from './metrics.js';
import { RouteSet } from './route-set.js';
import { DependencyCheck } from './route-deps.js';
import type { UnitSource } from '../idle/wake.js';
import { StatsSampler } from './stats-api.js';
import { isOwnSocket } from './own-sockets.js';
import { UpstreamPools } from './upstream-pool.js';
import { TcpListeners } from './tcp-proxy.js';
import { makeUpgradeHandler } from './websocket.js';

/**
 * Where the routes come from and how they are reached: the containers of `engine` (the default), or a
 * swarm's services (commands/serve.ts builds this from swarm/service-routes.ts and swarm/endpoints.ts).
 */
export interface RouteBackend {
  discover(file: ConfigFile | undefined, filters: Record<string, string[]>, signal: AbortSignal): Promise<Discovery>;
  /** The engine whose events keep the routes in step, and the kind of unit they are about. */
  events: { engine: Engine; kind: 'container' | 'service' };
  upstreams: UpstreamSource;
  /** Why the stats history API has no series for these routes; undefined: it samples them (containers). */
  noStats?: (name: string) => string;
}

export interface ServeOptions {
  engine: Engine;
  /** Where the routes come from: the containers of `engine` (containerBackend), or a swarm's services. */
  backend: RouteBackend;
  host: string;
  port: number;
  /** The API listener (--api-listen): the wake gate and the /$berth/ endpoints, apart from user traffic. */
  api?: { host: string; port: number };
  file?: ConfigFile;
  /** Docker filters narrowing which containers may be routes (--filter). */
  filters: Record<string, string[]>;
  wakes: WakePath;
  /** The wake path's units: each route's dependencies are checked against them when the routes are discovered. */
  units?: Pick<UnitSource, 'graph'>;
  provider: Provider;
  access: AccessRules;
  /** Clients whose forwarding headers are believed (--trusted-proxy). */
  trustedProxies?: net.BlockList;
  token?: string;
  holdBodyLimit: number;
  wakeTimeoutMs?: number;
  statsIntervalMs: number;
  statsExpiryMs: number;
  maxHeaderSize: number;
  headersTimeoutMs: number;
  clientIdleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  shutdownTimeoutMs: number;
  maxSseSubscribers: number;
  /** Time between the lifecycle owner's rounds (idle decisions, dependencies' sleep). */
  idleIntervalMs: number;
  /** Cross-process ownership of the containers serve manages (its routes and their dependencies). */
  claims?: Claims;
  record: (r: ServeRecord | WakeEvent | IdleRecord) => void;
  warn: (message: string) => void;
  /** Called once listening, with the bound HTTP port (useful with --listen :0). */
  onListening?: (port: number) => void;
}

const iso = () => new Date().toISOString();

export async function serve(o: ServeOptions, signal: AbortSignal): Promise<void> {
  // Requests waiting on an engine call (the inspect that finds an upstream address, for each request that
  // arrives before it is known) or on an upstream connect listen on this one signal for shutdown, one
  // each while they wait: their number follows the clients, not a leak, so Node's warning past 10 would
  // be noise. That they are all removed is tested (test/unit/proxy-listeners.test.ts).
  setMaxListeners(0, signal);
  const metrics = new ProxyMetrics();
  const activity = new Activity();
  const budget = { max: o.maxSseSubscribers, count: 0 };
  const backend = o.backend;
  const routes = new RouteSet(
    {
      upstreams: backend.upstreams,
      wakes: o.wakes,
      provider: o.provider,
      metrics,
      budget,
      signal,
      record: o.record,
      errorHoldMs: 5000,
      ...(o.wakeTimeoutMs ? { wakeTimeoutMs: o.wakeTimeoutMs } : {}),
    },
    activity,
  );
  const sampler = new StatsSampler(o.engine, { intervalMs: o.statsIntervalMs, expiryMs: o.statsExpiryMs }, signal);
  const upstreams = new UpstreamPools();
  const ctx: ProxyContext = {
    table: () => routes.table,
    life: (n) => routes.get(n),
    activity,
    metrics,
    access: o.access,
    ...(o.token ? { token: o.token } : {}),
    ...(o.trustedProxies ? { trustedProxies: trustedProxyCheck(o.trustedProxies)! } : {}),
    upstreams,
    holdBodyLimit: o.holdBodyLimit,
    connectGraceMs: 5000,
    onRequest: backend.noStats ? () => {} : (n) => sampler.touch(n),
    retryAfterSec: 5,
    signal,
  };
  const tcp = new TcpListeners(ctx, o.host, o.warn);
  const deps = o.units ? new DependencyCheck(o.units, o.warn) : undefined;
  const discover = async (startup = false) => {
    const d = await backend.discover(o.file, o.filters, signal);
    if (signal.aborted) return; // a round cut short by the stop reports nothing
    for (const p of [...d.problems, ...routes.apply(d.found)]) o.warn(p);
    await deps?.run(routes.all(), signal);
    await tcp.sync(routes.table.byTcp.keys(), startup);
  };
  await discover(true);
  const admin = makeAdminHandler({ ctx, lives: () => routes.all(), sampler, ...(backend.noStats ? { noStats: backend.noStats } : {}), sseSubscribers: () => budget.count, token: o.token });
  const server = createServer(o, makeHttpHandler(ctx, admin), ctx);
  announce(o, routes, await listen(server, o.host, o.port));
  const api = o.api ? createServer(o, makeApiHandler(ctx, admin)) : undefined;
  if (api && o.api) announceApi(o, await listen(api, o.api.host, o.api.port, '--api-listen'));
  const owner = lifecycleOwner(o, routes);
  const background = startBackground(o, backend, routes, owner, discover, signal);
  await whenAborted(signal);
  await shutdown(server, tcp, routes, o, api);
  await upstreams.destroy();
  await background;
}

/** Routes that are the containers of one engine, reached through their provider (the ContainerProvider). */
export function containerBackend(engine: Engine, provider: ContainerReader): RouteBackend {
  return { discover: (file, filters, signal) => discoverRoutes(engine, file, filters, signal), events: { engine, kind: 'container' }, upstreams: containerUpstreams(provider) };
}

/** An HTTP server with serve's limits; `ctx` given: it proxies WebSocket upgrades too (the routes' listener). */
function createServer(o: ServeOptions, handler: http.RequestListener, ctx?: ProxyContext): http.Server {
  // Node checks the head timeout only every connectionsCheckingInterval (30 s by default), which let a
  // slow client hold a socket up to 30 s past --header-timeout: check four times per timeout, at most every 1 s.
  const checkMs = Math.min(1000, Math.max(100, Math.floor(o.headersTimeoutMs / 4)));
  const server = http.createServer(
    { maxHeaderSize: o.maxHeaderSize, headersTimeout: o.headersTimeoutMs, requestTimeout: 0, keepAliveTimeout: o.keepAliveTimeoutMs, connectionsCheckingInterval: checkMs },
    handler,
  );
  server.timeout = o.clientIdleTimeoutMs;
  if (ctx) server.on('upgrade', makeUpgradeHandler(ctx));
  server.on('clientError', onClientError);
  return server;
}

function announce(o: ServeOptions, routes: RouteSet, bound: net.AddressInfo): void {
  const port = bound.port;
  // The address actually bound (localhost and 0 resolved), not the text given to --listen.
  o.record({ type: 'serve', ts: iso(), event: 'listening', listen: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${port}` });
  for (const l of routes.all()) o.record({ type: 'serve', ts: iso(), event: 'route', container: l.name, hosts: l.route.hosts, port: l.route.port, tcp: l.route.tcp, state: l.state });
  const open = openAdminWarning(bound.address, port, { token: o.token, allowList: !!o.access.allow });
  if (open) o.warn(open);
  o.onListening?.(port);
  if (!routes.lives.size) o.warn('no routes yet: label containers with berth.proxy.host or berth.proxy.tcp (or list them in --config); serving anyway');
}

function announceApi(o: ServeOptions, bound: net.AddressInfo): void {
  o.record({ type: 'serve', ts: iso(), event: 'listening', listener: 'api', listen: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}` });
  const open = openAdminWarning(bound.address, bound.port, { token: o.token, allowList: !!o.access.allow });
  if (open) o.warn(`--api-listen: ${open}`);
}

/**
 * The one lifecycle owner (the same as watch-idle's) over the routes and
 * every dependency they wake: it sees the proxy's activity, puts routes to
 * sleep through their lives and dependencies directly, each on a fresh
 * reading, and defers to another berth serve already managing a container.
 */
function lifecycleOwner(o: ServeOptions, routes: RouteSet): LifecycleOwner {
  return new LifecycleOwner({
    provider: o.provider,
    ...(o.file ? { file: o.file } : {}),
    names: () => [...routes.lives.keys()],
    withDeps: true,
    embedded: true,
    intervalMs: o.idleIntervalMs,
    activity: (n) => routes.activityOf(n),
    sleep: (n, _cfg, reason) => routes.sleepRoute(n, reason),
    fronted: (n) => routes.lives.has(n),
    // Behind the gate the user's proxy carries the bytes (a WebSocket, a download) after one question:
    // the routes' own network counters count as activity too.
    ...(o.api ? { carried: () => true } : {}),
    ownPeer: isOwnSocket,
    emit: (r) => o.record(r),
    warn: o.warn,
    ...(o.claims ? { claims: o.claims } : {}),
    startedHere: (n) => {
      const by = o.wakes.startedBy(n);
      return by === undefined ? undefined : by === n ? 'woken by this serve' : `woken by this serve (dependency of ${by})`;
    },
  });
}

function startBackground(o: ServeOptions, backend: RouteBackend, routes: RouteSet, owner: LifecycleOwner, discover: () => Promise<void>, signal: AbortSignal): Promise<unknown> {
  let pending: NodeJS.Timeout | undefined;
  const rediscover = () => {
    clearTimeout(pending);
    pending = setTimeout(() => void discover().catch((err) => signal.aborted || o.warn(`route discovery failed: ${(err as Error)?.message ?? String(err)}`)), 200);
  };
  const sync = syncWithEngine(backend.events.engine, routes, { rediscover, onStatus: (s) => o.warn(statusLine(s)) }, signal, backend.events.kind).catch((err) => {
    if (!signal.aborted) o.warn(`lost the engine's events: ${(err as Error).message}`);
  });
  const ticks = (async () => {
    try {
      for (;;) {
        await sleep(15_000, undefined, { signal });
        for (const l of routes.all()) l.hub.heartbeat();
      }
    } catch {
      clearTimeout(pending);
    }
  })();
  // A round once begun is finished (a stop is never cut in half); the signal ends the loop between rounds.
  const idle = (async () => {
    try {
      while (!signal.aborted) {
        await owner.tickSafe(signal);
        await sleep(o.idleIntervalMs, undefined, { signal });
      }
    } catch {
      /* aborted */
    } finally {
      await owner.settle();
      owner.release();
    }
  })();
  return Promise.all([sync, ticks, idle]);
}

/** A request Node could not read: 431 for a head past --max-header-size, 408 for a slow head, else 400. */
function onClientError(err: NodeJS.ErrnoException, socket: stream.Duplex): void {
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  else socket.destroy();
}

function listen(server: http.Server, host: string, port: number, flag = '--listen'): Promise<net.AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new BerthError('USAGE', `${flag}: cannot listen on ${host}:${port}: ${listenFailure(err)}`, { cause: err }));
    });
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve(server.address() as net.AddressInfo);
    });
  });
}

async function shutdown(server: http.Server, tcp: TcpListeners, routes: RouteSet, o: ServeOptions, api: http.Server | undefined): Promise<void> {
  const servers = api ? [server, api] : [server];
  const closed = Promise.all([...servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))), tcp.closeAll()]);
  for (const l of routes.all()) l.hub.closeAll();
  for (const s of servers) s.closeIdleConnections();
  const deadline = new AbortController();
  const timer = sleep(o.shutdownTimeoutMs, 'late' as const, { signal: deadline.signal }).catch(() => 'done' as const);
  if ((await Promise.race([closed.then(() => 'done' as const), timer])) === 'late') {
    o.warn(`shutdown: closing connections still open after ${o.shutdownTimeoutMs} ms`);
  }
  deadline.abort();
  for (const s of servers) s.closeAllConnections();
  tcp.destroyAll();
  // An idle stop already sent to the engine is seen through (the container's own stop timeout bounds it),
  // so serve never exits with a container half-stopped and its record unprinted.
  const stops = routes.all().flatMap((l) => (l.stopInProgress ? [l.stopInProgress] : []));
  if (stops.length) {
    o.warn(`shutdown: finishing ${stops.length === 1 ? 'a stop' : `${stops.length} stops`} already begun`);
    await Promise.all(stops);
  }
}
