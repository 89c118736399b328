/**
 * WebSocket (and any HTTP Upgrade) passthrough: the request head is replayed
 * on a raw connection to the upstream, then bytes flow both ways untouched.
 * A sleeping route is woken first (the upgrade is held meanwhile). The
 * connection counts as activity for as long as it is open.
 */
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isAllowed } from './access.js';
import { connectAny, type Instead } from './connect-retry.js';
import type { RouteLife } from './lifecycle.js';
import { forwardedHeaders, requestHead, routingHost } from './headers.js';
import { isIgnored, mayWake } from './routes.js';
import type { ProxyContext } from './front-context.js';
import { trackOwnSocket } from './own-sockets.js';
import type { Address } from './upstream.js';

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/**
 * Connects to an upstream. `signal` (shutdown) cancels the connect only: an open connection is closed
 * with its client's, so it keeps no listener on the signal for its whole life.
 */
export function connectTcp(addr: Address, signal?: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('shutting down'));
    const s = net.connect({ host: addr.host, port: addr.port });
    trackOwnSocket(s);
    const cancel = () => s.destroy(new Error('shutting down'));
    const settle = () => (signal?.removeEventListener('abort', cancel), s.off('error', fail));
    const fail = (err: Error) => (settle(), reject(err));
    signal?.addEventListener('abort', cancel, { once: true });
    s.once('connect', () => (settle(), resolve(s)));
    s.once('error', fail);
  });
}

/** After the route's wake, a connection to one of its endpoints of `port` (connect-retry.ts: the next one when a connect fails). */
export async function connectRoute(ctx: ProxyContext, life: RouteLife, port: number): Promise<net.Socket> {
  await life.wake();
  const addr = await life.upstream(port);
  const instead: Instead = (failed, tried, unreachable) => life.instead(port, failed, tried, unreachable);
  return connectAny(addr, (a) => connectTcp(a, ctx.signal), instead, { until: life.readyAt + ctx.connectGraceMs }, ctx.signal);
}

/** Pipes two sockets both ways; `onBytes` on every chunk; resolves when both are closed. */
export function splice(a: Duplex, b: Duplex, onBytes: (dir: 'in' | 'out', n: number) => void): Promise<void> {
  a.on('data', (c: Buffer) => onBytes('in', c.length));
  b.on('data', (c: Buffer) => onBytes('out', c.length));
  a.pipe(b);
  b.pipe(a);
  return new Promise((resolve) => {
    let open = 2;
    const closed = () => {
      a.destroy();
      b.destroy();
      if (--open === 0) resolve();
    };
    a.once('close', closed);
    b.once('close', closed);
    a.on('error', () => {});
    b.on('error', () => {});
  });
}

export function makeUpgradeHandler(ctx: ProxyContext) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => {});
    const target = routingHost(req);
    if ('error' in target) return refuse(socket, 400, 'Bad Request');
    const route = ctx.table().forHost(target.host);
    const life = route && ctx.life(route.container);
    if (!route || !life) return refuse(socket, 404, 'Not Found');
    if (!isAllowed(ctx.access, req.socket.remoteAddress)) return refuse(socket, 403, 'Forbidden');
    const path = req.url ?? '/';
    const ignored = isIgnored(route.ignore, path, req.headers['user-agent']);
    if (!life.awake && (ignored || !mayWake(route, path))) return refuse(socket, 503, 'Service Unavailable');
    const end = ignored ? () => {} : ctx.activity.begin(route.container);
    void (async () => {
      try {
        const up = await connectRoute(ctx, life, route.port);
        const headers = forwardedHeaders(req.rawHeaders, { remote: req.socket.remoteAddress, host: req.headers.host, proto: 'http', trusted: ctx.trustedProxies }, true);
        up.write(requestHead(req.method ?? 'GET', path, headers));
        if (head.length) up.write(head);
        (socket as net.Socket).setTimeout?.(0);
        ctx.metrics.request(route.container, 101);
        await splice(socket, up, () => {});
      } catch {
        ctx.metrics.request(route.container, 502);
        if (!socket.destroyed) refuse(socket, 502, 'Bad Gateway');
      } finally {
        end();
      }
    })();
  };
}
