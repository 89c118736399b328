/**
 * Readiness probes: an HTTP GET answered 2xx/3xx, or a TCP connect that
 * succeeds. Each attempt is bounded by `timeoutMs`; a failed attempt resolves
 * false (the caller retries), it never throws.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Probe } from './config.js';

/** The host name in a probe that stands for the container's own address. */
export const CONTAINER_HOST = 'container';

export function probeOnce(probe: Probe, address: string | undefined, timeoutMs: number): Promise<boolean> {
  return probe.kind === 'http' ? httpProbe(probe.url, address, timeoutMs) : tcpProbe(resolveHost(probe.host, address), probe.port, timeoutMs);
}

const resolveHost = (host: string, address: string | undefined) => (host === CONTAINER_HOST ? (address ?? host) : host);

function httpProbe(text: string, address: string | undefined, timeoutMs: number): Promise<boolean> {
  const url = new URL(text);
  if (url.hostname === CONTAINER_HOST && address) url.hostname = address;
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve) => {
    const req = get(url, { timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export function describeProbe(p: Probe): string {
  return p.kind === 'http' ? p.url : `tcp://${p.host}:${p.port}`;
}
