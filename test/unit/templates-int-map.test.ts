import { describe, expect, it } from 'vitest';
import { IntMap } from '../../src/core/templates/int-map.js';

describe('templates: the integer map of the index', () => {
  it('agrees with a Map over random sets and deletes, through growing and shrinking', () => {
    const m = new IntMap<number>();
    const ref = new Map<number, number>();
    let seed = 3;
    const rnd = (k: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % k;
    for (let step = 0; step < 60_000; step++) {
      // keys from a small range collide in the table often; the phases grow the map, churn it, then empty it
      const key = rnd(step < 20_000 ? 5000 : 800) * 7919;
      if (step < 40_000 && rnd(3) > 0) {
        m.set(key, step);
        ref.set(key, step);
      } else expect(m.delete(key)).toBe(ref.delete(key));
      expect(m.size).toBe(ref.size);
      const probe = rnd(5000) * 7919;
      expect(m.get(probe)).toBe(ref.get(probe));
    }
    for (const [k, v] of ref) expect(m.get(k)).toBe(v);
  });

  it('a delete at the end of the table moves back only the entries that may go there', () => {
    // in the 8 slots of a new table: a, b and c start at the last slot (they take 7, 0 and 1), d at the first
    const from = (slot: number) => Array.from({ length: 400 }, (_, k) => k).filter((k) => Math.imul(k, 0x9e3779b1) >>> 29 === slot);
    const [a, b, c] = from(7) as [number, number, number];
    const d = from(0)[0]!;
    const m = new IntMap<string>();
    m.set(a, 'a');
    m.set(b, 'b');
    m.set(c, 'c');
    expect(m.delete(a)).toBe(true); // b and c move back over the end
    expect([m.get(a), m.get(b), m.get(c), m.size]).toEqual([undefined, 'b', 'c', 2]);
    const n = new IntMap<string>();
    n.set(a, 'a');
    n.set(d, 'd');
    expect(n.delete(a)).toBe(true); // d stays: slot 7 is before its first slot
    expect([n.get(d), n.size]).toEqual(['d', 1]);
  });
});
