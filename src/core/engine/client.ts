/**
 * EngineClient: berth's own small client for the Docker Engine API.
 *
 * Why not dockerode: loading it pulls in ssh2, gRPC and protobuf (for
 * BuildKit sessions) whether or not they are used, which cost more CPU at
 * start-up than the whole of `berth stats --no-stream` needs otherwise, and
 * their install scripts run on every `npm install`. berth uses a handful of
 * endpoints, so it speaks HTTP/1.1 to the engine itself with node:http over
 * a unix socket, tcp, tcp+TLS, or an ssh process running
 * `docker system dial-stdio` (ssh.ts), as docker's CLI does.
 *
 * - `json(req)`: a request whose reply is read whole and parsed (empty -> undefined).
 * - `stream(req)`: the reply as a readable stream (logs, events), torn down
 *   when `req.signal` aborts.
 * - `read(req, onData)`: the reply's body to `onData` as it arrives (stats).
 * One stack reads every reply, node:http (docs/engine-http.md says why, with
 * the figures of bench/engine-http.mjs).
 * A status outside 2xx (and the request's `okStatus`) rejects with an
 * EngineHttpError carrying `statusCode` and the engine's own `message`, the
 * shape `toBerthError` maps to berth's error codes.
 */
import type { IncomingMessage, RequestOptions } from 'node:http';
import { createRequire } from 'node:module';
import type https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Endpoint } from './endpoint.js';
import { sshAgent } from './ssh.js';

// node:http by require, not import: an import of it reads every export, and on Node 22 and later one
// of them loads Node's bundled undici (about 50 ms of CPU at start-up), which berth does not use.
let httpModule: typeof import('node:http') | undefined;
const http = () => (httpModule ??= createRequire(import.meta.url)('node:http') as typeof import('node:http'));

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

type Transport = (req: EngineRequest, path: string) => Promise<IncomingMessage>;

export class EngineClient {
  /** "v1.41" once negotiated; unset, paths are unversioned (the engine's own default). */
  version: string | undefined;
  /** node:http's requests over the endpoint's kind of connection. */
  private readonly transport: Transport;

  constructor(readonly endpoint: Endpoint) {
    this.transport = endpoint.host.startsWith('ssh://') ? sshTransport(endpoint) : httpTransport(endpoint);
  }

  stream(req: EngineRequest): Promise<IncomingMessage> {
    return this.send(req);
  }

  /**
   * A streaming reply whose body goes to `onData` as it arrives (one call per 'data' event of node:http's
   * reply), from when the reader is handed back; a status outside 2xx rejects as in `json`.
   */
  async read(req: EngineRequest, onData: OnData): Promise<BodyReader> {
    return replyReader(await this.send(req), onData, req.signal);
  }

  async json<T = unknown>(req: EngineRequest): Promise<T> {
    const text = await readBody(await this.send(req), req.signal, req.maxBytes);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private pathOf(req: EngineRequest): string {
    return `${req.versioned === false || !this.version ? '' : `/${this.version}`}${req.path}${encodeQuery(req.query)}`;
  }

  private async send(req: EngineRequest): Promise<IncomingMessage> {
    if (req.signal?.aborted) throw req.signal.reason;
    const res = await this.transport(req, this.pathOf(req));
    const status = res.statusCode ?? 0;
    if ((status >= 200 && status < 300) || req.okStatus?.includes(status)) return res;
    throw engineError(status, await readBody(res, req.signal).catch(() => ''));
  }
}

/** The engine's error reply: its JSON `message`, else its text, else the status's name. */
export function engineError(status: number, text: string): EngineHttpError {
  let json: { message?: string } | undefined;
  try {
    json = text ? (JSON.parse(text) as { message?: string }) : undefined;
  } catch {
    json = undefined;
  }
  const message = json?.message ?? (text.trim() || http().STATUS_CODES[status] || 'error');
  return new EngineHttpError(status, `(HTTP code ${status}) ${message}`, json ?? { message });
}

/** A reply of node:http as a BodyReader: its 'data' events go to `onData`. */
function replyReader(res: IncomingMessage, onData: OnData, signal?: AbortSignal): BodyReader {
  const ended = new Promise<void>((resolve, reject) => {
    res.once('end', resolve);
    res.once('error', (err) => reject(signal?.aborted ? signal.reason : err));
    res.once('close', () => (signal?.aborted ? reject(signal.reason) : resolve()));
  });
  ended.catch(() => {}); // the caller awaits it when it chooses
  res.on('data', (chunk: Buffer) => onData(chunk, 0, chunk.length));
  return { ended, pause: () => void res.pause(), resume: () => void res.resume(), close: () => void res.destroy() };
}

async function readBody(res: IncomingMessage, signal?: AbortSignal, maxBytes = MAX_JSON_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new Error(`the engine's reply is larger than ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  } finally {
    res.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The socket path or host and port of a unix:// or tcp:// (http://, https://) engine, and whether it is TLS. */
function targetOf(ep: Endpoint): { target: { socketPath: string } | { host: string; port: number }; secure: boolean } {
  const url = new URL(ep.host.replace(/^tcp:/, 'http:'));
  const secure = !!ep.tls || url.protocol === 'https:';
  const target = url.protocol === 'unix:' ? { socketPath: decodeURIComponent(url.pathname) } : { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : secure ? 2376 : 2375 };
  return { target, secure };
}

function httpTransport(ep: Endpoint): Transport {
  const tls = ep.tls;
  const { target, secure } = targetOf(ep);
  // Free keep-alive sockets are unref'd by the agent: they never hold the process open. `servername` is
  // TLS's name for the server (SNI), unused without TLS; given, the agent skips working it out, whose
  // first net.isIP() compiles Node's IP regexes (10-20 ms of CPU at start-up).
  if (!secure) return requester(http().request, { ...target, servername: '', agent: new (http().Agent)({ keepAlive: true }) });
  // The files are read now, so a missing one fails here as before; node:https (TLS, crypto) loads with the first request.
  const options: https.AgentOptions = {
    keepAlive: true,
    ...(tls?.ca ? { ca: readFileSync(tls.ca) } : {}),
    ...(tls?.cert ? { cert: readFileSync(tls.cert) } : {}),
    ...(tls?.key ? { key: readFileSync(tls.key) } : {}),
    ...(tls && !tls.verify ? { rejectUnauthorized: false } : {}),
  };
  let secureTransport: Promise<Transport> | undefined;
  return async (req, path) => {
    secureTransport ??= import('node:https').then(({ default: h }) => requester(h.request, { ...target, agent: new h.Agent(options) }));
    return (await secureTransport)(req, path);
  };
}

/** ssh:// engines: each connection is an ssh process running `docker system dial-stdio` (ssh.ts). */
function sshTransport(ep: Endpoint): Transport {
  // The Host header names no real host: the far side's docker forwards the bytes to its engine's socket.
  return requester(http().request, { host: 'docker', agent: sshAgent(ep.host) });
}

function requester(request: typeof import('node:http').request, target: RequestOptions & { servername?: string }): Transport {
  return (req, path) =>
    new Promise((resolve, reject) => {
      const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
      const r = request({
        ...target,
        path,
        method: req.method ?? 'GET',
        headers: body ? { 'Content-Type': 'application/json', 'Content-Length': body.length } : {},
        signal: req.signal,
      });
      r.once('response', resolve);
      r.on('error', (err) => reject(req.signal?.aborted ? req.signal.reason : err));
      r.end(body);
    });
}
