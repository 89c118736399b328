/**
 * A streaming GET on a plain connection to the engine (a unix socket, or tcp without TLS), read by berth
 * itself. The socket's `onread` hands each read to one function: no stream and no HTTP parser objects per
 * read. Node's HTTP client makes every read a push and a 'data' event on two streams (the socket and the
 * reply); `stats` following 20 containers reads 20 times a second for as long as it runs, and a bare reader
 * of those streams cost about a quarter more CPU through node:http than through `onread`.
 *
 * The response head is parsed here (the status line, Transfer-Encoding and Content-Length); the body is
 * chunked (chunked.ts), of a Content-Length, or read until the engine closes. The connection serves this
 * one request (Connection: close). A status outside 2xx (and `okStatus`) rejects with the engine's error
 * (client.ts `engineError`), as the client's other requests do.
 *
 * Bounds: a head of at most MAX_HEAD bytes and an error reply of at most MAX_ERROR_BODY (longer: an error
 * / cut); body bytes are handed on as they arrive, never kept, except those that came with the head, kept
 * until the reader is handed back. All connections share one read buffer: each read is handed on before
 * the next is made, and `onData` copies what it keeps. The body goes on as ranges of that buffer (no view
 * is made per read: this runs for every read of every stream followed).
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { ChunkedDecoder } from './chunked.js';

const net = createRequire(import.meta.url)('node:net') as typeof import('node:net');

export const MAX_HEAD = 64 * 1024;
const MAX_ERROR_BODY = 64 * 1024;
let shared: Buffer | undefined;

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

/** Where a plain connection goes: a unix socket's path, or a tcp host and port. */
export type PlainTarget = { socketPath: string } | { host: string; port: number };

export interface Head {
  status: number;
  /** How the body ends: chunked coding, a length, or the engine closing the connection. */
  framing: { kind: 'chunked' } | { kind: 'length'; length: number } | { kind: 'close' };
}

/** The status and body framing of a response head (the bytes before its blank line); throws when it is not one. */
export function parseHead(text: string): Head {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) throw new Error(`the engine's reply is not HTTP/1.1 (${JSON.stringify((lines[0] ?? '').slice(0, 40))})`);
  let chunked = false;
  let length: number | undefined;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'transfer-encoding') chunked = /(^|,)\s*chunked\s*$/i.test(value);
    else if (name === 'content-length' && /^\d+$/.test(value)) length = Number(value);
  }
  const framing: Head['framing'] = chunked ? { kind: 'chunked' } : length !== undefined ? { kind: 'length', length } : { kind: 'close' };
  return { status: Number(m[1]), framing };
}

/** The request line and headers of a GET (the Host header as Node's HTTP client would send it). */
function requestHead(target: PlainTarget, path: string): string {
  const host = 'socketPath' in target ? 'localhost' : `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  return `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
}

