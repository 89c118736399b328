import { describe, expect, it } from 'vitest';
import { mergeByTime } from '../../src/core/logs/merge.js';
import { ReorderWindow } from '../../src/core/logs/reorder.js';
import { ResumeWindow } from '../../src/core/stream/resumable.js';
import { LOG_WINDOW, lineKey } from '../../src/core/logs/container-follow.js';
import { tsToNanos } from '../../src/core/logs/timestamp.js';
import type { LogLine } from '../../src/core/logs/line.js';
import type { Target } from '../../src/core/engine/select.js';

const A = { id: 'a', name: 'a' } as unknown as Target;
const B = { id: 'b', name: 'b' } as unknown as Target;
const ts = (n: number) => `2026-11-22T10:00:00.${String(n).padStart(9, '0')}Z`;
const L = (target: Target, n: number, msg = `${target.name}${n}`): LogLine => ({ ts: ts(n), stream: 'stdout', msg, truncated: false, target });

async function* batches(...bs: LogLine[][]): AsyncGenerator<LogLine[]> {
  for (const b of bs) {
    await new Promise((r) => setImmediate(r));
    yield b;
  }
}

async function collect(it: AsyncIterable<LogLine[]>): Promise<string[]> {
  const out: string[] = [];
  for await (const b of it) for (const l of b) out.push(l.msg);
  return out;
}

describe('mergeByTime', () => {
  it('interleaves by timestamp across sources and batches', async () => {
    const a = batches([L(A, 1), L(A, 4)], [L(A, 5), L(A, 9)]);
    const b = batches([L(B, 2)], [L(B, 3), L(B, 6)], [L(B, 10)]);
    expect(await collect(mergeByTime([a, b]))).toEqual(['a1', 'b2', 'b3', 'a4', 'a5', 'b6', 'a9', 'b10']);
  });

  it('keeps per-container order on ties, and the earlier source first', async () => {
    const a = batches([L(A, 1, 'a-first'), L(A, 1, 'a-second')]);
    const b = batches([L(B, 1, 'b-first')]);
    expect(await collect(mergeByTime([a, b]))).toEqual(['a-first', 'a-second', 'b-first']);
  });

  it('orders ties across containers by container name, whatever the order of the sources (one-second stamps, as Podman gives)', async () => {
    const a = () => batches([L(A, 1, 'a-first'), L(A, 1, 'a-second')], [L(A, 2, 'a-third')]);
    const b = () => batches([L(B, 1, 'b-first')], [L(B, 2, 'b-second')]);
    const want = ['a-first', 'a-second', 'b-first', 'a-third', 'b-second'];
    expect(await collect(mergeByTime([b(), a()]))).toEqual(want);
    expect(await collect(mergeByTime([a(), b()]))).toEqual(want);
  });

  it('handles empty and finished sources', async () => {
    expect(await collect(mergeByTime([batches(), batches([L(B, 1)])]))).toEqual(['b1']);
    expect(await collect(mergeByTime([]))).toEqual([]);
  });

  it('returns every source when the consumer stops early', async () => {
    let closed = 0;
    async function* src(t: Target) {
      try {
        for (let i = 0; ; i++) yield [L(t, i)];
      } finally {
        closed++;
      }
    }
    for await (const _ of mergeByTime([src(A), src(B)])) break;
    expect(closed).toBe(2);
  });
});

