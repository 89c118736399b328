/**
 * EngineClient: berth's own small client for the Docker Engine API.
 *
 * Why not dockerode: loading it pulls in ssh2, gRPC and protobuf (for
 * BuildKit sessions) whether or not they are used, which cost more CPU at
 * start-up than the whole of `berth stats --no-stream` needs otherwise, and
 * their install scripts run on every `npm install`. berth uses a handful of
 * endpoints, so it speaks HTTP/1.1 to the engine itself with undici's Pool over
 * a unix socket, tcp, tcp+TLS, or an ssh process running
 * `docker system dial-stdio` (ssh.ts), as docker's CLI does.
 *
 * - `json(req)`: a request whose reply is read whole and parsed (empty -> undefined).
 * - `stream(req)`: the reply as a readable stream (logs, events), torn down when `req.signal` aborts.
 * - `read(req, onData)`: the reply's body to `onData` as it arrives (stats).
 * A status outside 2xx (and the request's `okStatus`) rejects with an
 * EngineHttpError carrying `statusCode` and the engine's own `message`, the
 * shape `toBerthError` maps to berth's error codes.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import type { Dispatcher, Pool } from 'undici';
import type { Endpoint } from './endpoint.js';
import { sshArgs } from './ssh.js';

// undici's Pool alone, loaded with the first request: its index also loads the fetch, cache and mock
// modules, which berth does not use.
const PoolClass = () => createRequire(import.meta.url)('undici/lib/dispatcher/pool.js') as typeof Pool;

/** Where a reply's body goes as it arrives: `data[start, end)`, valid during the call only. */
export type OnData = (data: Buffer, start: number, end: number) => void;

/** A streaming reply read as its body arrives. */
export interface BodyReader {
  /** Settles when the reply ends: resolves at its end (or `close()`), rejects when the connection breaks or the signal aborts. */
  readonly ended: Promise<void>;
  pause(): void;
  resume(): void;
  /** Ends the reply here: the connection is closed and `ended` resolves. */
  close(): void;
}

export interface EngineRequest {
  path: string;
  method?: 'GET' | 'POST' | 'DELETE';
  /** Query parameters; objects (filters) are sent as JSON, as the engine expects. */
  query?: Record<string, unknown>;
  /** A JSON body. */
  body?: unknown;
  signal?: AbortSignal;
  /** Statuses outside 2xx that are answers, not errors. */
  okStatus?: number[];
  /** Prefix the path with the negotiated API version (default true; /version is asked without). */
  versioned?: boolean;
  /** `json()`: the largest reply accepted (default 64 MiB). */
  maxBytes?: number;
}

/** The engine answered with an error status. */
export class EngineHttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly json?: { message?: string },
  ) {
    super(message);
    this.name = 'EngineHttpError';
  }
}

/** A JSON reply larger than this is not one berth asked for. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

export function encodeQuery(query: Record<string, unknown> = {}): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    const s = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(s)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** A streaming reply: its status, headers and body (logs, events, an exec's output). */
export interface EngineReply extends AsyncIterable<Buffer> {
  readonly statusCode: number;
  /** Header names in lower case. */
  readonly headers: Record<string, string | undefined>;
  /** Ends the reply here: the request is torn down. */
  destroy(): void;
}

export class EngineClient {
  /** "v1.41" once negotiated; unset, paths are unversioned (the engine's own default). */
  version: string | undefined;
  /** undici's connections to the engine, made with the first request. */
  private pool: Pool | undefined;

  constructor(readonly endpoint: Endpoint) {}

  async stream(req: EngineRequest): Promise<EngineReply> {
    const body = new Readable({ read: () => reader?.resume() });
    let reader: BodyReader | undefined;
    const head = await this.dispatch(req, (data, start, end) => void (body.push(Buffer.from(data.buffer, data.byteOffset + start, end - start)) || reader?.pause()));
    reader = head.reader;
    reader.ended.then(
      () => body.push(null),
      (err: unknown) => body.destroy(err as Error),
    );
    body._destroy = (err, done) => (reader!.close(), done(err));
    return Object.assign(body, { statusCode: head.statusCode, headers: head.headers });
  }

