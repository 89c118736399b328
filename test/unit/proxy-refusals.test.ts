// Requests that end in a refusal never wake anything, and request targets
// that are not a path get a plain answer from berth, never a 502 with an
// internal message.
import { afterEach, describe, expect, it } from 'vitest';
import { rawExchange, rawUpstream, requestsTotal, startFront, type Front } from './proxy-front.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function front(o: { awake?: boolean } = {}): Promise<{ f: Front; seen: Array<{ head: string }> }> {
  const up = await rawUpstream((_h, s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const f = await startFront({ upstreamPort: up.port, wakeMs: 50, holdBodyLimit: 1024, ...o });
  cleanup.push(up.close, f.close);
  return { f, seen: up.seen };
}

const status = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
const chunk = (n: number) => `${n.toString(16)}\r\n${'x'.repeat(n)}\r\n`;

describe('refused requests never wake', () => {
  it('a chunked body past --hold-body: 413, no wake', async () => {
    const { f } = await front();
    const raw = await rawExchange(f.port, `POST /up HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk(1000)}${chunk(1000)}0\r\n\r\n`);
    expect(status(raw)).toBe(413);
    expect(f.wakes()).toBe(0);
    expect(requestsTotal(f.ctx)).toEqual({ '413': 1 });
    expect(f.ctx.activity.get('web').inflight).toBe(0);
  });

  it('a malformed chunk size: 400, no wake', async () => {
    const { f } = await front();
    const raw = await rawExchange(f.port, `POST /up HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`);
    expect(status(raw)).toBe(400);
    expect(f.wakes()).toBe(0);
    expect(f.ctx.activity.get('web').inflight).toBe(0);
  });

  it('a chunked body within --hold-body is held, then the container is woken and the body sent', async () => {
    const { f, seen } = await front();
    const raw = await rawExchange(f.port, `POST /up HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk(500)}0\r\n\r\n`);
    expect(status(raw)).toBe(200);
    expect(f.wakes()).toBe(1);
    expect(seen[0]!.head).toMatch(/^POST \/up HTTP\/1\.1\r\n/);
  });
});

describe('request targets that are not a path', () => {
  it('OPTIONS * is answered by berth (200, no body), without waking', async () => {
    const { f, seen } = await front();
    const raw = await rawExchange(f.port, 'OPTIONS * HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n');
    expect(status(raw)).toBe(200);
    expect(raw).toMatch(/\r\ncontent-length: 0\r\n/i);
    expect(f.wakes()).toBe(0);
    expect(seen).toHaveLength(0);
  });

  for (const line of ['GET * HTTP/1.1', 'POST * HTTP/1.1', 'GET ftp://app.test/x HTTP/1.1']) {
    it(`${line}: 400 with a plain reason, on an awake route too`, async () => {
      const { f, seen } = await front({ awake: true });
      const raw = await rawExchange(f.port, `${line}\r\nHost: app.test\r\nConnection: close\r\n\r\n`);
      expect(status(raw)).toBe(400);
      expect(raw).toMatch(/berth: the request target must be a path/);
      expect(raw).not.toMatch(/502|cannot reach/);
      expect(seen).toHaveLength(0);
    });
  }
});
