import { describe, expect, it } from 'vitest';
import { awakeDependents, reaches, wakeOrder } from '../../src/core/idle/deps.js';

const graph = (g: Record<string, string[]>) => (n: string) => g[n] ?? [];

describe('wake order', () => {
  it.each<[string, Record<string, string[]>, string, string[]]>([
    ['no deps', {}, 'app', []],
    ['a chain, deepest first', { app: ['api'], api: ['db'] }, 'app', ['db', 'api']],
    ['a diamond, shared dep once', { app: ['api', 'worker'], api: ['db'], worker: ['db', 'cache'] }, 'app', ['db', 'api', 'cache', 'worker']],
    ['declaration order kept among siblings', { app: ['c', 'b', 'a'] }, 'app', ['c', 'b', 'a']],
  ])('%s', (_, g, root, want) => {
    expect(wakeOrder(root, graph(g))).toEqual(want);
  });

  it.each<[Record<string, string[]>, string]>([
    [{ app: ['app'] }, 'dependency cycle: app -> app'],
    [{ app: ['api'], api: ['db'], db: ['api'] }, 'dependency cycle: api -> db -> api'],
    [{ app: ['db'], db: ['app'] }, 'dependency cycle: app -> db -> app'],
  ])('a cycle is an error naming it: %j', (g, message) => {
    expect(() => wakeOrder('app', graph(g))).toThrow(message);
  });
});

describe('reference counting for sleep', () => {
  const g = graph({ app1: ['db'], app2: ['db', 'cache'], front: ['app2'] });
  const all = ['app1', 'app2', 'front', 'db', 'cache'];

  it.each<[string, string[], string[]]>([
    ['db', ['app1', 'app2'], ['app1', 'app2']],
    ['db', ['app2'], ['app2']],
    ['db', ['front'], ['front']], // through app2, even if app2 itself is napping
    ['db', [], []],
    ['cache', ['app1'], []],
    ['app2', ['front', 'db'], ['front']],
  ])('%s with awake %j is needed by %j', (name, awake, want) => {
    expect(awakeDependents(name, all, g, (n) => awake.includes(n))).toEqual(want);
  });

  it('reaches is cycle-safe', () => {
    const cyc = graph({ a: ['b'], b: ['a'] });
    expect(reaches('a', 'c', cyc)).toBe(false);
    expect(reaches('a', 'b', cyc)).toBe(true);
  });
});
