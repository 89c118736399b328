/**
 * The gate's question, read from a forward-auth request (nginx auth_request,
 * Caddy forward_auth, Traefik ForwardAuth): which routes it is about and what
 * the original request was. Pure, so it is unit-tested with plain objects.
 *
 * Routes are picked, in this order, by `names=` (repeatable, or comma
 * separated: container names of routes), by `group=` (the routes with that
 * sablier.group label, else of that compose project), else by the original request's host: X-Forwarded-Host
 * from a trusted proxy (--trusted-proxy), else the Host header (nginx's
 * subrequest carries the original one when the recipe sets it). The original
 * path and method come from X-Forwarded-Uri and X-Forwarded-Method, believed
 * only from a trusted proxy (from anyone else: `/` and GET).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { SABLIER, type Route, type RouteTable } from './routes.js';

export const COMPOSE_PROJECT = 'com.docker.compose.project';

export interface GateAsk {
  names: readonly string[];
  group: string | undefined;
  /** The original request's host (undefined: none given). */
  host: string | undefined;
  /** The original request's path and query. */
  path: string;
  method: string;
  /** Hold the answer until the routes are ready (`wait=1`, or the client's `X-Berth-Wait: 1`). */
  wait: boolean;
  /** Answer "not ready" with this code and no body (nginx's auth_request passes only 2xx, 401 and 403). */
  deny: 401 | 403 | undefined;
  /** X-Forwarded-* came from a client that is not a trusted proxy, and was ignored (said in a 404). */
  ignoredForward: boolean;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
/** The first of a comma-separated list (a proxy chain's X-Forwarded-Host), without building the list. */
const firstOf = (v: string) => {
  const comma = v.indexOf(',');
  return (comma < 0 ? v : v.slice(0, comma)).trim();
};
const yes = (v: string | null | undefined) => v === '' || v === '1' || v === 'true' || v === 'yes';

type Query = Pick<GateAsk, 'names' | 'group' | 'deny'> & { wait: boolean };

/** The gate URL's query, read once per distinct query: a proxy asks with the same URL every time. */
const queries = new Map<string, Query | { error: string }>();

function readQuery(query: string): Query | { error: string } {
  let read = queries.get(query);
  if (read) return read;
  const params = new URLSearchParams(query);
  const denyText = params.get('deny');
  const group = params.get('group') ?? undefined;
  read =
    denyText !== null && denyText !== '401' && denyText !== '403'
      ? { error: `deny: expected 401 or 403 (got: ${JSON.stringify(denyText)})` }
      : {
          names: params
            .getAll('names')
            .flatMap((v) => v.split(',').map((n) => n.trim()))
            .filter(Boolean),
          group: group === '' ? undefined : group,
          deny: denyText === null ? undefined : (Number(denyText) as 401 | 403),
          wait: params.has('wait') && yes(params.get('wait')),
        };
  if (queries.size >= 256) queries.clear();
  queries.set(query, read);
  return read;
}

/** Reads the question; an error names the bad parameter. */
export function readAsk(url: string, headers: IncomingHttpHeaders, trusted: boolean): GateAsk | { error: string } {
  const q = url.indexOf('?');
  const query = readQuery(q < 0 ? '' : url.slice(q + 1));
  if ('error' in query) return query;
  const fwdHost = one(headers['x-forwarded-host']);
  const fwdUri = one(headers['x-forwarded-uri']);
  const fwdMethod = one(headers['x-forwarded-method']);
  return {
    names: query.names,
    group: query.group,
    host: (trusted && fwdHost ? firstOf(fwdHost) : undefined) ?? headers.host,
    path: trusted && fwdUri?.startsWith('/') ? fwdUri : '/',
    method: trusted && fwdMethod ? fwdMethod.toUpperCase() : 'GET',
    wait: query.wait || yes(one(headers['x-berth-wait'])?.trim().toLowerCase()),
    deny: query.deny,
    ignoredForward: !trusted && (fwdHost !== undefined || fwdUri !== undefined || fwdMethod !== undefined),
  };
}

/** The routes asked about, or why none is. */
export function pickRoutes(table: RouteTable, ask: GateAsk): Route[] | { error: string } {
  if (ask.names.length) {
    const unknown = ask.names.filter((n) => !table.byName.has(n));
    if (unknown.length) return { error: `no route for container${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}` };
    return [...new Set(ask.names)].map((n) => table.byName.get(n)!);
  }
  if (ask.group !== undefined) {
    const routes = table.routes.filter((r) => (r.labels[SABLIER.group] ?? r.labels[COMPOSE_PROJECT]) === ask.group);
    return routes.length ? routes : { error: `no route in group ${JSON.stringify(ask.group)} (a group is a sablier.group label, else a compose project)` };
  }
  const route = table.forHost(ask.host);
  if (route) return [route];
  const hint = ask.ignoredForward ? '; X-Forwarded-* were ignored: the client is not a --trusted-proxy' : '; name the routes with ?names= or ?group=, or send X-Forwarded-Host from a --trusted-proxy';
  return { error: `no route for host ${JSON.stringify(ask.host ?? '')}${hint}` };
}
