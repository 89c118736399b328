/**
 * Header rules of a reverse proxy (RFC 9110 7.6.1): hop-by-hop headers and
 * those named in Connection are dropped both ways; X-Forwarded-For/Proto/Host
 * tell the app who asked. A WebSocket upgrade keeps Connection/Upgrade.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

export function dropHopByHop(headers: IncomingHttpHeaders, keepUpgrade = false): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...headers };
  const named = String(headers.connection ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const h of [...HOP_BY_HOP, ...named]) {
    if (keepUpgrade && (h === 'upgrade' || h === 'connection')) continue;
    delete out[h];
  }
  if (keepUpgrade) {
    out.connection = 'Upgrade';
  }
  return out;
}

export interface ClientInfo {
  remote: string | undefined;
  host: string | undefined;
  proto: 'http' | 'https';
}

export function forwardedHeaders(headers: IncomingHttpHeaders, client: ClientInfo, keepUpgrade = false): OutgoingHttpHeaders {
  const out = dropHopByHop(headers, keepUpgrade);
  const prior = headers['x-forwarded-for'];
  const remote = client.remote?.replace(/^::ffff:/i, '');
  if (remote) out['x-forwarded-for'] = prior ? `${prior}, ${remote}` : remote;
  out['x-forwarded-proto'] = client.proto;
  if (client.host) out['x-forwarded-host'] = client.host;
  return out;
}

/** Serialises a request head for a raw socket (WebSocket passthrough). */
export function requestHead(method: string, url: string, headers: OutgoingHttpHeaders): string {
  let head = `${method} ${url} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) head += `${k}: ${String(one).replace(/[\r\n]/g, '')}\r\n`;
  }
  return head + '\r\n';
}
