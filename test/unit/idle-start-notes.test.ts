// Which wake of this process started a unit (start-notes.ts, taken by the lifecycle owner), and the wake
// path noting it for each unit it starts: the dependency and the container woken, not one already running.
import { describe, expect, it } from 'vitest';
import { StartNotes } from '../../src/core/idle/start-notes.js';
import { createWakePath, type UnitSource } from '../../src/core/idle/wake.js';
import type { Unit } from '../../src/core/idle/unit-resolver.js';
import type { UnitState } from '../../src/core/idle/provider.js';
import { parseIdleConfig } from '../../src/core/idle/config.js';

describe('StartNotes', () => {
  it('gives the waking container once, forgets notes past their age, and keeps at most max', () => {
    let t = 0;
    const notes = new StartNotes(2, 1000, () => t);
    notes.note('db', 'app');
    expect(notes.take('db')).toBe('app');
    expect(notes.take('db')).toBeUndefined();
    notes.note('db', 'app');
    t = 1001;
    expect(notes.take('db')).toBeUndefined();
    notes.note('a', 'x');
    notes.note('b', 'x');
    notes.note('c', 'x');
    expect([notes.take('a'), notes.take('b'), notes.take('c')]).toEqual([undefined, 'x', 'x']);
  });
});

describe('the wake path notes what it starts', () => {
  it('notes the dependency and the container it started, with the container woken; not one already running', async () => {
    const states = new Map<string, UnitState>([
      ['db', { id: 'd', running: false, paused: false }],
      ['cache', { id: 'c', running: true, paused: false }],
      ['app', { id: 'a', running: false, paused: true }],
    ]);
    const unit = (name: string, deps: string[]): Unit => ({
      name,
      id: name,
      labels: {},
      config: parseIdleConfig({}, { container: name }),
      deps: deps.map((d) => ({ name: d, condition: 'service_started' })),
      state: states.get(name)!,
    });
    const units = new Map([
      ['app', unit('app', ['db', 'cache'])],
      ['db', unit('db', [])],
      ['cache', unit('cache', [])],
    ]);
    const resolver: UnitSource = {
      graph: async () => units,
      provider: {
        state: async (n) => states.get(n)!,
        start: async (n) => void states.set(n, { ...states.get(n)!, running: true, paused: false }),
        stop: async () => {},
        list: async () => [],
        counters: async () => ({ at: 0, bytes: 0, tx: 0 }),
        exec: async () => 1,
        changes: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) }),
      },
    };
    const path = createWakePath({ resolver });
    await path.waker('app', {});
    expect(['db', 'app', 'cache'].map((n) => path.startedBy(n))).toEqual(['app', 'app', undefined]);
    expect(path.startedBy('db')).toBeUndefined(); // taken once
  });
});
