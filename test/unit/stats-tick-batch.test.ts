// The NDJSON sink of streaming stats: the records of one engine tick go out in one write, and a reader
// that does not keep up holds the next record back (a promise) instead of memory growing.
import { describe, expect, it, vi } from 'vitest';
import { Writable } from 'node:stream';
import { LineWriter } from '../../src/core/output/ndjson.js';
import { TickBatch } from '../../src/core/stats/sinks.js';

/** A stream whose writes complete only when `release()` is called. */
function slowStream() {
  const writes: string[] = [];
  const held: Array<() => void> = [];
  const stream = new Writable({
    highWaterMark: 8,
    write(chunk, _enc, done) {
      writes.push(String(chunk));
      held.push(done);
    },
  });
  return { stream, writes, release: () => held.splice(0).forEach((d) => d()) };
}

describe('TickBatch', () => {
  it('joins the lines of one tick into one write, on its 50 ms timer', async () => {
    const s = slowStream();
    const batch = new TickBatch(new LineWriter(s.stream, () => {}, 1 << 20));
    for (const l of ['a\n', 'b\n', 'c\n']) expect(batch.add(l)).toBeUndefined();
    expect(s.writes).toEqual([]);
    // the timer's 50 ms, however late a loaded machine runs it: then one write of the three lines
    await vi.waitFor(() => expect(s.writes.length).toBeGreaterThan(0), { timeout: 5000, interval: 10 });
    expect(s.writes).toEqual(['a\nb\nc\n']);
  });

  it('while the reader applies backpressure, add returns a promise; nothing is lost or reordered', async () => {
    const s = slowStream();
    // A writer that writes at once (its own batching off), so the stream's full buffer shows immediately.
    const batch = new TickBatch(new LineWriter(s.stream, () => {}, 1));
    batch.add('first line, longer than the stream buffer\n');
    const blocked = batch.flush();
    expect(blocked).toBeInstanceOf(Promise);
    const next = batch.add('second\n');
    expect(next).toBeInstanceOf(Promise);
    let added = false;
    void (next as Promise<void>).then(() => (added = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(added).toBe(false);
    s.release();
    await next;
    expect(added).toBe(true);
    await batch.flush();
    s.release();
    expect(s.writes.join('')).toBe('first line, longer than the stream buffer\nsecond\n');
  });
});
