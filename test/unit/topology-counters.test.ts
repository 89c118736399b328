import { describe, expect, it } from 'vitest';
import { setImmediate as tick } from 'node:timers/promises';
import { cell, TickCounters } from '../../src/core/topology/counters.js';

describe('topology counters: read-and-reset per tick', () => {
  it('drain returns the counts and resets every cell', () => {
    const c = new TickCounters();
    c.add('a');
    c.add('a', 2);
    c.add('b', 5);
    expect([...c.drain().cells]).toEqual([
      ['a', 3],
      ['b', 5],
    ]);
    expect([...c.drain().cells]).toEqual([]);
    expect(c.peek('a')).toBe(0);
  });

  it('ignores zero, negative and NaN increments', () => {
    const c = new TickCounters();
    for (const n of [0, -3, NaN]) c.add('a', n);
    expect(c.drain().cells.size).toBe(0);
  });

  it('counts every increment in exactly one tick under concurrent producers', async () => {
    const c = new TickCounters(Number.MAX_SAFE_INTEGER);
    const producers = 8;
    const perProducer = 2000;
    const totals: number[] = [];
    let running = true;
    const drainer = (async () => {
      while (running) {
        totals.push(c.drain().cells.get('x') ?? 0);
        await tick();
      }
    })();
    await Promise.all(
      Array.from({ length: producers }, async (_, p) => {
        for (let i = 0; i < perProducer; i++) {
          c.add('x', 1 + (i % 3));
          if ((i + p) % 7 === 0) await tick();
        }
      }),
    );
    running = false;
    await drainer;
    totals.push(c.drain().cells.get('x') ?? 0);
    const expected = producers * Array.from({ length: perProducer }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0);
    expect(totals.reduce((a, b) => a + b, 0)).toBe(expected);
    expect(totals.filter((t) => t > 0).length).toBeGreaterThan(10); // the drains really interleaved with the producers
  });

  it('clamps a cell at the cap and reports how many cells hit it', () => {
    const c = new TickCounters(1000);
    for (let i = 0; i < 1500; i++) c.add('burst');
    c.add('big', 5000);
    c.add('exact', 1000);
    const d = c.drain();
    expect(d.cells.get('burst')).toBe(1000);
    expect(d.cells.get('big')).toBe(1000);
    expect(d.cells.get('exact')).toBe(1000);
    expect(d.clamped).toBe(2);
    expect(c.drain().clamped).toBe(0);
  });

  it('bounds the number of cells; increments to new cells past it are dropped and counted', () => {
    const c = new TickCounters(1000, 2);
    c.add('a');
    c.add('b');
    c.add('c', 4);
    c.add('a');
    const d = c.drain();
    expect([...d.cells]).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(d.dropped).toBe(4);
  });

  it('names cells so a node and an edge cannot collide', () => {
    expect(cell.node('a', 'events')).not.toBe(cell.edge('a', 'events', ''));
    expect(cell.edge('a', 'b', 'input')).toBe(cell.edge('a', 'b', 'input'));
  });
});
