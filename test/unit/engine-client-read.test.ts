// EngineClient.read: a streaming reply's body handed on as it arrives (stats follows the engine this way).
// The engine's real replies are read in the integration tests (stats); here a socket server writes the
// bytes of a reply in pieces, to test the framings the engine chooses (chunked, a length, until close),
// its error replies, a connection it breaks, an abort and the reader's own close.
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient, EngineHttpError } from '../../src/core/engine/client.js';
import { isConnectionError } from '../../src/core/errors.js';

// A server on a unix socket that answers each connection with `reply(socket)`, after reading the request head.
const dir = mkdtempSync(join(tmpdir(), 'berth-read-'));
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

const client = (socketPath: string) => new EngineClient({ name: 't', host: `unix://${socketPath}` });

/** GET through read(); the body as text and how it ended. */
async function get(socketPath: string, o: { okStatus?: number[]; signal?: AbortSignal } = {}) {
  let body = '';
  const reader = await client(socketPath).read({ path: '/containers/x/stats', query: { stream: true }, ...o }, (d, s, e) => (body += d.toString('utf8', s, e)));
  const end = await reader.ended.then(
    () => 'ended',
    (err: Error) => (isConnectionError(err) ? 'failed: a connection error' : `failed: ${err.message}`),
  );
  return { body, end };
}

const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

describe('EngineClient.read', () => {
  it('sends a GET and reads a chunked reply, the head and body coming in any pieces', async () => {
    let request = '';
    const path = await serve((s, req) => {
      request = req;
      writeSlowly(s, [head.slice(0, 20), head.slice(20) + '7\r\n{"a"', ':1}\r\n', '3\r\n\n{}\r\n0\r\n\r\n']);
    });
    expect(await get(path)).toEqual({ body: '{"a":1}\n{}', end: 'ended' });
    expect(request.split('\r\n')[0]).toBe('GET /containers/x/stats?stream=true HTTP/1.1');
  });

  it('hands on the body that came in the same read as the head, after the reader is handed back', async () => {
    const path = await serve((s) => s.end(head + '5\r\nhello\r\n0\r\n\r\n'));
    expect(await get(path)).toEqual({ body: 'hello', end: 'ended' });
  });

  it('keeps the order of the bytes when a large reply comes at once with its head', async () => {
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

  it('a connection broken before the last chunk fails the reply with a connection error', async () => {
    const path = await serve((s) => writeSlowly(s, [head, '5\r\nhel']));
    expect(await get(path)).toEqual({ body: 'hel', end: 'failed: a connection error' });
  });

  it('pause() holds the body back until resume()', async () => {
    const path = await serve((s) => writeSlowly(s, [head, chunk('one\n'), chunk('two\n'), '0\r\n\r\n']));
    let body = '';
    let paused = false;
    const reader = await client(path).read({ path: '/' }, (d, s, e) => {
      body += d.toString('utf8', s, e);
      if (!paused) {
        paused = true;
        reader.pause();
        setTimeout(() => {
          expect(body).toBe('one\n'); // nothing more while paused
          reader.resume();
        }, 100);
      }
    });
    await reader.ended;
    expect(body).toBe('one\ntwo\n');
  });

  it('an abort tears the connection down and rejects with its reason; close() ends the reply', async () => {
    const path = await serve((s) => writeSlowly(s, [head, '5\r\nhello\r\n'], false));
    const ac = new AbortController();
    let body = '';
    const reader = await client(path).read({ path: '/', signal: ac.signal }, (d, s, e) => ((body += d.toString('utf8', s, e)), ac.abort('stop it')));
    await expect(reader.ended).rejects.toBe('stop it');
    expect(body).toBe('hello');
    const other = await client(path).read({ path: '/' }, () => other.close());
    await expect(other.ended).resolves.toBeUndefined();
  });

  it('a socket that is not there rejects the request with ENOENT', async () => {
    await expect(client(join(dir, 'none.sock')).read({ path: '/' }, () => {})).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
