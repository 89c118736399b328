import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { badgeText, cutVisible, DOT, dotPositions, layoutRows, LEGEND, renderFrame } from '../../src/core/topology/render.js';
import type { TopologyRecord } from '../../src/core/records.js';

const plain = new Chalk({ level: 0 });
const node = (id: string, extra: object = {}) => ({ id, kind: 'service' as const, running: 1, events: 0, logs: 0, error: 0, warn: 0, info: 0, debug: 0, other: 0, input: 0, ...extra });
const edge = (from: string, to: string, count: number) => ({ from, to, kind: 'tcp' as const, count, connections: count, requests: 0, input: 0 });
const snap = (edges: ReturnType<typeof edge>[], engineUp = true): TopologyRecord => ({
  type: 'topology',
  ts: '2026-11-22T10:00:00.000Z',
  tick: 3,
  tickMs: 6000,
  engineUp,
  project: 'shop',
  by: 'service',
  sources: { events: true, logs: true, tcp: true, stdin: false, serve: false },
  clamped: 0,
  nodes: [node('api', { events: 2, logs: 7, error: 1 }), node('db'), node('web')],
  edges,
});
const opts = { width: 100, height: 40, chalk: plain, title: 'project shop' };

describe('topology render', () => {
  it.each([
    [0, ''],
    [1, '1'],
    [6, '6'],
    [7, '6+'],
    [1000, '6+'],
  ])('badge for %i is %j', (n, want) => {
    expect(badgeText(n)).toBe(want);
  });

  it('moves one dot per event, at most six, each crossing once during the tick, staggered', () => {
    // tick 6000 ms: travel 3000 ms; 3 dots leave at 0, 1500, 3000 ms.
    expect(dotPositions(3, 0, 6000, 10)).toEqual([0]);
    expect(dotPositions(3, 1500, 6000, 10)).toEqual([5, 0]);
    expect(dotPositions(3, 3000, 6000, 10)).toEqual([9, 5, 0]);
    expect(dotPositions(3, 4500, 6000, 10)).toEqual([9, 5]);
    expect(dotPositions(3, 6000, 6000, 10)).toEqual([9]);
    expect(dotPositions(0, 3000, 6000, 10)).toEqual([]);
    expect(dotPositions(1000, 3000, 6000, 100).length).toBeLessThanOrEqual(6);
    // over a whole tick, exactly min(count, 6) distinct dots are ever on the track
    const seen = new Set<number>();
    for (let t = 0; t <= 6000; t += 10) dotPositions(9, t, 6000, 60).forEach((_, i) => seen.add(i));
    expect(Math.max(...[...Array(601).keys()].map((k) => dotPositions(9, k * 10, 6000, 60).length))).toBeLessThanOrEqual(6);
    expect(dotPositions(9, 3000, 6000, 60)).toHaveLength(6);
  });

  it('lays callers above what they call, cycles included', () => {
    expect(layoutRows([{ id: 'db' }, { id: 'api' }, { id: 'web' }, { id: 'x' }], [edge('web', 'api', 0), edge('api', 'db', 0)])).toEqual([['web', 'x'], ['api'], ['db']]);
    expect(
      layoutRows([{ id: 'a' }, { id: 'b' }], [edge('a', 'b', 0), edge('b', 'a', 0)])
        .flat()
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('draws boxes, arrows with exact badges, and the legend', () => {
    const lines = renderFrame(snap([edge('api', 'db', 2), edge('web', 'api', 9)]), 3000, opts);
    const text = lines.join('\n');
    expect(lines[0]).toBe('berth topology  project shop  tick 3 (6s)  engine up  tcp on');
    expect(text).toContain('│ api');
    expect(text).toContain('ev 2 log 7 E1');
    expect(lines.find((l) => l.includes('▶ db'))).toMatch(/^api ─*●─*●─*▶ db \[2\] tcp$/);
    expect(lines.find((l) => l.includes('▶ api'))).toMatch(/▶ api \[6\+\] tcp$/);
    expect(lines.find((l) => l.includes('▶ api'))!.split(DOT)).toHaveLength(7);
    expect(lines[lines.length - 1]).toContain(LEGEND);
  });

  it('an idle snapshot has no dots and no badges', () => {
    const lines = renderFrame(snap([edge('api', 'db', 0), edge('web', 'api', 0)]), 3000, opts);
    const body = lines.slice(0, -1).join('\n');
    expect(body).not.toContain(DOT);
    expect(body).not.toMatch(/\[\d/);
  });

  it('says when the engine is down and when the TCP source is off', () => {
    const s = snap([edge('api', 'db', 0)], false);
    s.sources.tcp = false;
    expect(renderFrame(s, 0, opts)[0]).toContain('ENGINE DOWN (zeros until it is back)');
    expect(renderFrame(s, 0, opts)[0]).toMatch(/tcp off$/);
  });

  it('fits the terminal: lines cut to the width, the middle cut to the height, the legend kept', () => {
    const lines = renderFrame(snap([edge('api', 'db', 1)]), 0, { ...opts, width: 30, height: 6 });
    expect(lines).toHaveLength(6);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(30);
    expect(lines[4]).toMatch(/^… \d+ more lines/);
    expect(lines[5]).toContain(LEGEND.slice(0, 20));
  });

  it('cuts lines by visible characters, keeping colour codes intact', () => {
    const red = new Chalk({ level: 1 }).red('abcdef');
    expect(cutVisible(red, 3)).toBe('\u001b[31mabc\u001b[0m');
    expect(cutVisible('abc', 5)).toBe('abc');
  });

  it('before the first tick says it is collecting', () => {
    expect(renderFrame(undefined, 0, opts)[0]).toBe('berth topology  project shop  collecting the first tick…');
  });
});
