/**
 * The HTTP front end. `/$berth/...` goes to the admin endpoints; anything else
 * is routed by Host header (unknown host: 404, berth is never an open proxy).
 * An awake route is proxied at once, streaming. A sleeping one is woken (one
 * wake per container): a browser's HTML GET gets the loading page at once;
 * any other request is held, its body buffered up to a bound, until ready,
 * then proxied, so no request is lost and no API client receives HTML. Paths
 * not allowed to wake (berth.idle.start_endpoint) and ignored requests
 * (berth.proxy.ignore) get 503 with Retry-After instead.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bufferBody, BodyTooLarge } from './hold.js';
import { forwardedHeaders, isServerWideOptions, routingHost } from './headers.js';
import { forward } from './forward.js';
import { isAllowed, showsDetails } from './access.js';
import { publicFailure } from './wake-view.js';
import { isIgnored, mayWake, type Route } from './routes.js';
import { errorPage, loadingPage } from './loading-page/html.js';
import type { ProxyContext } from './front-context.js';
import type { RouteLife } from './lifecycle.js';
import { isSubresource, problem, withoutAddresses } from './wake-answer.js';

export const ADMIN_PREFIX = '/$berth/';

/** A browser's page load: an HTML GET for a document. `method`: the original request's, when a gate is asked about it (X-Forwarded-Method). */
export function isBrowserPage(req: IncomingMessage, method = req.method): boolean {
  if (method !== 'GET') return false;
  const accept = String(req.headers.accept ?? '');
  const dest = req.headers['sec-fetch-dest'];
  return accept.includes('text/html') && (dest === undefined || dest === 'document' || dest === 'iframe');
}

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(body);
}

export function makeHttpHandler(ctx: ProxyContext, admin: (req: IncomingMessage, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url?.startsWith(ADMIN_PREFIX)) return admin(req, res);
    if (isServerWideOptions(req)) return void res.writeHead(200, { 'content-length': '0' }).end();
    const target = routingHost(req);
    if ('error' in target) return send(res, 400, `berth: ${target.error}\n`, { connection: 'close' });
    const route = ctx.table().forHost(target.host);
    const life = route && ctx.life(route.container);
    if (!route || !life) return send(res, 404, `berth: no route for host ${JSON.stringify(target.host ?? '')}\n`);
    if (!isAllowed(ctx.access, req.socket.remoteAddress)) return answer(ctx, route, res, 403, 'berth: forbidden\n');
    handleRoute(ctx, route, life, req, res).catch((err) => answer(ctx, route, res, 502, `berth: ${(err as Error).message}\n`));
  };
}

function answer(ctx: ProxyContext, route: Route, res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  ctx.metrics.request(route.container, status);
  send(res, status, body, headers);
}

async function handleRoute(ctx: ProxyContext, route: Route, life: RouteLife, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url ?? '/';
  const ignored = isIgnored(route.ignore, path, req.headers['user-agent']);
  if (life.awake) return proxy(ctx, route, life, req, res, ignored, undefined);
  if (ignored || !mayWake(route, path)) return answer(ctx, route, res, 503, `berth: ${route.container} is asleep\n`, { 'retry-after': String(ctx.retryAfterSec) });
  if (life.failedRecently || (life.crashed && isSubresource(req))) return wakeFailed(ctx, route, life, req, res);
  if (Number(req.headers['content-length'] ?? 0) > ctx.holdBodyLimit) return answer(ctx, route, res, 413, `berth: ${new BodyTooLarge(ctx.holdBodyLimit).message}\n`);
  // A chunked body's size and syntax are known only once it is read: it is read before anything is
  // woken, so a request that ends in 413 or 400 wakes nothing. A sized body is read during the wake.
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && isBrowserPage(req)) {
    life.wake().catch(() => {});
    ctx.metrics.request(route.container, 200);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(loadingPage(route.container));
    return;
  }
  await hold(ctx, route, life, req, res, chunked);
}

/**
 * Holds a request while its container wakes. The request counts once in the route's activity, from here
 * until its answer is sent. The client's `close` is listened for before anything is awaited: a client
 * that leaves while held is counted 499 at once, its activity ends (the route can sleep on its timeout)
 * and nothing is sent upstream; the wake itself goes on, for whoever else waits on it.
 */
