/**
 * The /$berth/ endpoints, for clients the allow/deny lists let in. Open to
 * browsers (no token): the loading page's
 * assets and the wake-event stream of the route the Host header names (or
 * ?container=NAME), in its public form (wake-view.ts) unless the client
 * carries the token (with no token configured: always public). Behind the bearer token when one is set: status, metrics
 * and the stats history API (its poller is what keeps sampling going). None
 * of them wakes anything.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAllowed, showsDetails, tokenMatches } from './access.js';
import { send } from './http-proxy.js';
import { LOADING_CSS } from './loading-page/style.js';
import { LOADING_JS } from './loading-page/script.js';
import { statusDocument } from './status.js';
import type { ProxyContext } from './front-context.js';
import type { RouteLife } from './lifecycle.js';
import type { StatsSampler } from './stats-api.js';

export interface AdminDeps {
  ctx: ProxyContext;
  lives: () => RouteLife[];
  sampler: StatsSampler;
  /** The routes are not containers (swarm services): why the API has no series for them. */
  noStats?: (name: string) => string;
  sseSubscribers: () => number;
  token: string | undefined;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body) + '\n');
}

export function makeAdminHandler(d: AdminDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://berth');
    const path = url.pathname.slice('/$berth/'.length);
    if (!isAllowed(d.ctx.access, req.socket.remoteAddress)) return send(res, 403, 'berth: forbidden\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'berth: method not allowed\n', { allow: 'GET, HEAD' });
    if (path === 'loading.css') return asset(res, 'text/css', LOADING_CSS);
    if (path === 'loading.js') return asset(res, 'text/javascript', LOADING_JS);
    if (path === 'wake-events') return wakeEvents(d, req, res, url.searchParams.get('container'));
    const isAdmin = path === 'status' || path === 'metrics' || path.startsWith('api/stats/');
    if (!isAdmin) return send(res, 404, 'berth: no such endpoint\n');
    if (!tokenMatches(d.token, req.headers.authorization)) return send(res, 401, 'berth: a bearer token is required\n', { 'www-authenticate': 'Bearer realm="berth"' });
    if (path === 'status') return json(res, 200, statusDocument(d.lives(), d.ctx.activity));
    if (path === 'metrics') return metrics(d, res);
    return stats(d, res, decodeURIComponent(path.slice('api/stats/'.length)), url.searchParams.get('from'));
  };
}

function asset(res: ServerResponse, type: string, body: string): void {
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'public, max-age=300' }).end(body);
}

function metrics(d: AdminDeps, res: ServerResponse): void {
  const text = d.ctx.metrics.render({
    states: () => d.lives().map((l) => ({ route: l.name, state: l.state, inflight: d.ctx.activity.get(l.name).inflight })),
    sseSubscribers: d.sseSubscribers,
  });
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}

function stats(d: AdminDeps, res: ServerResponse, name: string, fromText: string | null): void {
  if (!d.ctx.life(name)) return json(res, 404, { error: `no route for container ${JSON.stringify(name)}` });
  if (d.noStats) return json(res, 404, { error: d.noStats(name) });
  const from = fromText === null ? 0 : Number(fromText);
  if (!Number.isSafeInteger(from) || from < 0) return json(res, 400, { error: `from: expected a whole number >= 0 (got: ${JSON.stringify(fromText)})` });
  void d.sampler.poll(name, from).then((answer) => json(res, 200, answer));
}

function wakeEvents(d: AdminDeps, req: IncomingMessage, res: ServerResponse, container: string | null): void {
  const route = container ? d.ctx.table().byName.get(container) : d.ctx.table().forHost(req.headers.host);
  const life = route && d.ctx.life(route.container);
  if (!life) return send(res, 404, 'berth: no route here; name one with ?container=NAME\n');
  if (!life.hub.subscribe(req, res, showsDetails(d.token, req.headers.authorization))) return;
  const end = d.ctx.activity.begin(life.name);
  res.once('close', end);
}
