import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../src/core/logs/demux.js';
import { LogDecoder } from '../../src/core/logs/decode.js';
import type { LogLine } from '../../src/core/logs/line.js';
import type { Target } from '../../src/core/engine/select.js';

const target = { id: 'c1', name: 'c1' } as unknown as Target;
const TS1 = '2026-11-22T10:00:00.000000001Z';
const TS2 = '2026-11-22T10:00:00.000000002Z';
const TS3 = '2026-11-22T10:00:00.000000003Z';

function frame(stream: number, payload: Buffer | string): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(p.length, 4);
  return Buffer.concat([h, p]);
}

/** Every way of cutting `buf` into chunks of size n (1..len). */
function chunked(buf: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += n) out.push(buf.subarray(i, i + n));
  return out;
}

function decode(chunks: Buffer[], opts: { tty?: boolean; max?: number } = {}): Array<[string, string, string, boolean]> {
  const d = new LogDecoder(target, { tty: !!opts.tty, stamped: true, maxLineBytes: opts.max });
  const out: LogLine[] = [];
  for (const c of chunks) d.push(c, out);
  d.end(out);
  return out.map((l) => [l.ts, l.stream, l.msg, l.truncated]);
}

describe('FrameDecoder', () => {
  it('reassembles frames cut at every byte boundary', () => {
    const body = Buffer.concat([frame(1, 'hello\n'), frame(2, 'oops\n'), frame(1, ''), frame(1, 'x')]);
    for (let n = 1; n <= body.length; n++) {
      const got: string[] = [];
      const d = new FrameDecoder();
      for (const c of chunked(body, n)) d.push(c, (s, p) => got.push(`${s}:${p.toString()}`));
      const joined = { 1: '', 2: '' } as Record<number, string>;
      for (const g of got) joined[Number(g[0])] += g.slice(2);
      expect(joined).toEqual({ 1: 'hello\nx', 2: 'oops\n' });
    }
  });

  it('falls back to raw bytes when the body is not multiplexed', () => {
    const d = new FrameDecoder();
    const got: Buffer[] = [];
    d.push(Buffer.from('plain text, no frames\n'), (s, p) => got.push(p));
    expect(Buffer.concat(got).toString()).toBe('plain text, no frames\n');
    expect(d.raw).toBe(true);
  });

  it('falls back to raw even when the bad header is split across chunks', () => {
    const d = new FrameDecoder();
    const got: Buffer[] = [];
    for (const c of chunked(Buffer.from('abcdefghijkl'), 3)) d.push(c, (s, p) => got.push(p));
    expect(Buffer.concat(got).toString()).toBe('abcdefghijkl');
  });
});

describe('LogDecoder (multiplexed, stamped)', () => {
  const body = Buffer.concat([
    frame(1, `${TS1} first line\n`),
    frame(2, `${TS2} on stderr\r\n`),
    // a long line split by the engine into two messages, each with its own stamp
    frame(1, `${TS2} part one, `),
    frame(1, `${TS3} part two\n`),
    frame(1, `${TS3} héllo wörld ✓\n`),
    frame(1, `${TS3} no newline at the end`),
  ]);
  const want: Array<[string, string, string, boolean]> = [
    [TS1, 'stdout', 'first line', false],
    [TS2, 'stderr', 'on stderr', false],
    [TS2, 'stdout', 'part one, part two', false],
    [TS3, 'stdout', 'héllo wörld ✓', false],
    [TS3, 'stdout', 'no newline at the end', false],
  ];

  it.each([1, 2, 3, 7, 8, 9, 31, 64, 1000])('gives the same lines for chunks of %i bytes', (n) => {
    expect(decode(chunked(body, n))).toEqual(want);
  });

  it('keeps UTF-8 characters split across frames', () => {
    const euro = Buffer.from('€'); // 3 bytes
    const chunks = [frame(1, Buffer.concat([Buffer.from(`${TS1} price: `), euro.subarray(0, 1)])), frame(1, Buffer.concat([Buffer.from(`${TS2} `), euro.subarray(1), Buffer.from('5\n')]))];
    expect(decode(chunks)).toEqual([[TS1, 'stdout', 'price: €5', false]]);
  });

  it('cuts a line longer than the bound and marks it, then carries on', () => {
    const chunks = [frame(1, `${TS1} ${'a'.repeat(100)}\n`), frame(1, `${TS2} short\n`)];
    expect(decode(chunks, { max: 10 })).toEqual([
      [TS1, 'stdout', 'a'.repeat(10), true],
      [TS2, 'stdout', 'short', false],
    ]);
  });

  it('decodes a multi-megabyte line exactly', () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const parts: Buffer[] = [];
    for (let i = 0; i < big.length; i += 16 * 1024) parts.push(frame(1, `${TS1} ${big.slice(i, i + 16 * 1024)}${i + 16 * 1024 >= big.length ? '\n' : ''}`));
    const out = decode(chunked(Buffer.concat(parts), 65536), { max: 8 * 1024 * 1024 });
    expect(out).toHaveLength(1);
    expect(out[0]![2].length).toBe(big.length);
    expect(out[0]![3]).toBe(false);
  });

  it('keeps binary garbage as text without losing the following lines', () => {
    const junk = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]);
    const chunks = [frame(1, Buffer.concat([Buffer.from(`${TS1} `), junk, Buffer.from('\n')])), frame(1, `${TS2} after\n`)];
    const out = decode(chunks);
    expect(out[1]).toEqual([TS2, 'stdout', 'after', false]);
    expect(out).toHaveLength(2);
  });
});

