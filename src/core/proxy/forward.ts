/**
 * Forwards one HTTP request to an upstream over a keep-alive undici pool and
 * streams the answer back, both bodies streamed without buffering (a body
 * held during a wake is sent from its buffer). The response is written from
 * undici's callbacks straight into the ServerResponse, with backpressure (a
 * full client socket pauses the upstream socket), so no stream object is
 * made per request. A request that failed before an answer is sent on as
 * connect-retry.ts says: to another endpoint (a service's other tasks) when
 * its connect failed or it can be repeated, again on the same one when a
 * stale keep-alive socket was reset on reuse (once), and within the wake
 * grace after a refusal. The client going away tears the upstream request
 * down. This is the hot path: raw header arrays, one listener per request.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Dispatcher } from 'undici';
import { dropHopByHop } from './headers.js';
import { IDEMPOTENT, inGrace, nextStep, type Grace } from './connect-retry.js';

export interface ForwardOptions {
  pool: Dispatcher;
  /** Raw request headers for the upstream (forwardedHeaders). */
  headers: string[];
  /** The body, when it was held; otherwise the request is streamed. */
  body?: Buffer;
  grace: Grace;
  signal?: AbortSignal;
  /** Another endpoint's pool when `pool`'s could not be used (a service's other tasks); `unreachable`: its connect failed. Undefined: none left. */
  instead?: (unreachable: boolean) => Dispatcher | undefined;
}

type Fail = Error & { code?: string; socket?: { bytesRead?: number } };

const hasNoBody = (req: IncomingMessage) => req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0';
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * A reset before any answer on a connection that had carried earlier answers:
 * the upstream closed an idle keep-alive socket as it was reused.
 */
const staleSocket = (err: Fail) => RESET.has(err.code ?? '') && (err.socket?.bytesRead ?? 0) > 0;

function declaredLength(raw: string[]): number {
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 14 && raw[i]!.toLowerCase() === 'content-length') return Number(raw[i + 1]);
  return -1;
}

/** One request/response exchange: undici's handler, writing into `res`. */
class Exchange implements Dispatcher.DispatchHandlers {
  status = 0;
  /** The current attempt was written to a connected socket (undici calls onConnect just before): false means nothing was sent. */
  sent = false;
  private abort: ((err?: Error) => void) | undefined;
  gone = false;
  private done = false;
  private onHead: ((ok: boolean, err?: Fail) => void) | undefined;
  private resume: (() => void) | undefined;
  /** Body bytes still to come by the upstream's Content-Length; -1 = not declared. */
  private left = -1;

  constructor(
    private readonly res: ServerResponse,
    private readonly finish: () => void,
  ) {}

  /** The client went away, or the answer was sent. A client that left before an answer is counted as 499, as nginx does. */
  closed(): void {
    if (this.done) return this.finish();
    this.gone = true;
    if (this.status === 0) this.status = 499;
    this.finish(); // before the abort, whose error must not count as a failure to reach the upstream
    this.abort?.(new Error('client went away'));
  }

  /** Sends the request once; `onHead` learns whether an answer started (false: failed before it, with the error). */
  send(pool: Dispatcher, opts: Dispatcher.DispatchOptions, onHead: (ok: boolean, err?: Fail) => void): void {
    this.onHead = onHead;
    this.abort = undefined;
    this.sent = false;
    pool.dispatch(opts, this);
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    this.sent = true;
    if (this.gone) abort(new Error('client went away'));
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    if (status < 200) return true; // informational answers (103) are not passed on, as before
    const headers: string[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) headers[i] = raw[i]!.toString('latin1');
    this.status = status;
    this.left = declaredLength(headers);
    this.res.writeHead(status, statusText, dropHopByHop(headers) as unknown as OutgoingHttpHeaders);
    this.resume = resume;
    this.onHead?.(true);
    return true;
  }

  /**
   * false pauses the upstream socket until the client's has drained. The
   * last chunk of a declared length goes out with end(), in the same write
   * as the head when the body is one chunk.
   */
  onData(chunk: Buffer): boolean {
    if (this.gone) return true; // the abort is on its way; never pause a socket nobody will resume
    if (this.left > 0 && (this.left -= chunk.length) === 0) {
      this.complete(chunk);
      return true;
    }
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resume!);
    return false;
  }

  onComplete(): void {
    if (!this.done) this.complete();
  }

  private complete(last?: Buffer): void {
    this.done = true;
    this.res.end(last);
  }

  onError(err: Error): void {
    if (!this.res.headersSent) return this.onHead?.(false, err as Fail);
    this.done = true;
    this.res.destroy();
  }
}

/**
 * The request for undici; a streamed body goes through a PassThrough, so undici's teardown never destroys
 * the client's socket. The same options serve every attempt: undici reads a streamed body only once an
 * attempt is connected, and a failed connect leaves it as it was (only its listeners are removed).
 */
function dispatchOptions(req: IncomingMessage, o: ForwardOptions, streamBody: boolean): Dispatcher.DispatchOptions {
  const body = o.body ?? (streamBody ? req.pipe(new PassThrough()) : null);
  return { method: req.method as Dispatcher.HttpMethod, path: req.url ?? '/', headers: o.headers, body };
}

/** Sends the request, and again as connect-retry.ts says while it fails before an answer; `failed` once it cannot go on. */
function sendWithRetries(ex: Exchange, req: IncomingMessage, o: ForwardOptions, failed: (err: Error) => void): void {
  const resendable = !!o.body || hasNoBody(req);
  const opts = dispatchOptions(req, o, !resendable);
  let pool = o.pool;
  let staleRetried = false;
  const attempt = (): void =>
    ex.send(pool, opts, (head, err) => {
      if (head) return;
      if (ex.gone || o.signal?.aborted) return failed(err!);
      const sent = ex.sent;
      const step = nextStep({ sent, resendable, stale: staleSocket(err!), staleRetried, idempotent: IDEMPOTENT.has(req.method ?? '') });
      if (step === 'again') {
        staleRetried = true;
        return attempt();
      }
      const other = step === 'other' ? o.instead?.(!sent) : undefined;
      if (other) {
        pool = other;
        return attempt();
      }
      if (inGrace(err!.code, o.grace, resendable || !sent)) return void setTimeout(() => (o.signal?.aborted ? failed(err!) : attempt()), o.grace.stepMs ?? 10);
      failed(err!);
    });
  attempt();
}

/**
 * Proxies `req` through `o.pool`; resolves with the upstream's status code once the answer was sent (or
 * 499 when the client left first). A client already gone is never sent upstream: its `close` has been
 * emitted, so a listener added now would never run and the exchange would wait for good.
 */
export function forward(req: IncomingMessage, res: ServerResponse, o: ForwardOptions): Promise<number> {
  if (res.destroyed) return Promise.resolve(499);
  return new Promise((resolve, reject) => {
    const ex = new Exchange(res, () => resolve(ex.status));
    res.once('close', () => ex.closed());
    sendWithRetries(ex, req, o, reject);
  });
}
