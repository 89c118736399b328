/**
 * The local ends (address:port) of this process's open connections to
 * upstreams (serve's keep-alive pool and its proxied TCP and WebSocket
 * connections). The lifecycle owner leaves connections whose peer is one of
 * them out of a container's open connections: serve counts its own traffic
 * as activity (requests, streams, connections in flight), and a socket that
 * only idles in its pool is not use. A socket is forgotten when it closes, so
 * the set holds at most the open sockets.
 */
import type { Socket } from 'node:net';

const open = new Set<string>();

const key = (ip: string, port: number) => `${ip.replace(/^::ffff:/i, '')}|${port}`;

/** Remembers a connected (or connecting) socket's local end until it closes. */
export function trackOwnSocket(s: Socket): void {
  const add = () => {
    if (s.localAddress === undefined || s.localPort === undefined) return;
    const k = key(s.localAddress, s.localPort);
    open.add(k);
    s.once('close', () => open.delete(k));
  };
  if (s.localPort !== undefined && !s.connecting) add();
  else s.once('connect', add);
}

/** True when (ip, port) is the local end of one of this process's open upstream connections. */
export function isOwnSocket(ip: string, port: number): boolean {
  return open.has(key(ip, port));
}
