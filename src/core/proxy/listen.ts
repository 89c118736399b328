/** Parsers for serve's flags: the listen address and byte sizes. */
import { usageError } from '../errors.js';
import { sizeBytes } from '../parse.js';
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

/** `512`, `64k`, `1m`, `1MiB` (binary units). */
export function parseBytes(text: string, flag: string): number {
  const n = sizeBytes(text);
  if (n === undefined) throw usageError(`${flag}: expected a size like 512, 64k, 1m (got: ${JSON.stringify(text)})`);
  return n;
}
