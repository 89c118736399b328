/** Parsers for serve's flags (the listen address, byte sizes), and why a listen failed. */
import { usageError } from '../errors.js';
import { isIP } from 'node:net';

/** `PORT`, `HOST:PORT`, `[V6]:PORT` or `:PORT` (= all interfaces); the host defaults to 127.0.0.1. */
export function parseListen(text: string, flag = '--listen'): { host: string; port: number } {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]*)):(\d+)$|^(\d+)$/i.exec(text.trim());
  const fail = () => usageError(`${flag}: expected PORT, HOST:PORT or [IPV6]:PORT (got: ${JSON.stringify(text)})`);
  if (!m) throw fail();
  const port = Number(m[3] ?? m[4]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw fail();
  if (m[4] !== undefined) return { host: '127.0.0.1', port };
  const host = m[1] ?? (m[2] === '' ? '0.0.0.0' : m[2]!);
  if (m[1] !== undefined && isIP(host) !== 6) throw fail();
  return { host, port };
}

/** True for 127.0.0.0/8 and ::1 (an IPv4-mapped loopback too): addresses only this machine reaches. */
export function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d+\.\d+\.\d+$/.test(v4) || address === '::1';
}

/**
 * The one-line warning for a listener the network can reach with the admin endpoints open: bound to
 * a non-loopback address (`bound`, as the server reports it) with neither a token nor an allow list.
 */
export function openAdminWarning(bound: string, port: number, o: { token?: string | undefined; allowList: boolean }): string | undefined {
  if (isLoopback(bound) || o.token || o.allowList) return undefined;
  const where = bound.includes(':') ? `[${bound}]:${port}` : `${bound}:${port}`;
  return `listening on ${where} with neither --token-file nor --allow: /$berth/status, /$berth/metrics and /$berth/api/stats are open to anyone on the network who can connect`;
}

/** The size parser every size flag uses (core/parse.ts), under the name serve has used. */
export { parseSize as parseBytes } from '../parse.js';

/** Why a listen failed, for a person. */
export function listenFailure(err: NodeJS.ErrnoException): string {
  return err.code === 'EADDRINUSE' ? 'the address is in use' : err.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : err.message;
}