describe('LogDecoder (TTY, stamped)', () => {
  it('strips the stamp at every line start, CRLF included', () => {
    const body = Buffer.from(`${TS1} one\r\n${TS2} two\r\n${TS3} thr`);
    for (const n of [1, 5, 40, 1000]) {
      expect(decode(chunked(Buffer.concat([body, Buffer.from('ee\r\n')]), n), { tty: true })).toEqual([
        [TS1, 'stdout', 'one', false],
        [TS2, 'stdout', 'two', false],
        [TS3, 'stdout', 'three', false],
      ]);
    }
  });
});

describe('LogDecoder fast path', () => {
  it('gives exactly what the general path gives, for random frames cut at random places', () => {
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const shapes = [
      (ts: string) => `${ts} plain line\n`,
      (ts: string) => `${ts} crlf line\r\n`,
      (ts: string) => `${ts} two\nlines in one frame\n`,
      (ts: string) => `${ts} partial, no newline`,
      (ts: string) => `${ts} ünïcødé ✓\n`,
      (ts: string) => `${ts} \n`,
    ];
    const frames: Buffer[] = [];
    for (let i = 0; i < 400; i++) frames.push(frame(1 + rand(2), shapes[rand(shapes.length)]!(`2026-11-22T10:00:00.${String(i).padStart(9, '0')}Z`)));
    const body = Buffer.concat(frames);
    const run = (fast: boolean, cuts: number[]) => {
      const d = new LogDecoder(target, { tty: false, stamped: true, maxLineBytes: 40 });
      if (!fast) (d as unknown as { wholeFrames: (c: Buffer, p: number) => number }).wholeFrames = (_c, p) => p;
      const out: LogLine[] = [];
      let at = 0;
      for (const c of cuts) {
        d.push(body.subarray(at, c), out);
        at = c;
      }
      d.push(body.subarray(at), out);
      d.end(out);
      return out.map((l) => [l.ts, l.stream, l.msg, l.truncated]);
    };
    for (let k = 0; k < 20; k++) {
      const cuts = Array.from({ length: 30 }, () => rand(body.length)).sort((a, b) => a - b);
      const want = run(false, cuts);
      expect(run(true, cuts)).toEqual(want);
      expect(want.length).toBeGreaterThan(300);
    }
  });
});

describe('LogDecoder (TTY, a line longer than the engine message size)', () => {
  it('strips the stamps docker puts at every 16 KiB of a long line', () => {
    const a = 'a'.repeat(16 * 1024);
    const body = Buffer.from(`${TS1} ${a}${TS2} ${a}${TS3} aaa\r\n${TS3} next\r\n`);
    for (const n of [7, 4096, 65536]) {
      const out = decode(chunked(body, n), { tty: true, max: 1 << 20 });
      expect(out.map(([ts, , msg]) => [ts, msg.length, msg.replace(/a/g, '')])).toEqual([
        [TS1, 2 * 16384 + 3, ''],
        [TS3, 4, 'next'],
      ]);
    }
  });

  it('keeps text that only looks like a stamp position as text', () => {
    const a = 'a'.repeat(16 * 1024);
    const out = decode([Buffer.from(`${TS1} ${a}not-a-timestamp here\r\n`)], { tty: true, max: 1 << 20 });
    expect(out.map(([, , msg]) => msg.slice(16384))).toEqual(['not-a-timestamp here']);
  });
});
