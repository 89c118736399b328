import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/core/ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const r = new RingBuffer<number>(3);
    for (const n of [1, 2, 3, 4, 5]) r.push(n);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect([...r]).toEqual([3, 4, 5]);
    expect(r.size).toBe(3);
    expect(r.dropped).toBe(2);
    expect(r.total).toBe(5);
    expect(r.at(0)).toBe(3);
    expect(r.last()).toBe(5);
    expect(r.at(3)).toBeUndefined();
  });

  it('serves "since N" cursors, skipping what was overwritten', () => {
    const r = new RingBuffer<string>(2);
    r.push('a');
    expect(r.since(0)).toEqual({ items: ['a'], next: 1 });
    r.push('b');
    r.push('c');
    expect(r.since(1)).toEqual({ items: ['b', 'c'], next: 3 });
    expect(r.since(0)).toEqual({ items: ['b', 'c'], next: 3 });
    expect(r.since(3)).toEqual({ items: [], next: 3 });
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });

  it('never holds more than its capacity', () => {
    const r = new RingBuffer<number>(100);
    for (let i = 0; i < 10_000; i++) r.push(i);
    expect(r.size).toBe(100);
    expect(r.at(0)).toBe(9_900);
  });
});
