/**
 * Header rules of a reverse proxy (RFC 9110 7.6.1), on raw header arrays
 * (`[name, value, name, value, ...]`, as Node gives and takes them, so no
 * object is built per request): hop-by-hop headers and those named in
 * Connection are dropped both ways. Expect is not passed on: berth's server
 * has already answered it (100 Continue) to the client. A WebSocket upgrade
 * keeps Connection/Upgrade.
 *
 * Forwarding headers (X-Forwarded-*, X-Real-IP, Forwarded) are believed only
 * from a trusted proxy (--trusted-proxy, as traefik's
 * forwardedHeaders.trustedIPs): from one, X-Forwarded-For and Forwarded are
 * appended to and the others kept (set when missing); from anyone else they
 * are all dropped and berth's own are set: X-Forwarded-For and X-Real-IP =
 * the client's address, X-Forwarded-Proto/Host, and one Forwarded element
 * (RFC 7239).
 */
import { hostKey } from './routes.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface ClientInfo {
  remote: string | undefined;
  host: string | undefined;
  proto: 'http' | 'https';
  /** Whether an address is a trusted proxy (--trusted-proxy); none is when left out. */
  trusted?: (addr: string) => boolean;
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
const crosses = (lower: string, named: Set<string> | undefined, keepUpgrade: boolean) => (keepUpgrade && lower === 'upgrade') || (!HOP_BY_HOP.has(lower) && !named?.has(lower));

/** The headers with hop-by-hop ones removed; with `keepUpgrade`, Upgrade is kept and Connection set to "Upgrade". */
export function dropHopByHop(raw: string[], keepUpgrade = false): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (crosses(raw[i]!.toLowerCase(), named, keepUpgrade)) out.push(raw[i]!, raw[i + 1]!);
  if (keepUpgrade) out.push('Connection', 'Upgrade');
  return out;
}

/** Forwarding headers the client sends and berth sets (lower case), besides any `x-forwarded-*`. */
const FORWARDING = new Set(['x-real-ip', 'forwarded', 'expect']);
const isForwarding = (lower: string) => FORWARDING.has(lower) || (lower.length > 12 && lower.startsWith('x-forwarded-'));

/** What a trusted proxy said about the request. */
interface Claimed {
  xff?: string;
  proto?: string;
  host?: string;
  realIp?: string;
  forwarded?: string;
}

/** Keeps a trusted proxy's forwarding header: the ones berth rewrites are remembered, others passed on as they are. */
function claim(c: Claimed, out: string[], name: string, lower: string, value: string): void {
  if (lower === 'x-forwarded-for') c.xff = c.xff ? `${c.xff}, ${value}` : value;
  else if (lower === 'forwarded') c.forwarded = c.forwarded ? `${c.forwarded}, ${value}` : value;
  else if (lower === 'x-forwarded-proto') c.proto ??= value;
  else if (lower === 'x-forwarded-host') c.host ??= value;
  else if (lower === 'x-real-ip') c.realIp ??= value;
  else if (lower !== 'expect') out.push(name, value);
}

/** One pass over the client's headers (this is per request): hop-by-hop ones dropped, forwarding ones believed or replaced. */
export function forwardedHeaders(raw: string[], client: ClientInfo, keepUpgrade = false): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  const remote = bareAddress(client.remote);
  const trusted = remote !== undefined && client.trusted !== undefined && client.trusted(remote);
  const c: Claimed = {};
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (!crosses(lower, named, keepUpgrade)) continue;
    if (!isForwarding(lower)) out.push(raw[i]!, raw[i + 1]!);
    else if (trusted) claim(c, out, raw[i]!, lower, raw[i + 1]!);
  }
  if (keepUpgrade) out.push('Connection', 'Upgrade');
  const xff = c.xff && remote ? `${c.xff}, ${remote}` : (c.xff ?? remote);
  if (xff) out.push('X-Forwarded-For', xff);
  out.push('X-Forwarded-Proto', c.proto ?? client.proto);
  const host = c.host ?? client.host;
  if (host) out.push('X-Forwarded-Host', host);
  const real = c.realIp ?? (trusted ? realClient(c.xff, remote!, client.trusted!) : remote);
  if (real) out.push('X-Real-IP', real);
  const element = elementOf(remote, client.host, client.proto);
  out.push('Forwarded', c.forwarded ? `${c.forwarded}, ${element}` : element);
  return out;
}

/** An IPv4 client seen as ::ffff:a.b.c.d, as a.b.c.d. */
const bareAddress = (a: string | undefined) => (a?.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a);

/** The client behind trusted proxies: the rightmost address of the chain that is not trusted (the leftmost if all are). */
export function realClient(xff: string | undefined, remote: string, trusted: (addr: string) => boolean): string {
  const chain = (xff ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (let i = chain.length - 1; i >= 0; i--) if (!trusted(chain[i]!)) return chain[i]!;
  return chain[0] ?? remote;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const quoted = (v: string) => (TOKEN.test(v) ? v : `"${v.replace(/["\\]/g, (m) => `\\${m}`)}"`);

/** This hop's Forwarded element (RFC 7239 4): `for` is the client's address (an IPv6 one bracketed and quoted). */
export function forwardedElement(remote: string | undefined, host: string | undefined, proto: string): string {
  const node = remote === undefined ? 'unknown' : remote.includes(':') ? `"[${remote}]"` : remote;
  return `for=${node}${host ? `;host=${quoted(host)}` : ''};proto=${proto}`;
}

/** The last element built: a keep-alive client sends request after request with the same address and host. */
let last = { remote: '', host: '' as string | undefined, proto: '', element: '' };

function elementOf(remote: string | undefined, host: string | undefined, proto: string): string {
  if (remote === undefined) return forwardedElement(remote, host, proto);
  if (remote !== last.remote || host !== last.host || proto !== last.proto) last = { remote, host, proto, element: forwardedElement(remote, host, proto) };
  return last.element;
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
