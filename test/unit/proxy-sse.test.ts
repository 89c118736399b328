import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SseHub } from '../../src/core/proxy/sse.js';

/** A response that records what is written; `writableLength` is what a slow reader has not taken yet. */
class FakeRes extends EventEmitter {
  status = 0;
  headers: Record<string, string> = {};
  body = '';
  writableLength = 0;
  destroyed = false;
  ended = false;
  writeHead(status: number, headers: Record<string, string>) {
    this.status = status;
    this.headers = headers;
    return this;
  }
  write(s: string) {
    this.body += s;
    return true;
  }
  end(s = '') {
    this.body += s;
    this.ended = true;
    this.emit('close');
    return this;
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}

const sub = (hub: SseHub) => {
  const req = new EventEmitter() as unknown as IncomingMessage;
  const res = new FakeRes();
  const ok = hub.subscribe(req, res as unknown as ServerResponse);
  return { req, res, ok };
};

const events = (body: string) => [...body.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as { n: number });

describe('SseHub', () => {
  it('replays the history to a new subscriber, then sends live events, with increasing ids', () => {
    const hub = new SseHub({ max: 10, count: 0 });
    hub.publish('wake', { n: 1 });
    hub.publish('wake', { n: 2 });
    const a = sub(hub);
    hub.publish('wake', { n: 3 });
    expect(a.res.status).toBe(200);
    expect(a.res.headers['content-type']).toBe('text/event-stream');
    expect(events(a.res.body).map((e) => e.n)).toEqual([1, 2, 3]);
    expect([...a.res.body.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([1, 2, 3]);
    expect(a.res.body).toMatch(/^retry: 1000\n\n/);
  });

  it('keeps only the last historyLimit events; reset forgets them', () => {
    const hub = new SseHub({ max: 10, count: 0 }, { historyLimit: 2 });
    for (let n = 1; n <= 5; n++) hub.publish('wake', { n });
    expect(events(sub(hub).res.body).map((e) => e.n)).toEqual([4, 5]);
    hub.reset();
    expect(events(sub(hub).res.body)).toEqual([]);
  });

  it('drops a subscriber whose buffer is past the bound, without holding up the others', () => {
    const hub = new SseHub({ max: 10, count: 0 }, { maxBuffered: 100 });
    const slow = sub(hub);
    const fast = sub(hub);
    slow.res.writableLength = 101;
    hub.publish('wake', { n: 1 });
    expect(slow.res.destroyed).toBe(true);
    expect(hub.dropped).toBe(1);
    expect(hub.size).toBe(1);
    expect(events(fast.res.body).map((e) => e.n)).toEqual([1]);
  });

  it('caps the subscribers across hubs (503 past the cap) and frees a slot when one leaves', () => {
    const budget = { max: 2, count: 0 };
    const h1 = new SseHub(budget);
    const h2 = new SseHub(budget);
    const a = sub(h1);
    sub(h2);
    const refused = sub(h2);
    expect(refused.ok).toBe(false);
    expect(refused.res.status).toBe(503);
    expect(refused.res.headers['retry-after']).toBe('5');
    (a.req as unknown as EventEmitter).emit('close');
    expect(budget.count).toBe(1);
    expect(sub(h2).ok).toBe(true);
  });

  it('closeAll ends every stream and returns their slots', () => {
    const budget = { max: 5, count: 0 };
    const hub = new SseHub(budget);
    const a = sub(hub);
    const b = sub(hub);
    hub.closeAll();
    expect([a.res.ended, b.res.ended]).toEqual([true, true]);
    expect(budget.count).toBe(0);
  });
});
