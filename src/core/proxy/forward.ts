/**
 * Forwards one HTTP request to an upstream and streams the answer back, both
 * bodies streamed without buffering (a body held during a wake is sent from
 * its buffer). A refused connection is retried within the wake grace when the
 * body can be resent; a stale keep-alive socket (reset on reuse) is retried
 * once. The client going away tears the upstream request down.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { dropHopByHop } from './headers.js';
import { withConnectGrace, type Grace } from './connect.js';
import type { Address } from './upstream.js';

export interface ForwardOptions {
  addr: Address;
  agent: http.Agent;
  headers: OutgoingHttpHeaders;
  /** The body, when it was held; otherwise the request is streamed. */
  body?: Buffer;
  grace: Grace;
  /** Called on every body chunk either way (activity). */
  onBytes: () => void;
  signal?: AbortSignal;
}

const hasNoBody = (req: IncomingMessage) => !req.headers['transfer-encoding'] && (req.headers['content-length'] ?? '0') === '0';

function sendOnce(req: IncomingMessage, o: ForwardOptions): Promise<{ up: http.ClientRequest; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const up = http.request({ host: o.addr.host, port: o.addr.port, method: req.method, path: req.url, headers: o.headers, agent: o.agent });
    up.once('response', (res) => resolve({ up, res }));
    up.once('error', (err: NodeJS.ErrnoException & { reused?: boolean }) => {
      err.reused = up.reusedSocket;
      reject(err);
    });
    if (o.body) up.end(o.body);
    else if (hasNoBody(req)) up.end();
    else {
      req.on('data', o.onBytes);
      req.pipe(up);
    }
  });
}

async function send(req: IncomingMessage, o: ForwardOptions): Promise<{ up: http.ClientRequest; res: IncomingMessage }> {
  const resendable = !!o.body || hasNoBody(req);
  const grace = resendable ? o.grace : { until: 0 };
  return withConnectGrace(async () => {
    try {
      return await sendOnce(req, o);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { reused?: boolean };
      if (resendable && e.reused && e.code === 'ECONNRESET') return sendOnce(req, o);
      throw err;
    }
  }, grace, o.signal);
}

/** Proxies `req` to `o.addr`; resolves with the upstream's status code once the answer was sent (or the client left). */
export async function forward(req: IncomingMessage, res: ServerResponse, o: ForwardOptions): Promise<number> {
  const { up, res: upRes } = await send(req, o);
  const status = upRes.statusCode ?? 502;
  res.writeHead(status, upRes.statusMessage, dropHopByHop(upRes.headers));
  upRes.on('data', o.onBytes);
  await new Promise<void>((resolve) => {
    res.once('close', () => {
      if (!upRes.complete) up.destroy();
      resolve();
    });
    pipeline(upRes, res, () => resolve());
  });
  return status;
}
