/**
 * The wake gate on serve's API listener (--api-listen): answers the
 * forward-auth question of the user's own proxy (nginx auth_request, Caddy
 * forward_auth, Traefik ForwardAuth), "may this request go on to its app?",
 * with the same route lives, wake path (single flight) and activity as serve's
 * own proxy. docs/gate.md has the protocol and the recipes.
 *
 *   GET /gate       ready: 200, empty, counted as activity. Not ready: the wake
 *                   starts and the answer is 503 with Retry-After: the loading
 *                   page for a browser's page load (it follows the wake over
 *                   /$berth/wake-events), RFC 9457 problem details otherwise;
 *                   held until ready (then 200) with `wait=1` or the client's
 *                   `X-Berth-Wait: 1`; 401 or 403 with no body with `deny=`.
 *   GET /gate/page  what nginx's error_page fetches after a denial: the same
 *                   question, never answered 2xx.
 *
 * A held question counts as a request in flight until it is answered or its
 * client leaves; a client that leaves ends it at once (the wake goes on, and
 * the route sleeps on its timeout from when it was ready).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAllowed } from './access.js';
import { readAsk, pickRoutes, type GateAsk } from './gate-ask.js';
import { isBrowserPage, wakeFailed } from './http-proxy.js';
import { loadingPage } from './loading-page/html.js';
import { isIgnored, mayWake, type Route } from './routes.js';
import { median, type RouteLife } from './lifecycle.js';
import { isSubresource } from './wake-answer.js';
import type { ProxyContext } from './front-context.js';

export const GATE_PATH = '/gate';
export const GATE_PAGE_PATH = '/gate/page';

const PROBLEMS = 'https://berth.invalid/problems/';

/** An RFC 9457 problem document (application/problem+json), never cached. */
export function sendProblem(res: ServerResponse, status: number, kind: string, title: string, detail: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ type: PROBLEMS + kind, title, status, detail, ...extra }) + '\n';
  res.writeHead(status, { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers }).end(body);
}

interface Asked {
  ask: GateAsk;
  lives: Array<{ route: Route; life: RouteLife }>;
}

/** Answers one gate question; `page`: the answer after a denial (/gate/page), never 2xx. */
export function makeGateHandler(ctx: ProxyContext) {
  return (req: IncomingMessage, res: ServerResponse, page: boolean): void => {
    const remote = req.socket.remoteAddress;
    if (!isAllowed(ctx.access, remote)) return sendProblem(res, 403, 'forbidden', 'forbidden', 'this client may not use the gate (--allow/--deny)');
    const asked = question(ctx, req, res, remote);
    if (!asked) return;
    const { ask, lives } = asked;
    const ignored = (r: Route) => isIgnored(r.ignore, ask.path, req.headers['user-agent']);
    const asleep = lives.filter((l) => !l.life.awake);
    if (!asleep.length) return page ? readyNow(ctx, req, res, ask, lives[0]!.route) : pass(ctx, res, lives, ignored);
    for (const { route, life } of asleep) {
      if (ignored(route) || !mayWake(route, ask.path)) return notReady(ctx, res, ask, route, 'asleep', `${route.container} is asleep`, `${route.container} is asleep and this request may not wake it`);
      if (life.failedRecently || (life.crashed && isSubresource(req, ask.path))) {
        if (ask.deny && !page) return deny(ctx, res, ask.deny, route);
        return wakeFailed(ctx, route, life, req, res, isBrowserPage(req, ask.method));
      }
    }
    for (const { life } of asleep) life.wake().catch(() => {}); // its failure is answered by whoever asks next
    if (ask.wait && !page) return void hold(ctx, req, res, ask, lives, asleep);
    if (ask.deny && !page) return deny(ctx, res, ask.deny, asleep[0]!.route);
    waking(ctx, req, res, ask, asleep[0]!);
  };
}

/** Reads the question and picks its routes; answers 400 or 404 itself when it cannot. */
function question(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, remote: string | undefined): Asked | undefined {
  const trusted = remote !== undefined && !!ctx.trustedProxies?.(remote);
  const ask = readAsk(req.url ?? '/', req.headers, trusted);
  if ('error' in ask) return void sendProblem(res, 400, 'bad-question', 'bad gate question', ask.error);
  const routes = pickRoutes(ctx.table(), ask);
  if ('error' in routes) return void sendProblem(res, 404, 'no-route', 'no such route', routes.error);
  const lives: Asked['lives'] = [];
  for (const route of routes) {
    const life = ctx.life(route.container);
    if (life) lives.push({ route, life });
  }
  if (!lives.length) return void sendProblem(res, 404, 'no-route', 'no such route', 'the route is gone');
  return { ask, lives };
}