/** A connection that the engine broke before the reply's end, named as Node's HTTP client names it. */
function cutShort(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

/**
 * GET `path` on `target`; resolves with the reader once the engine answered 2xx (or an `okStatus`), after
 * which the body goes to `onData` (ranges of a reused buffer: valid during the call only). `rejectStatus`
 * makes the error of a status outside them from its body's text.
 */
export function plainGet(
  target: PlainTarget,
  path: string,
  o: { signal?: AbortSignal; okStatus?: number[]; onData: OnData; rejectStatus: (status: number, body: string) => Error },
): Promise<BodyReader> {
  return new Promise<BodyReader>((resolveRead, rejectRead) => {
    let head: Buffer | undefined = Buffer.alloc(0);
    let body: BodyBytes | undefined;
    /** The error of a status outside 2xx, made once its body is in. */
    let failure: (() => Error) | undefined;
    let settled = false;
    /** Body bytes that came with the head (and any read after them) until the caller has the reader. */
    let early: Buffer[] | undefined;
    /** The connection ended while `early` waited: its end is judged once they are handed on. */
    let endedEarly = false;
    let paused = false;
    let endOk!: () => void;
    let endFail!: (err: unknown) => void;
    const ended = new Promise<void>((res, rej) => ((endOk = res), (endFail = rej)));
    ended.catch(() => {}); // the caller reads it once it has the reader; before that a failure rejects the read itself
    const buffer = (shared ??= Buffer.allocUnsafe(64 * 1024));
    const where = 'socketPath' in target ? { path: target.socketPath } : target;
    const socket: Socket = net.connect({ ...where, onread: { buffer, callback: (n) => (onBytes(buffer, n), true) } });
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err === undefined) endOk();
      else endFail(err);
      rejectRead(err ?? cutShort());
    };
    /** The body's last byte is in (or the engine closed the connection). */
    const bodyEnd = () => finish(failure?.());
    const onAbort = () => finish(o.signal!.reason);
    const deliverEarly = () => {
      const pieces = early;
      early = undefined;
      for (const bytes of pieces ?? []) if (!settled) onBytes(bytes, bytes.length);
      if (endedEarly) onEnd();
    };
    const reader: BodyReader = {
      ended,
      pause: () => {
        paused = true;
        socket.pause();
      },
      resume: () => {
        paused = false;
        deliverEarly();
        if (!paused && !settled) socket.resume();
      },
      close: () => finish(),
    };
    /** The first `n` bytes of `bytes` came. */
    const onBytes = (bytes: Buffer, n: number): void => {
      if (settled) return;
      // Bytes read while those that came with the head wait for the caller go behind them: libuv reads a
      // socket up to 32 times in one turn of the loop, so a reply larger than the read buffer brings more
      // reads before the reader is handed back, and handing them on first would put the body out of order.
      if (early) {
        early.push(Buffer.from(bytes.subarray(0, n))); // a copy: `bytes` is the shared read buffer
        return;
      }
      try {
        if (head) readHead(bytes.subarray(0, n));
        else body!.push(bytes, 0, n);
      } catch (err) {
        finish(err);
      }
    };
    const readHead = (bytes: Buffer) => {
      const all = Buffer.concat([head!, bytes]);
      const blank = all.indexOf('\r\n\r\n');
      if (blank === -1) {
        if (all.length > MAX_HEAD) throw new Error(`the engine's reply head is longer than ${MAX_HEAD} bytes`);
        head = all;
        return;
      }
      head = undefined;
      const h = parseHead(all.toString('latin1', 0, blank));
      const rest = Buffer.from(all.subarray(blank + 4)); // a copy: `all` may be the shared read buffer
      if ((h.status >= 200 && h.status < 300) || o.okStatus?.includes(h.status)) {
        body = bodyBytes(h.framing, o.onData, bodyEnd);
        resolveRead(reader);
        // The bytes that came with the head go on once the caller has the reader (after its await).
        if (rest.length) {
          early = [rest];
          setImmediate(() => paused || deliverEarly());
        }
      } else {
        let text = '';
        failure = () => o.rejectStatus(h.status, text);
        body = bodyBytes(h.framing, (d, from, to) => void (text.length < MAX_ERROR_BODY && (text += d.toString('utf8', from, to))), bodyEnd);
        if (rest.length) body.push(rest, 0, rest.length);
      }
    };
    // A small reply comes with its head and the engine's close in one read: the end waits for its bytes.
    const onEnd = (): void => {
      if (early) endedEarly = true;
      else if (head || !body?.untilClose) finish(failure?.() ?? cutShort());
      else bodyEnd();
    };
    socket.once('connect', () => socket.write(requestHead(target, path)));
    socket.once('error', (err) => finish(o.signal?.aborted ? o.signal.reason : err));
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface BodyBytes {
  push(bytes: Buffer, start: number, end: number): void;
  /** The body ends when the engine closes the connection. */
  untilClose: boolean;
}

/** The body's bytes to `onData`, by its framing; `onEnd` once its last byte is in (for 'close', the connection's end is). */
function bodyBytes(framing: Head['framing'], onData: OnData, onEnd: () => void): BodyBytes {
  if (framing.kind === 'chunked') {
    const decoder = new ChunkedDecoder();
    return { push: (bytes, start, end) => void (decoder.push(bytes, onData, start, end) && onEnd()), untilClose: false };
  }
  if (framing.kind === 'close') return { push: onData, untilClose: true };
  let left = framing.length;
  if (left === 0) queueMicrotask(onEnd);
  return {
    push: (bytes, start, end) => {
      const n = Math.min(left, end - start);
      if (n > 0) onData(bytes, start, start + n);
      left -= n;
      if (left === 0) onEnd();
    },
    untilClose: false,
  };
}
