/**
 * Forwards one HTTP request to an upstream and streams the answer back, both
 * bodies streamed without buffering (a body held during a wake is sent from
 * its buffer). A refused connection is retried within the wake grace when the
 * body can be resent; a stale keep-alive socket (reset on reuse) is retried
 * once. The client going away tears the upstream request down. This is the
 * hot path: raw header arrays, no per-chunk listeners.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { dropHopByHop } from './headers.js';
import { withConnectGrace, type Grace } from './connect.js';
import type { Address } from './upstream.js';

export interface ForwardOptions {
  addr: Address;
  agent: http.Agent;
  /** Raw request headers for the upstream (forwardedHeaders). */
  headers: string[];
  /** The body, when it was held; otherwise the request is streamed. */
  body?: Buffer;
  grace: Grace;
  signal?: AbortSignal;
}

type Sent = { up: http.ClientRequest; res: IncomingMessage };

const hasNoBody = (req: IncomingMessage) => req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0';

function sendOnce(req: IncomingMessage, o: ForwardOptions, streamBody: boolean): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const up = http.request({ host: o.addr.host, port: o.addr.port, method: req.method, path: req.url, headers: o.headers as unknown as http.OutgoingHttpHeaders, agent: o.agent });
    up.once('response', (res) => resolve({ up, res }));
    up.once('error', (err: NodeJS.ErrnoException & { reused?: boolean }) => {
      err.reused = up.reusedSocket;
      reject(err);
    });
    if (o.body) up.end(o.body);
    else if (streamBody) req.pipe(up);
    else up.end();
  });
}

function send(req: IncomingMessage, o: ForwardOptions): Promise<Sent> {
  const resendable = !!o.body || hasNoBody(req);
  if (!resendable) return sendOnce(req, o, true);
  const once = () =>
    sendOnce(req, o, false).catch((err: NodeJS.ErrnoException & { reused?: boolean }) => {
      if (err.reused && err.code === 'ECONNRESET') return sendOnce(req, o, false);
      throw err;
    });
  return o.grace.until > Date.now() ? withConnectGrace(once, o.grace, o.signal) : once();
}

/** Proxies `req` to `o.addr`; resolves with the upstream's status code once the answer was sent (or the client left). */
export async function forward(req: IncomingMessage, res: ServerResponse, o: ForwardOptions): Promise<number> {
  const { up, res: upRes } = await send(req, o);
  const status = upRes.statusCode ?? 502;
  res.writeHead(status, upRes.statusMessage, dropHopByHop(upRes.rawHeaders) as unknown as http.OutgoingHttpHeaders);
  upRes.pipe(res);
  await new Promise<void>((resolve) => {
    res.once('close', () => {
      if (!upRes.complete) up.destroy();
      resolve();
    });
    upRes.once('error', () => (res.destroy(), resolve()));
  });
  return status;
}
