// berth's own reading of the engine's streaming replies on a plain connection (plain-stream.ts) and the
// chunked coding (chunked.ts). The engine's real replies are read in the integration tests (stats); here a
// socket server writes the bytes of a reply, cut at every place, to test the framing the engine chooses
// (chunked, a length, until close), its error replies and a connection it breaks.
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChunkedDecoder } from '../../src/core/engine/chunked.js';
import { parseHead, plainGet } from '../../src/core/engine/plain-stream.js';
import { engineError, EngineHttpError } from '../../src/core/engine/client.js';

/** Decodes `wire` fed in pieces cut at `cuts`; the data as text, and whether the end was seen. */
function decode(wire: string, cuts: number[] = []) {
  const d = new ChunkedDecoder();
  const bytes = Buffer.from(wire);
  let out = '';
  let done = false;
  let at = 0;
  for (const end of [...cuts, bytes.length]) {
    done = d.push(bytes, (b, s, e) => (out += b.toString('utf8', s, e)), at, end) || done;
    at = end;
  }
  return { out, done };
}

const everyCut = (s: string) => Array.from({ length: s.length - 1 }, (_, i) => [i + 1]);

describe('ChunkedDecoder', () => {
  const wire = '5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n';

  it('decodes chunks, extensions and trailers, whole or cut at any byte', () => {
    expect(decode(wire)).toEqual({ out: 'hello, world', done: true });
    for (const cuts of everyCut(wire)) expect(decode(wire, cuts), `cut at ${cuts[0]}`).toEqual({ out: 'hello, world', done: true });
    expect(
      decode(
        wire,
        Array.from({ length: wire.length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual({ out: 'hello, world', done: true });
  });

  it('is not done before the last chunk and the empty line after it', () => {
    expect(decode('5\r\nhello\r\n')).toEqual({ out: 'hello', done: false });
    expect(decode('5\r\nhello\r\n0\r\n')).toEqual({ out: 'hello', done: false });
    expect(decode('5\r\nhello\r\n0\r\n\r\n')).toEqual({ out: 'hello', done: true });
  });

  it.each([
    ['a size that is not hex', 'zz\r\nhello\r\n'],
    ['data longer than its size', '2\r\nhello\r\n'],
    ['a size of more than 12 hex digits', `${'0'.repeat(13)}1\r\n`],
    ['an extension longer than the bound', `1;${'x'.repeat(5000)}\r\n`],
    ['a CR without LF after a size', '1\rx'],
  ])('throws on %s', (_what, text) => {
    expect(() => decode(text)).toThrow(/chunked reply/);
  });

  it('reads sizes in either case, with spaces or an extension before the CRLF, and data that holds CR and LF', () => {
    expect(decode(`1A ; name=value\r\n${'x'.repeat(26)}\r\na\r\n\r\n\r\nline\r\n\r\n0\r\n\r\n`)).toEqual({ out: `${'x'.repeat(26)}\r\n\r\nline\r\n`, done: true });
    expect(decode('6ce\r\n').done).toBe(false);
  });
});

describe('parseHead', () => {
  it('reads the status and how the body ends', () => {
    expect(parseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked')).toEqual({ status: 200, framing: { kind: 'chunked' } });
    expect(parseHead('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 29')).toEqual({ status: 404, framing: { kind: 'length', length: 29 } });
    expect(parseHead('HTTP/1.0 200 OK')).toEqual({ status: 200, framing: { kind: 'close' } });
    expect(() => parseHead('SSH-2.0-OpenSSH')).toThrow(/not HTTP/);
  });
});

// A server on a unix socket that answers each connection with `reply(socket)`, after reading the request head.
const dir = mkdtempSync(join(tmpdir(), 'berth-plain-'));
const servers: Server[] = [];
let n = 0;
async function serve(reply: (s: Socket, request: string) => void): Promise<string> {
  const path = join(dir, `s${n++}.sock`);
  const server = createServer((s) => {
    let req = '';
    s.on('data', (d) => {
      req += d;
      if (req.includes('\r\n\r\n')) reply(s, req);
    });
    s.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(path, r));
  return path;
}
afterAll(() => servers.forEach((s) => s.close()));

/** Writes `parts` one at a time, a few ms apart (so the client reads them apart), then ends or not. */
function writeSlowly(s: Socket, parts: string[], end = true) {
  let i = 0;
  const next = () => {
    if (i < parts.length) {
      s.write(parts[i++]!);
      setTimeout(next, 5);
    } else if (end) s.end();
  };
  next();
}

/** GET through plainGet; the body as text and how it ended. */
async function get(socketPath: string, o: { okStatus?: number[]; signal?: AbortSignal } = {}) {
  let body = '';
  const reader = await plainGet({ socketPath }, '/v1.41/containers/x/stats?stream=true', { ...o, onData: (d, s, e) => (body += d.toString('utf8', s, e)), rejectStatus: engineError });
  const end = await reader.ended.then(
    () => 'ended',
    (err: Error) => `failed: ${err.message}`,
  );
  return { body, end };
}

describe('plainGet', () => {
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';

  it('sends a GET and reads a chunked reply, the head and body coming in any pieces', async () => {
    let request = '';
    const path = await serve((s, req) => {
      request = req;
      writeSlowly(s, [head.slice(0, 20), head.slice(20) + '7\r\n{"a"', ':1}\r\n', '3\r\n\n{}\r\n0\r\n\r\n']);
    });
    expect(await get(path)).toEqual({ body: '{"a":1}\n{}', end: 'ended' });
    expect(request).toBe('GET /v1.41/containers/x/stats?stream=true HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  });

  it('hands on the body that came in the same read as the head, after the reader is handed back', async () => {
    // (The engine's close often comes in that read too, as it answers a small request: its replies to
    // client.json() in the integration tests are that case, which a server in this process does not make.)
    const path = await serve((s) => s.end(head + '5\r\nhello\r\n0\r\n\r\n'));
    expect(await get(path)).toEqual({ body: 'hello', end: 'ended' });
  });

  it('keeps the order of the bytes when more than one read buffer (64 KiB) comes with the head', async () => {
    // libuv reads a socket up to 32 times in one turn of the loop: the reads after the first came before
    // the first read's body was handed on (a container list of a few hundred containers is this size).
    const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
    const parts = Array.from({ length: 300 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(900)}"}\n`);
    const path = await serve((s) => s.end(head + parts.map(chunk).join('') + '0\r\n\r\n'));
    for (let round = 0; round < 5; round++) expect(await get(path)).toEqual({ body: parts.join(''), end: 'ended' });
  });

  it('reads a body of a Content-Length, and one that ends when the engine closes', async () => {
    const a = await serve((s) => writeSlowly(s, ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel', 'lo'], false));
    expect(await get(a)).toEqual({ body: 'hello', end: 'ended' });
    const b = await serve((s) => writeSlowly(s, ['HTTP/1.0 200 OK\r\n\r\nhel', 'lo']));
    expect(await get(b)).toEqual({ body: 'hello', end: 'ended' });
  });

  it("an error status rejects with the engine's message; an okStatus is an answer", async () => {
    const msg = '{"message":"No such container: x"}';
    const path = await serve((s) => s.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${msg.length}\r\n\r\n${msg}`));
    const err = await get(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineHttpError);
    expect(err).toMatchObject({ statusCode: 404, message: '(HTTP code 404) No such container: x' });
    expect(await get(path, { okStatus: [404] })).toEqual({ body: msg, end: 'ended' });
  });

  it('a connection broken before the last chunk fails the reply as Node names it (ECONNRESET, aborted)', async () => {
    const path = await serve((s) => writeSlowly(s, [head, '5\r\nhel']));
    expect(await get(path)).toEqual({ body: 'hel', end: 'failed: aborted' });
  });

  it('an abort tears the connection down and rejects with its reason; close() ends the reply', async () => {
    const path = await serve((s) => writeSlowly(s, [head, '5\r\nhello\r\n'], false));
    const ac = new AbortController();
    let body = '';
    const reader = await plainGet({ socketPath: path }, '/', { signal: ac.signal, onData: (d, s, e) => ((body += d.toString('utf8', s, e)), ac.abort('stop it')), rejectStatus: engineError });
    await expect(reader.ended).rejects.toBe('stop it');
    expect(body).toBe('hello');
    const other = await plainGet({ socketPath: path }, '/', { onData: () => other.close(), rejectStatus: engineError });
    await expect(other.ended).resolves.toBeUndefined();
  });

  it('a socket that is not there rejects the request with ENOENT', async () => {
    await expect(plainGet({ socketPath: join(dir, 'none.sock') }, '/', { onData: () => {}, rejectStatus: engineError })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
