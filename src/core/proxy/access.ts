/**
 * Who may use the proxy: allow/deny CIDR lists (IPv4 and IPv6; an IPv4
 * client seen as ::ffff:a.b.c.d is matched as IPv4), deny winning, an empty
 * allow list allowing all; and an optional bearer token for the admin
 * endpoints, compared in constant time.
 */
import { BlockList, isIP } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import { usageError } from '../errors.js';

export interface AccessRules {
  allow: BlockList | undefined;
  deny: BlockList | undefined;
}

export function parseCidrs(values: readonly string[], flag: string): BlockList | undefined {
  if (!values.length) return undefined;
  const list = new BlockList();
  for (const raw of values.flatMap((v) => v.split(','))) {
    const v = raw.trim();
    if (!v) continue;
    const [addr = '', bits] = v.split('/');
    const family = isIP(addr);
    const max = family === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (!family || !/^\d*$/.test(bits ?? '') || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw usageError(`${flag}: expected an address or CIDR like 10.0.0.0/8 or fd00::/8 (got: ${JSON.stringify(v)})`);
    }
    list.addSubnet(addr, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** The client address as the lists match it. */
export function normalizeAddress(addr: string | undefined): { addr: string; type: 'ipv4' | 'ipv6' } | undefined {
  if (!addr) return undefined;
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (m) return { addr: m[1]!, type: 'ipv4' };
  const family = isIP(addr);
  if (!family) return undefined;
  return { addr, type: family === 6 ? 'ipv6' : 'ipv4' };
}

/**
 * An answer per client address, worked out once: a BlockList check builds a SocketAddress, which cost
 * more than the rest of a gate question (the gate is asked from a proxy's one or few addresses, every
 * request). The lists never change while serve runs. At most 1024 addresses are kept, then all forgotten.
 */
function perAddress(answer: (addr: string) => boolean): (addr: string) => boolean {
  const known = new Map<string, boolean>();
  return (addr) => {
    let yes = known.get(addr);
    if (yes === undefined) {
      if (known.size >= 1024) known.clear();
      known.set(addr, (yes = answer(addr)));
    }
    return yes;
  };
}

function inList(list: BlockList, addr: string): boolean {
  const a = normalizeAddress(addr);
  return !!a && list.check(a.addr, a.type);
}

const allowedBy = new WeakMap<AccessRules, (addr: string) => boolean>();

export function isAllowed(rules: AccessRules, remote: string | undefined): boolean {
  if (!rules.allow && !rules.deny) return true;
  if (!remote) return false;
  let allowed = allowedBy.get(rules);
  if (!allowed) allowedBy.set(rules, (allowed = perAddress((addr) => !!normalizeAddress(addr) && !(rules.deny && inList(rules.deny, addr)) && (!rules.allow || inList(rules.allow, addr)))));
  return allowed(remote);
}

/** The --trusted-proxy check for forwardedHeaders, or undefined when no proxy is trusted. */
export function trustedProxyCheck(list: BlockList | undefined): ((addr: string) => boolean) | undefined {
  if (!list) return undefined;
  return perAddress((addr) => inList(list, addr));
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Whether a client may see the details of a wake (dependency names, budgets, failure reasons) on the
 * loading page, its event stream and the failed-wake answers: only one that carries the configured
 * token. Without a token configured nobody does: those pages are open to whoever reaches a route, and
 * the details stay in serve's output and /$berth/status.
 */
export function showsDetails(token: string | undefined, authorization: string | undefined): boolean {
  return !!token && tokenMatches(token, authorization);
}

/** True when no token is configured or the Authorization header carries it. */
export function tokenMatches(token: string | undefined, authorization: string | undefined): boolean {
  if (!token) return true;
  const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  if (!m) return false;
  return timingSafeEqual(digest(m[1]!.trim()), digest(token));
}