  /** A streaming reply whose body goes to `onData` as it arrives, from when the reader is handed back; a status outside 2xx rejects as in `json`. */
  async read(req: EngineRequest, onData: OnData): Promise<BodyReader> {
    return (await this.dispatch(req, onData)).reader;
  }

  async json<T = unknown>(req: EngineRequest): Promise<T> {
    const maxBytes = req.maxBytes ?? MAX_JSON_BYTES;
    const chunks: Buffer[] = [];
    let size = 0;
    const { reader } = await this.dispatch(req, (data, start, end) => {
      size += end - start;
      if (size > maxBytes) throw new Error(`the engine's reply is larger than ${maxBytes} bytes`);
      chunks.push(data.subarray(start, end));
    });
    await reader.ended;
    const text = Buffer.concat(chunks, size).toString('utf8');
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private pathOf(req: EngineRequest): string {
    return `${req.versioned === false || !this.version ? '' : `/${this.version}`}${req.path}${encodeQuery(req.query)}`;
  }

  /**
   * One request through undici's `dispatch`: resolves once the engine answered 2xx (or an `okStatus`) with
   * the reply's head and a reader whose body goes to `onData` (bytes that come before the caller has the
   * reader wait for it); a status outside them rejects with the engine's error once its body is in.
   */
  private dispatch(req: EngineRequest, onData: OnData): Promise<{ statusCode: number; headers: Record<string, string | undefined>; reader: BodyReader }> {
    if (req.signal?.aborted) return Promise.reject(req.signal.reason);
    this.pool ??= enginePool(this.endpoint);
    const signal = req.signal;
    return new Promise((resolveHead, rejectHead) => {
      let abort: ((err: Error) => void) | undefined;
      let resumeSocket: (() => void) | undefined;
      let paused = false;
      let settled = false;
      /** Body bytes read before the caller has the reader (the reply's head resolves a promise: its callbacks run later). */
      let early: Buffer[] | undefined = [];
      let finished: 'ok' | { err: unknown } | undefined;
      let status = 0;
      let statusText = '';
      let errorText = '';
      let endOk!: () => void;
      let endFail!: (err: unknown) => void;
      const ended = new Promise<void>((res, rej) => ((endOk = res), (endFail = rej)));
      ended.catch(() => {});
      const ok = () => (status >= 200 && status < 300) || !!req.okStatus?.includes(status);
      const finish = (how: 'ok' | { err: unknown }) => {
        if (settled) return;
        if (early) return void (finished = how); // judged once the caller has the reader
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (how === 'ok') endOk();
        else endFail(how.err);
      };
      const onAbort = () => {
        const reason = signal!.reason as Error;
        if (abort) abort(reason);
        if (!status) rejectHead(reason);
        finish({ err: reason });
      };
      const deliverEarly = () => {
        const pieces = early ?? [];
        early = undefined;
        for (const b of pieces) if (!settled) take(b);
        if (finished) finish(finished);
      };
      const take = (chunk: Buffer) => {
        try {
          onData(chunk, 0, chunk.length);
        } catch (err) {
          abort?.(err as Error);
          finish({ err });
        }
      };
      const reader: BodyReader = {
        ended,
        pause: () => void (paused = true),
        resume: () => {
          paused = false;
          if (early && status) deliverEarly();
          const r = resumeSocket;
          if (r && !settled) r();
        },
        close: () => {
          if (settled) return;
          early = undefined;
          finish('ok');
          abort?.(new Error('closed'));
        },
      };
      const headers: Record<string, string | undefined> = {};
      const handler: Dispatcher.DispatchHandlers = {
        onConnect: (a) => {
          abort = a;
          if (signal?.aborted) a(signal.reason as Error);
        },
        onHeaders: (statusCode, raw, resume, text) => {
          status = statusCode;
          statusText = text;
          resumeSocket = resume;
          for (let i = 0; i + 1 < raw.length; i += 2) headers[raw[i]!.toString('latin1').toLowerCase()] = raw[i + 1]!.toString('latin1');
          if (ok()) {
            resolveHead({ statusCode, headers, reader });
            // The bytes that come before the caller has the reader go on after its await.
            setImmediate(() => paused || deliverEarly());
          }
          return true;
        },
        onData: (chunk) => {
          if (!ok()) {
            if (errorText.length < MAX_ERROR_BODY) errorText += chunk.toString('utf8');
            return true;
          }
          if (early) early.push(chunk);
          else if (!settled) take(chunk);
          return !paused;
        },
        onComplete: () => {
          if (ok()) return finish('ok');
          rejectHead(engineError(status, errorText, statusText));
          finish({ err: new Error('error reply') });
        },
        onError: (err) => {
          const e = signal?.aborted ? signal.reason : err;
          if (!status || !ok()) rejectHead(e);
          finish({ err: e });
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
      this.pool!.dispatch(
        {
          path: this.pathOf(req),
          method: req.method ?? 'GET',
          headers: body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {},
          ...(body ? { body } : {}),
        },
        handler,
      );
    });
  }
}

const MAX_ERROR_BODY = 64 * 1024;

/** The engine's error reply: its JSON `message`, else its text, else the status's name. */
export function engineError(status: number, text: string, statusText = ''): EngineHttpError {
  let json: { message?: string } | undefined;
  try {
    json = text ? (JSON.parse(text) as { message?: string }) : undefined;
  } catch {
    json = undefined;
  }
  const message = json?.message ?? (text.trim() || statusText || 'error');
  return new EngineHttpError(status, `(HTTP code ${status}) ${message}`, json ?? { message });
}

/** The socket path or host and port of a unix:// or tcp:// (http://, https://) engine, and whether it is TLS. */
function targetOf(ep: Endpoint): { target: { socketPath: string } | { host: string; port: number }; secure: boolean } {
  const url = new URL(ep.host.replace(/^tcp:/, 'http:'));
  const secure = !!ep.tls || url.protocol === 'https:';
  const target = url.protocol === 'unix:' ? { socketPath: decodeURIComponent(url.pathname) } : { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : secure ? 2376 : 2375 };
  return { target, secure };
}

/**
 * undici's connections to an engine. No timeouts: a followed stream may be quiet for as long as it runs
 * (node:http's default too). Idle connections are unref'd by undici: they never hold the process open.
 */
function enginePool(ep: Endpoint): Pool {
  const Pool = PoolClass();
  const quiet = { headersTimeout: 0, bodyTimeout: 0 };
  // ssh:// engines: each connection is an ssh process running `docker system dial-stdio` (dial-stdio.ts).
  // The Host header names no real host: the far side's docker forwards the bytes to its engine's socket.
  if (ep.host.startsWith('ssh://')) {
    const args = sshArgs(ep.host);
    return new Pool('http://docker', {
      ...quiet,
      connect: (_opts, made) => {
        import('./dial-stdio.js').then(
          ({ DialStdio }) => made(null, new DialStdio(args) as never),
          (err: Error) => made(err, null),
        );
      },
    });
  }
  const tls = ep.tls;
  const { target, secure } = targetOf(ep);
  if ('socketPath' in target) return new Pool('http://localhost', { ...quiet, socketPath: target.socketPath });
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  if (!secure) return new Pool(`http://${host}:${target.port}`, quiet);
  return new Pool(`https://${host}:${target.port}`, {
    ...quiet,
    connect: {
      ...(tls?.ca ? { ca: readFileSync(tls.ca) } : {}),
      ...(tls?.cert ? { cert: readFileSync(tls.cert) } : {}),
      ...(tls?.key ? { key: readFileSync(tls.key) } : {}),
      ...(tls && !tls.verify ? { rejectUnauthorized: false } : {}),
    },
  });
}
