import { describe, expect, it } from 'vitest';
import { resumable, ResumeWindow } from '../../src/core/stream/resumable.js';

interface R {
  k: string;
  t: bigint;
}
const r = (k: string, t: number): R => ({ k, t: BigInt(t) });
const win = (windowNs: number, maxHeld = 100) =>
  new ResumeWindow<R>(
    (x) => x.k,
    (x) => x.t,
    { windowNs: BigInt(windowNs), maxHeld },
  );
const keys = (rs: R[]) => rs.map((x) => x.k);

describe('ResumeWindow', () => {
  it('keeps every live record, older than the newest or not', () => {
    const c = win(10);
    expect(keys(c.filter([r('a', 100), r('c', 300), r('b', 200), r('z', 1)]))).toEqual(['a', 'c', 'b', 'z']);
  });

  it('resumes at newest - window, and a replay repeats nothing while keeping what it did not deliver', () => {
    const c = win(150);
    c.filter([r('a', 100), r('c', 300)]);
    expect(c.since).toBe(150n);
    c.reopened(c.since);
    // the engine replays from 150: b (late, never delivered), c (delivered), then new d
    expect(keys(c.filter([r('b', 200), r('c', 300), r('d', 400)]))).toEqual(['b', 'd']);
  });

  it('counts identical keys: two delivered, three replayed, one is new', () => {
    const c = win(10);
    c.filter([r('x', 5), r('x', 5)]);
    c.reopened(c.since);
    expect(keys(c.filter([r('x', 5), r('x', 5), r('x', 5)]))).toEqual(['x']);
  });

  it('ends the replay past newest + window: later records are not compared', () => {
    const c = win(10);
    c.filter([r('a', 100)]);
    c.reopened(c.since);
    expect(keys(c.filter([r('n', 111), r('a', 100)]))).toEqual(['n', 'a']);
  });

  it('holds the records of the window only, and at most maxHeld; since never goes back to a record let go', () => {
    const c = win(100, 3);
    c.filter([r('a', 10), r('b', 20), r('c', 30), r('d', 40)]);
    expect(c.size).toBe(3);
    expect(c.since).toBe(11n); // a (10) was let go at the bound: since > 10, though newest - window is 0
    c.filter([r('e', 500)]);
    expect(c.size).toBe(1);
    expect(c.since).toBe(400n);
  });

  it('nothing delivered: no since, and a reopen filters nothing', () => {
    const c = win(10);
    expect(c.since).toBeUndefined();
    c.reopened(c.since);
    expect(keys(c.filter([r('a', 1)]))).toEqual(['a']);
  });
});

describe('resumable', () => {
  it('reopens from the cursor and delivers each record once across drops', async () => {
    const log: Array<bigint | undefined> = [];
    const conns = [
      [r('a', 100), r('c', 300)],
      [r('b', 200), r('c', 300), r('d', 400)],
    ];
    let i = 0;
    const src = {
      async *open(since: bigint | undefined) {
        log.push(since);
        yield conns[i++]!;
      },
      reopen: async () => i < conns.length,
    };
    const got: string[] = [];
    for await (const b of resumable(src, win(150), new AbortController().signal)) got.push(...keys(b));
    expect(got).toEqual(['a', 'c', 'b', 'd']);
    expect(log).toEqual([undefined, 150n]);
  });

  it('a failure goes to reopen, which may end the stream or throw', async () => {
    const seen: unknown[] = [];
    const src = {
      async *open(): AsyncGenerator<R[]> {
        yield [r('a', 1)];
        throw new Error('reset');
      },
      reopen: async (err: unknown) => (seen.push((err as Error).message), false),
    };
    const got: string[] = [];
    for await (const b of resumable(src, win(10), new AbortController().signal)) got.push(...keys(b));
    expect(got).toEqual(['a']);
    expect(seen).toEqual(['reset']);
    const failing = { ...src, reopen: async () => Promise.reject(new Error('fatal')) };
    await expect(async () => {
      for await (const _ of resumable(failing, win(10), new AbortController().signal)) void _;
    }).rejects.toThrow('fatal');
  });
});
