/**
 * Header rules of a reverse proxy (RFC 9110 7.6.1), on raw header arrays
 * (`[name, value, name, value, ...]`, as Node gives and takes them, so no
 * object is built per request): hop-by-hop headers and those named in
 * Connection are dropped both ways; X-Forwarded-For is appended to,
 * X-Forwarded-Proto/Host are set (a client's own values for those two are
 * replaced). Expect is not passed on: berth's server has already answered
 * it (100 Continue) to the client. A WebSocket upgrade keeps Connection/Upgrade.
 */
import { hostKey } from './routes.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface ClientInfo {
  remote: string | undefined;
  host: string | undefined;
  proto: 'http' | 'https';
}

/** Header names listed in Connection (lower case), besides the standard hop-by-hop ones. */
function connectionTokens(raw: string[]): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length !== 10 || raw[i]!.toLowerCase() !== 'connection') continue;
    for (const t of raw[i + 1]!.split(',')) {
      const n = t.trim().toLowerCase();
      if (n && !HOP_BY_HOP.has(n)) (out ??= new Set()).add(n);
    }
  }
  return out;
}

/** Whether a header (lower-case name) crosses the hop: not hop-by-hop nor named in Connection; Upgrade too with `keepUpgrade`. */
const crosses = (lower: string, named: Set<string> | undefined, keepUpgrade: boolean) =>
  (keepUpgrade && lower === 'upgrade') || (!HOP_BY_HOP.has(lower) && !named?.has(lower));

/** The headers with hop-by-hop ones removed; with `keepUpgrade`, Upgrade is kept and Connection set to "Upgrade". */
export function dropHopByHop(raw: string[], keepUpgrade = false): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (crosses(raw[i]!.toLowerCase(), named, keepUpgrade)) out.push(raw[i]!, raw[i + 1]!);
  if (keepUpgrade) out.push('Connection', 'Upgrade');
  return out;
}

const SET_BY_BERTH = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'expect']);

/** One pass over the client's headers (this is per request): hop-by-hop ones dropped, X-Forwarded-* appended or set. */
export function forwardedHeaders(raw: string[], client: ClientInfo, keepUpgrade = false): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  let xff: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (!crosses(lower, named, keepUpgrade)) continue;
    if (!SET_BY_BERTH.has(lower)) out.push(raw[i]!, raw[i + 1]!);
    else if (lower === 'x-forwarded-for') xff = xff ? `${xff}, ${raw[i + 1]}` : raw[i + 1];
  }
  if (keepUpgrade) out.push('Connection', 'Upgrade');
  const remote = client.remote?.startsWith('::ffff:') ? client.remote.slice(7) : client.remote;
  if (remote) out.push('X-Forwarded-For', xff ? `${xff}, ${remote}` : remote);
  else if (xff) out.push('X-Forwarded-For', xff);
  out.push('X-Forwarded-Proto', client.proto);
  if (client.host) out.push('X-Forwarded-Host', client.host);
  return out;
}

/** Serialises a request head for a raw socket (WebSocket passthrough); CR/LF in values is removed. */
export function requestHead(method: string, url: string, raw: string[]): string {
  let head = `${method} ${url} HTTP/1.1\r\n`;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]!.replace(/[\r\n]/g, '')}\r\n`;
  return head + '\r\n';
}

/**
 * The host a request is routed by (RFC 9112 3.2): its one Host header, or for an absolute-form target
 * (`GET http://app.test/x`, as proxies are sent) the target's authority, and then `req.url` becomes the
 * origin form (`/x`) that is forwarded. More than one Host header, a Host that disagrees with an
 * absolute target, or a target that is neither (`*`, which only OPTIONS may use and the caller answers
 * itself, or another scheme) is an error (answered 400), never a guess.
 */
export function routingHost(req: { url?: string; headers: { host?: string }; rawHeaders: string[] }): { host: string | undefined } | { error: string } {
  let hosts = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') hosts++;
  if (hosts > 1) return { error: 'more than one Host header' };
  const url = req.url ?? '/';
  if (url.charCodeAt(0) === 47 /* / */) return { host: req.headers.host };
  if (!/^https?:\/\//i.test(url)) return { error: `the request target must be a path like /x (got: ${JSON.stringify(url.slice(0, 64))})` };
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { error: 'the request target is not a valid URL' };
  }
  if (req.headers.host !== undefined && hostKey(req.headers.host) !== hostKey(target.host)) return { error: 'the Host header does not match the request target' };
  req.url = target.pathname + target.search;
  return { host: target.host };
}

/** `OPTIONS *` (RFC 9110 9.3.7) asks about the server itself, so berth answers it: 200, no body; it wakes nothing. */
export const isServerWideOptions = (req: { method?: string; url?: string }) => req.url === '*' && req.method === 'OPTIONS';
