import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../src/core/stream/queue.js';

describe('BoundedQueue', () => {
  it('hands items over in order and applies backpressure past the high-water mark', async () => {
    const q = new BoundedQueue<number>(2);
    expect(q.push(1)).toBeUndefined();
    expect(q.push(2)).toBeUndefined();
    const blocked = q.push(3);
    expect(blocked).toBeInstanceOf(Promise);
    let released = false;
    void blocked!.then(() => (released = true));
    const it = q[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe(1);
    await Promise.resolve();
    expect(released).toBe(true);
    q.close();
    expect((await it.next()).value).toBe(2);
    expect((await it.next()).value).toBe(3);
    expect((await it.next()).done).toBe(true);
  });

  it('delivers in order and makes an awaiting producer wait at the bound (one item over it)', async () => {
    const q = new BoundedQueue<number>(2);
    let third = false;
    await q.push(1);
    await q.push(2);
    const p = q.push(3)!.then(() => (third = true));
    // A turn of the event loop: a push that had space would have resolved, and set `third`, before it.
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    expect(q.length).toBe(3);
    const got: number[] = [];
    const it = q[Symbol.asyncIterator]();
    got.push((await it.next()).value as number);
    await p;
    expect(third).toBe(true);
    q.close();
    for await (const v of it) got.push(v);
    expect(got).toEqual([1, 2, 3]);
  });

  it('keeps an item pushed without awaiting when the queue closes', async () => {
    const q = new BoundedQueue<string>(1);
    void q.push('a');
    void q.push('b');
    q.close();
    const got: string[] = [];
    for await (const v of q) got.push(v);
    expect(got).toEqual(['a', 'b']);
  });
});
