/**
 * serve's API listener (--api-listen), kept apart from the user traffic of
 * --listen: the wake gate (gate.ts), Sablier's API (sablier.ts) and the /$berth/ endpoints, whose loading
 * page assets and wake-event stream the user's proxy passes through for the
 * loading page the gate answers. Anything else is 404 (problem details).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_PREFIX } from './http-proxy.js';
import { GATE_PAGE_PATH, GATE_PATH, makeGateHandler, sendProblem } from './gate.js';
import { makeSablierHandler, SABLIER_BLOCKING, SABLIER_DYNAMIC } from './sablier.js';
import type { ProxyContext } from './front-context.js';

export function makeApiHandler(ctx: ProxyContext, admin: (req: IncomingMessage, res: ServerResponse) => void) {
  const gate = makeGateHandler(ctx);
  const sablier = makeSablierHandler(ctx);
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    if (url.startsWith(ADMIN_PREFIX)) return admin(req, res);
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === GATE_PATH) return gate(req, res, false);
    if (path === GATE_PAGE_PATH) return gate(req, res, true);
    if (path === SABLIER_DYNAMIC) return sablier(req, res, false);
    if (path === SABLIER_BLOCKING) return sablier(req, res, true);
    sendProblem(res, 404, 'no-endpoint', 'no such endpoint', `the API listener answers ${GATE_PATH}, ${GATE_PAGE_PATH}, ${SABLIER_DYNAMIC}, ${SABLIER_BLOCKING} and /$berth/...`);
  };
}