async function hold(ctx: ProxyContext, route: Route, life: RouteLife, req: IncomingMessage, res: ServerResponse, bodyFirst: boolean): Promise<void> {
  const end = ctx.activity.begin(route.container);
  const left = () => {
    ctx.metrics.request(route.container, 499);
    end();
  };
  res.once('close', left);
  try {
    const [body, wake] = await readAndWake(ctx, life, req, bodyFirst);
    if (res.destroyed) return;
    res.off('close', left);
    if (body.status === 'rejected') {
      if (body.reason instanceof BodyTooLarge) answer(ctx, route, res, 413, `berth: ${body.reason.message}\n`);
      return;
    }
    if (wake.status === 'rejected') return wakeFailed(ctx, route, life, req, res);
    await proxy(ctx, route, life, req, res, false, body.value, end);
  } finally {
    res.off('close', left);
    end();
  }
}

/** The held body and the wake, settled; with `bodyFirst` the wake starts only once the body was read whole. */
async function readAndWake(ctx: ProxyContext, life: RouteLife, req: IncomingMessage, bodyFirst: boolean): Promise<[PromiseSettledResult<Buffer>, PromiseSettledResult<void>]> {
  if (!bodyFirst) return Promise.allSettled([bufferBody(req, ctx.holdBodyLimit), life.wake()]);
  const [body] = await Promise.allSettled([bufferBody(req, ctx.holdBodyLimit)]);
  if (body.status === 'rejected') return [body, { status: 'fulfilled', value: undefined }];
  return [body, (await Promise.allSettled([life.wake()]))[0]];
}

/** A failed wake, answered; its details only to a client with the configured token (access.ts showsDetails, wake-view.ts). `page`: answer a browser's page load (default: as the request looks). */
export function wakeFailed(ctx: ProxyContext, route: Route, life: RouteLife, req: IncomingMessage, res: ServerResponse, page = isBrowserPage(req)): void {
  const detailed = showsDetails(ctx.token, req.headers.authorization);
  const message = publicFailure(route.container, withoutAddresses(life.error ?? 'the wake failed'), detailed);
  const headers = { 'retry-after': String(ctx.retryAfterSec) };
  if (!page) return answer(ctx, route, res, 503, JSON.stringify(problem(route.container, life.failure ?? 'refused', message)) + '\n', { ...headers, 'content-type': 'application/problem+json' });
  ctx.metrics.request(route.container, 503);
  res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(errorPage(route.container, message));
}

/** `counted`: the end of the activity a held request already began (one request counts once). */
async function proxy(ctx: ProxyContext, route: Route, life: RouteLife, req: IncomingMessage, res: ServerResponse, ignored: boolean, held: Buffer | undefined, counted?: () => void): Promise<void> {
  const name = route.container;
  const end = counted ?? (ignored ? undefined : ctx.activity.begin(name));
  try {
    if (!ignored) ctx.onRequest(name);
    const graceUntil = life.readyAt + ctx.connectGraceMs;
    // Just after a wake a small body is held so a refused connect can be retried; a large or unsized one streams.
    const holdable = req.headers['content-length'] !== undefined && Number(req.headers['content-length']) <= ctx.holdBodyLimit;
    const body = held ?? (Date.now() < graceUntil && holdable ? await bufferBody(req, ctx.holdBodyLimit) : undefined);
    const addr = life.cachedUpstream() ?? (await life.upstream());
    const headers = forwardedHeaders(req.rawHeaders, { remote: req.socket.remoteAddress, host: req.headers.host, proto: 'http', trusted: ctx.trustedProxies });
    // Within the grace, the container's run signal ends the connect retries at once when it dies.
    const signal = Date.now() < graceUntil ? AbortSignal.any([ctx.signal, life.runSignal]) : ctx.signal;
    const tried = [addr];
    const instead = (unreachable: boolean) => {
      const next = life.instead(route.port, tried.at(-1)!, tried, unreachable);
      if (next) tried.push(next);
      return next && ctx.upstreams.get(next);
    };
    const status = await forward(req, res, { pool: ctx.upstreams.get(addr), headers, ...(body ? { body } : {}), grace: { until: graceUntil }, signal, instead });
    ctx.metrics.request(name, status);
  } catch (err) {
    if (res.destroyed) return ctx.metrics.request(name, 499); // the client left first: whatever failed, nobody is told
    if (err instanceof BodyTooLarge) return answer(ctx, route, res, 413, `berth: ${err.message}\n`);
    if (life.runSignal.aborted && life.crashed) return wakeFailed(ctx, route, life, req, res);
    answer(ctx, route, res, 502, `berth: cannot reach ${name}: ${withoutAddresses((err as Error).message)}\n`);
  } finally {
    end?.();
  }
}
