/**
 * EngineRecorder: a unix-socket proxy in front of the engine's socket that
 * records every request a client makes (method, path, query, when, on which
 * connection), so a test can run `berth ...` with
 * DOCKER_HOST=unix://<recorder.socket> and then list the engine calls it made.
 *
 * Bytes are passed through untouched in both directions; only a copy of the
 * client's side is parsed for request heads. A request that upgrades its
 * connection (hijacked attach, exec) ends the parsing of that connection.
 * A request is `open` while it is the last one on a connection that is still
 * connected: a streaming /events subscription stays open, a finished
 * keep-alive request is followed by the next one or by the close.
 *
 * Bounds: at most 100,000 requests are kept (older ones are dropped first);
 * a connection's unparsed head is held up to 64 KiB, past which that
 * connection is no longer parsed (its bytes still flow).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedRequest {
  method: string;
  path: string;
  /** The raw query string, without '?' ('' when none). */
  query: string;
  /** Date.now() when its head arrived. */
  at: number;
  /** The connection it came on (1, 2, ...). */
  conn: number;
  /** The last request on a connection that is still connected. */
  open: boolean;
}

const MAX_HEAD = 64 * 1024;
const MAX_KEPT = 100_000;

export interface ParsedHead {
  method: string;
  target: string;
  headers: Map<string, string>;
  /** Bytes the head took, with its blank line. */
  length: number;
}

/** One request head at the start of `buf`, or undefined when it is not complete yet. */
export function parseHead(buf: Buffer): ParsedHead | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const [method = '', target = ''] = lines[0]!.split(' ');
  const headers = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  return { method, target, headers, length: end + 4 };
}

/** Splits a request target into path and query. */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/**
 * Parses a client's byte stream into request heads, skipping bodies sized by
 * Content-Length; a chunked request body or an upgrade stops the parsing.
 */
export class RequestParser {
  private buf = Buffer.alloc(0);
  private skip = 0;
  private stopped = false;

  constructor(private readonly onHead: (h: ParsedHead) => void) {}

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.buf.length);
        this.skip -= n;
        this.buf = this.buf.subarray(n);
        if (this.skip > 0) return;
      }
      const head = parseHead(this.buf);
      if (!head) {
        if (this.buf.length > MAX_HEAD) this.stop();
        return;
      }
      this.buf = this.buf.subarray(head.length);
      this.onHead(head);
      const upgrade = head.headers.has('upgrade') || /upgrade/i.test(head.headers.get('connection') ?? '');
      if (upgrade || /chunked/i.test(head.headers.get('transfer-encoding') ?? '')) return this.stop();
      this.skip = Number(head.headers.get('content-length') ?? 0) || 0;
    }
  }

  private stop(): void {
    this.stopped = true;
    this.buf = Buffer.alloc(0);
  }
}

export class EngineRecorder {
  readonly socket: string;
  private readonly dir: string;
  private readonly server: Server;
  private readonly log: RecordedRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private conns = 0;

  private constructor(private readonly engineSocket: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'berth-recorder-'));
    this.socket = join(this.dir, 'engine.sock');
    this.server = createServer((client) => this.accept(client));
  }

  /** Listens in front of `engineSocket` (default: DOCKER_HOST's unix socket, else /var/run/docker.sock). */
  static async start(engineSocket = defaultEngineSocket()): Promise<EngineRecorder> {
    const r = new EngineRecorder(engineSocket);
    await new Promise<void>((resolve, reject) => {
      r.server.once('error', reject);
      r.server.listen(r.socket, () => resolve());
    });
    return r;
  }

  /** DOCKER_HOST for a client that should go through the recorder. */
  get dockerHost(): string {
    return `unix://${this.socket}`;
  }

  /** Every request recorded so far, oldest first (optionally only those from `since`, a Date.now() value). */
  requests(since = 0): RecordedRequest[] {
    return this.log.filter((r) => r.at >= since);
  }

  /** Requests still open for a path (e.g. '/events'); the path may carry the API version prefix. */
  open(path: string): RecordedRequest[] {
    return this.log.filter((r) => r.open && stripVersion(r.path) === path);
  }

  /** "GET /containers/json?all=1" lines, version prefix stripped, for failure messages. */
  lines(since = 0): string[] {
    return this.requests(since).map((r) => `${r.method} ${stripVersion(r.path)}${r.query ? `?${decodeURIComponent(r.query)}` : ''}${r.open ? ' (open)' : ''}`);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private accept(client: Socket): void {
    const conn = ++this.conns;
    const engine = createConnection(this.engineSocket);
    this.sockets.add(client).add(engine);
    let last: RecordedRequest | undefined;
    const parser = new RequestParser((h) => {
      if (last) last.open = false;
      const { path, query } = splitTarget(h.target);
      last = { method: h.method, path, query, at: Date.now(), conn, open: true };
      this.log.push(last);
      if (this.log.length > MAX_KEPT) this.log.shift();
    });
    client.on('data', (chunk: Buffer) => parser.push(chunk));
    client.pipe(engine);
    engine.pipe(client);
    const close = () => {
      if (last) last.open = false;
      client.destroy();
      engine.destroy();
      this.sockets.delete(client);
      this.sockets.delete(engine);
    };
    client.on('close', close).on('error', close);
    engine.on('close', close).on('error', close);
  }
}

/** '/v1.45/containers/json' -> '/containers/json'. */
export function stripVersion(path: string): string {
  return path.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
}

function defaultEngineSocket(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice(7) : '/var/run/docker.sock';
}