describe('ReorderWindow', () => {
  it('releases late-arriving earlier lines before later ones within the window', () => {
    let now = 0;
    const out: string[] = [];
    const w = new ReorderWindow(
      100,
      (ls) => out.push(...ls.map((l) => l.msg)),
      1000,
      () => now,
    );
    w.push([L(A, 5)]);
    now = 50;
    w.push([L(B, 3)]); // arrived 50 ms late, but earlier
    w.tick();
    expect(out).toEqual([]);
    now = 100;
    w.tick();
    expect(out).toEqual(['b3', 'a5']);
    now = 150;
    w.push([L(A, 7)]);
    now = 300;
    w.tick();
    expect(out).toEqual(['b3', 'a5', 'a7']);
  });

  it('orders lines of equal stamps from several containers by container name within the window', () => {
    let now = 0;
    const out: string[] = [];
    const w = new ReorderWindow(
      100,
      (ls) => out.push(...ls.map((l) => l.msg)),
      1000,
      () => now,
    );
    w.push([L(B, 1, 'b-first'), L(B, 1, 'b-second')]);
    now = 40;
    w.push([L(A, 1, 'a-first')]);
    w.push([L(B, 1, 'b-third')]);
    now = 200;
    w.tick();
    expect(out).toEqual(['a-first', 'b-first', 'b-second', 'b-third']);
  });

  it('holds a line exactly until its window passes', () => {
    let now = 0;
    const out: string[] = [];
    const w = new ReorderWindow(
      100,
      (ls) => out.push(...ls.map((l) => l.msg)),
      1000,
      () => now,
    );
    w.push([L(A, 1)]);
    now = 99;
    w.tick();
    expect(out).toEqual([]);
    now = 100;
    w.tick();
    expect(out).toEqual(['a1']);
  });

  it('releases the earliest lines at once past its bound', () => {
    const out: string[] = [];
    const w = new ReorderWindow(
      1000,
      (ls) => out.push(...ls.map((l) => l.msg)),
      2,
      () => 0,
    );
    w.push([L(A, 3), L(A, 4)]);
    w.push([L(B, 1)]);
    expect(out).toEqual(['b1']);
    expect(w.size).toBe(2);
    w.flush();
    expect(out).toEqual(['b1', 'a3', 'a4']);
  });

  it('passes lines straight through with a zero window', () => {
    const out: string[] = [];
    const w = new ReorderWindow(0, (ls) => out.push(...ls.map((l) => l.msg)));
    w.push([L(A, 1)]);
    expect(out).toEqual(['a1']);
  });
});

describe('the log cursor (ResumeWindow keyed by lineKey)', () => {
  const cursor = () => new ResumeWindow<LogLine>(lineKey, (l) => tsToNanos(l.ts), LOG_WINDOW);
  const reopen = (c: ResumeWindow<LogLine>) => c.reopened(c.since);

  it('drops lines already delivered when re-attaching, asks again for the last second', () => {
    const c = cursor();
    expect(c.filter([L(A, 1), L(A, 2, 'x'), L(A, 2, 'y')]).map((l) => l.msg)).toEqual(['a1', 'x', 'y']);
    expect(c.since).toBe(BigInt(Date.parse('2026-11-22T10:00:00Z')) * 1_000_000n + 2n - LOG_WINDOW.windowNs);
    reopen(c);
    // the engine replays everything since (inclusive), then new lines
    expect(c.filter([L(A, 1), L(A, 2, 'x'), L(A, 2, 'y'), L(A, 2, 'z'), L(A, 3)]).map((l) => l.msg)).toEqual(['z', 'a3']);
  });

  it('keeps two identical lines at the same instant (a multiset)', () => {
    const c = cursor();
    expect(c.filter([L(A, 1, 'same'), L(A, 1, 'same')])).toHaveLength(2);
    reopen(c);
    expect(c.filter([L(A, 1, 'same'), L(A, 1, 'same'), L(A, 1, 'same')]).map((l) => l.msg)).toEqual(['same']);
  });

  it('keeps lines out of time order, live and after a reopen (stdout and stderr are stamped apart)', () => {
    const c = cursor();
    expect(c.filter([L(A, 5), L(A, 4, 'stderr-a-bit-earlier')]).map((l) => l.msg)).toEqual(['a5', 'stderr-a-bit-earlier']);
    expect(c.filter([L(A, 3, 'next batch, earlier still'), L(A, 6)]).map((l) => l.msg)).toEqual(['next batch, earlier still', 'a6']);
    reopen(c);
    // a line older than the newest, never delivered, comes in the replay: it is kept
    expect(c.filter([L(A, 3, 'next batch, earlier still'), L(A, 4, 'late'), L(A, 6), L(A, 7)]).map((l) => l.msg)).toEqual(['late', 'a7']);
  });

  it('the same text on stdout and stderr at one instant is two lines', () => {
    const c = cursor();
    const err = { ...L(A, 1, 'dup'), stream: 'stderr' as const };
    expect(c.filter([L(A, 1, 'dup'), err])).toHaveLength(2);
    reopen(c);
    expect(c.filter([L(A, 1, 'dup'), err, L(A, 2)]).map((l) => l.stream + l.msg)).toEqual(['stdouta2']);
  });
});
