/**
 * Sablier's HTTP API on serve's API listener, written from Sablier's public
 * documentation, so a proxy plugin configured for Sablier works when pointed
 * at berth. Both strategies wake the instances through the same route lives
 * and wake path as the gate, and count each call as activity (a Sablier
 * session renewed); the session's duration is the container's idle timeout
 * (berth.idle.timeout), so `session_duration` is checked and not used.
 *
 *   GET /api/strategies/dynamic   200, X-Sablier-Session-Status: ready | not-ready;
 *                                 not ready: a waiting page that reloads itself
 *   GET /api/strategies/blocking  holds until ready (200, JSON) or `timeout`
 *                                 (504 problem details, not-ready)
 *
 * Bad parameters are 400, unknown instances or groups 404, both as RFC 9457
 * problem details. docs/gate.md says which options are honoured.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDurationMs } from '../parse.js';
import { isAllowed } from './access.js';
import { sendProblem } from './gate.js';
import { COMPOSE_PROJECT } from './gate-ask.js';
import { waitingPage } from './loading-page/html.js';
import type { RouteLife } from './lifecycle.js';
import { SABLIER, type RouteTable } from './routes.js';
import type { ProxyContext } from './front-context.js';

export const SABLIER_DYNAMIC = '/api/strategies/dynamic';
export const SABLIER_BLOCKING = '/api/strategies/blocking';
const STATUS = 'x-sablier-session-status';

export interface SablierAsk {
  /** Container names; `optional` ones may be missing. */
  names: Array<{ name: string; optional: boolean }>;
  group: string | undefined;
  timeoutMs: number | undefined;
  refreshSec: number;
  displayName: string | undefined;
  showDetails: boolean;
}

const duration = (params: URLSearchParams, key: string): number | undefined => {
  const v = params.get(key);
  return v === null || v === '' ? undefined : parseDurationMs(v, key);
};

/** Reads a Sablier request's query; a bad one is `{error}` (answered 400). Pure. */
export function readSablierAsk(url: string): SablierAsk | { error: string } {
  const params = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  const names = params
    .getAll('names')
    .flatMap((v) => v.split(',').map((n) => n.trim()))
    .filter(Boolean);
  const group = params.get('group') || undefined;
  if (names.length && group) return { error: 'names and group cannot be used together' };
  if (!names.length && !group) return { error: 'name the instances with names=, or a group with group=' };
  try {
    duration(params, 'session_duration'); // checked; the idle timeout is the container's own
    const refresh = duration(params, 'refresh_frequency');
    const timeoutMs = duration(params, 'timeout');
    return {
      names: names.map((n) => (n.startsWith('optional:') ? { name: n.slice(9), optional: true } : { name: n, optional: false })),
      group,
      timeoutMs,
      refreshSec: Math.max(1, Math.round((refresh ?? 5000) / 1000)),
      displayName: params.get('display_name') || undefined,
      showDetails: params.get('show_details') === 'true',
    };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** The route names asked about, or why there are none. Pure. */
export function sablierInstances(table: RouteTable, ask: SablierAsk): string[] | { error: string } {
  if (ask.group !== undefined) {
    const names = table.routes.filter((r) => (r.labels[SABLIER.group] ?? r.labels[COMPOSE_PROJECT]) === ask.group).map((r) => r.container);
    return names.length ? names : { error: `no instance in group ${JSON.stringify(ask.group)} (sablier.group label, else compose project)` };
  }
  const missing = ask.names.filter((n) => !n.optional && !table.byName.has(n.name)).map((n) => n.name);
  if (missing.length) return { error: `no such instance: ${missing.join(', ')} (an instance is a container with sablier.enable=true or berth.proxy.* labels)` };
  return ask.names.filter((n) => table.byName.has(n.name)).map((n) => n.name);
}

export function makeSablierHandler(ctx: ProxyContext) {
  return (req: IncomingMessage, res: ServerResponse, blocking: boolean): void => {
    if (!isAllowed(ctx.access, req.socket.remoteAddress)) return sendProblem(res, 403, 'forbidden', 'forbidden', 'this client may not use the API (--allow/--deny)');
    const ask = readSablierAsk(req.url ?? '/');
    if ('error' in ask) return sendProblem(res, 400, 'bad-request', 'bad request', ask.error, { [STATUS]: 'not-ready' });
    const names = sablierInstances(ctx.table(), ask);
    if ('error' in names) return sendProblem(res, 404, 'not-found', 'instance not found', names.error, { [STATUS]: 'not-ready' });
    const lives = names.flatMap((n) => ctx.life(n) ?? []);
    for (const l of lives) {
      ctx.activity.touch(l.name); // a call renews the session
      ctx.onRequest(l.name);
      if (!l.awake && !l.failedRecently) l.wake().catch(() => {});
    }
    if (blocking) return void block(ctx, res, ask, lives);
    const ready = lives.every((l) => l.awake);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', [STATUS]: ready ? 'ready' : 'not-ready' });
    res.end(ready ? '' : waitingPage(ask.displayName ?? names.join(', '), ask.showDetails ? lives.map(instance) : undefined, ask.refreshSec));
  };
}

const instance = (l: RouteLife) => ({ name: l.name, status: l.awake ? ('ready' as const) : l.state === 'error' ? ('error' as const) : ('not-ready' as const) });

/** Holds until every instance is ready (200 + the session as JSON) or the timeout (504), counted as in flight meanwhile. */
async function block(ctx: ProxyContext, res: ServerResponse, ask: SablierAsk, lives: RouteLife[]): Promise<void> {
  const ends = lives.map((l) => ctx.activity.begin(l.name));
  const done = () => ends.forEach((end) => end());
  res.once('close', done);
  const stop = new AbortController();
  try {
    const budget = ask.timeoutMs ?? Math.max(...lives.map((l) => l.idle.wakeTimeoutMs), 1000);
    const woke = Promise.allSettled(lives.map((l) => l.wake())).then(() => 'woke' as const);
    const late = sleep(budget, 'late' as const, { signal: stop.signal }).catch(() => 'woke' as const);
    const outcome = await Promise.race([woke, late]);
    if (res.destroyed) return;
    const session = { session: { status: lives.every((l) => l.awake) ? 'ready' : 'not-ready', instances: lives.map((l) => ({ instance: instance(l) })) } };
    if (session.session.status === 'ready') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', [STATUS]: 'ready' }).end(JSON.stringify(session) + '\n');
      return;
    }
    const why = outcome === 'late' ? `not ready after ${budget / 1000}s` : 'a wake failed';
    sendProblem(res, outcome === 'late' ? 504 : 503, outcome === 'late' ? 'timeout' : 'wake-failed', why, `${lives.map((l) => l.name).join(', ')}: ${why}`, { [STATUS]: 'not-ready' }, session);
  } finally {
    stop.abort();
    res.off('close', done);
    done();
  }
}