const PASS_HEADERS = { 'content-length': '0' } as const;

/** Every route is ready: go on (200, empty; nginx may cache it), counted as a request for each. */
function pass(ctx: ProxyContext, res: ServerResponse, lives: Asked['lives'], ignored: (r: Route) => boolean): void {
  for (const { route } of lives) {
    ctx.metrics.request(route.container, 200);
    if (ignored(route)) continue;
    ctx.activity.touch(route.container);
    ctx.onRequest(route.container);
  }
  res.writeHead(200, PASS_HEADERS).end();
}

/** Seconds to wait before asking again: what is left of this route's usual wake (median of the last ones), else serve's default. */
function retryAfter(ctx: ProxyContext, life: RouteLife): string {
  const usual = median(life.wakeTimes);
  if (usual === undefined || !life.isWaking) return String(ctx.retryAfterSec);
  return String(Math.max(1, Math.ceil((usual - (Date.now() - life.changedAt)) / 1000)));
}

function deny(ctx: ProxyContext, res: ServerResponse, status: 401 | 403, route: Route): void {
  ctx.metrics.request(route.container, status);
  res.writeHead(status, { 'content-length': '0', 'cache-control': 'no-store' }).end();
}

/** Not ready and not to be woken by this request (berth.proxy.ignore, berth.idle.start_endpoint). */
function notReady(ctx: ProxyContext, res: ServerResponse, ask: GateAsk, route: Route, kind: string, title: string, detail: string): void {
  if (ask.deny) return deny(ctx, res, ask.deny, route);
  ctx.metrics.request(route.container, 503);
  sendProblem(res, 503, kind, title, detail, { 'retry-after': String(ctx.retryAfterSec) }, { container: route.container });
}

/** The wake is under way: the loading page for a browser's page load, problem details for anything else. */
function waking(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, ask: GateAsk, { route, life }: Asked['lives'][number]): void {
  const headers = { 'retry-after': retryAfter(ctx, life) };
  ctx.metrics.request(route.container, 503);
  if (!isBrowserPage(req, ask.method)) {
    const detail = `${route.container} is waking; ask again after Retry-After, or send X-Berth-Wait: 1 to be answered when it is ready`;
    return sendProblem(res, 503, 'waking', `${route.container} is waking`, detail, headers, { container: route.container });
  }
  res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(loadingPage(route.container));
}

/**
 * Asked for the page after a denial, and the routes are ready by now (the wake ended in between):
 * a browser is sent back to its page (307), any other client told to ask again at once.
 */
function readyNow(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, ask: GateAsk, route: Route): void {
  ctx.metrics.request(route.container, isBrowserPage(req, ask.method) ? 307 : 503);
  if (isBrowserPage(req, ask.method)) return void res.writeHead(307, { location: ask.path, 'cache-control': 'no-store', 'content-length': '0' }).end();
  sendProblem(res, 503, 'ready', `${route.container} is ready`, `${route.container} became ready just now: send the request again`, { 'retry-after': '0' }, { container: route.container });
}

/** Holds the answer until every route asked about is ready (200) or a wake fails, counted as in flight while held. */
async function hold(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, ask: GateAsk, lives: Asked['lives'], asleep: Asked['lives']): Promise<void> {
  const ends = lives.map(({ route }) => ctx.activity.begin(route.container));
  const left = () => {
    for (const end of ends) end();
  };
  res.once('close', left);
  try {
    const settled = await Promise.allSettled(asleep.map(({ life }) => life.wake()));
    if (res.destroyed) return void ctx.metrics.request(asleep[0]!.route.container, 499);
    const failed = asleep.find((_, i) => settled[i]!.status === 'rejected');
    if (!failed) return pass(ctx, res, lives, () => false);
    if (ask.deny) return deny(ctx, res, ask.deny, failed.route);
    wakeFailed(ctx, failed.route, failed.life, req, res, isBrowserPage(req, ask.method));
  } finally {
    res.off('close', left);
    left();
  }
}
