import { describe, expect, it } from 'vitest';
import { TickCounters, cell } from '../../src/core/topology/counters.js';
import { TopologyGraph } from '../../src/core/topology/graph.js';
import { buildSnapshot, type SnapshotMeta } from '../../src/core/topology/snapshot.js';
import { applyInput } from '../../src/core/topology/sources.js';

const meta = (tick: number, engineUp = true): SnapshotMeta => ({
  ts: '2026-11-22T10:00:00.000Z',
  tick,
  tickMs: 5000,
  engineUp,
  project: 'shop',
  by: 'service',
  sources: { events: true, logs: true, tcp: true, stdin: false, serve: false },
});

function shopGraph(): TopologyGraph {
  const g = new TopologyGraph();
  g.addNode('web', 'service')!.running.add('w1');
  g.addNode('db', 'service');
  g.addEdge('web', 'db', 'depends_on', 'service');
  return g;
}

const zeroNode = { events: 0, logs: 0, error: 0, warn: 0, info: 0, debug: 0, other: 0, input: 0 };

describe('topology snapshot', () => {
  it('has every node and edge with zeros when idle, sorted', () => {
    const g = shopGraph();
    const c = new TickCounters();
    expect(buildSnapshot(g, c.drain(), meta(1), c.cap)).toEqual({
      type: 'topology',
      ts: '2026-11-22T10:00:00.000Z',
      tick: 1,
      tickMs: 5000,
      engineUp: true,
      project: 'shop',
      by: 'service',
      sources: { events: true, logs: true, tcp: true, stdin: false, serve: false },
      clamped: 0,
      nodes: [
        { id: 'db', kind: 'service', running: 0, ...zeroNode },
        { id: 'web', kind: 'service', running: 1, ...zeroNode },
      ],
      edges: [{ from: 'web', to: 'db', kind: 'depends_on', count: 0, connections: 0, requests: 0, input: 0 }],
    });
  });

  it("puts each tick's counts in that tick only, and the sum of sources in the edge count", () => {
    const g = shopGraph();
    const c = new TickCounters();
    c.add(cell.node('web', 'events'), 2);
    c.add(cell.node('web', 'logs'), 3);
    c.add(cell.node('web', 'error'));
    c.add(cell.edge('web', 'db', 'connections'), 4);
    applyInput({ graph: g, counters: c }, { kind: 'edge', from: 'web', to: 'db', count: 5 });
    const s1 = buildSnapshot(g, c.drain(), meta(1), c.cap);
    expect(s1.nodes[1]).toEqual({ id: 'web', kind: 'service', running: 1, ...zeroNode, events: 2, logs: 3, error: 1 });
    expect(s1.edges).toEqual([{ from: 'web', to: 'db', kind: 'depends_on', count: 9, connections: 4, requests: 0, input: 5 }]);
    const s2 = buildSnapshot(g, c.drain(), meta(2), c.cap);
    expect(s2.nodes[1]).toEqual({ id: 'web', kind: 'service', running: 1, ...zeroNode });
    expect(s2.edges[0]!.count).toBe(0);
  });

  it('keeps the same shape with engineUp false when the engine is down', () => {
    const g = shopGraph();
    const c = new TickCounters();
    const up = buildSnapshot(g, c.drain(), meta(1), c.cap);
    const down = buildSnapshot(g, c.drain(), meta(2, false), c.cap);
    expect(down.engineUp).toBe(false);
    expect(down.nodes.map((n) => n.id)).toEqual(up.nodes.map((n) => n.id));
    expect(down.edges.map((e) => [e.from, e.to, e.count])).toEqual([['web', 'db', 0]]);
    expect(Object.keys(down)).toEqual(Object.keys(up));
  });

  it('a node whose containers all stopped stays, with running 0 and zeros', () => {
    const g = shopGraph();
    const c = new TickCounters();
    c.add(cell.node('web', 'events'), 3); // die, stop, kill
    g.nodes.get('web')!.running.delete('w1');
    const s = buildSnapshot(g, c.drain(), meta(1), c.cap);
    expect(s.nodes.map((n) => [n.id, n.running, n.events])).toEqual([
      ['db', 0, 0],
      ['web', 0, 3],
    ]);
    expect(buildSnapshot(g, c.drain(), meta(2), c.cap).nodes.map((n) => [n.id, n.running, n.events])).toEqual([
      ['db', 0, 0],
      ['web', 0, 0],
    ]);
  });

  it('stdin names new nodes and edges as input; they stay in later snapshots', () => {
    const g = shopGraph();
    const c = new TickCounters();
    applyInput({ graph: g, counters: c }, { kind: 'node', id: 'worker', count: 2 });
    applyInput({ graph: g, counters: c }, { kind: 'edge', from: 'web', to: 'worker', count: 1 });
    buildSnapshot(g, c.drain(), meta(1), c.cap);
    const s = buildSnapshot(g, c.drain(), meta(2), c.cap);
    expect(s.nodes.map((n) => [n.id, n.kind, n.input])).toEqual([
      ['db', 'service', 0],
      ['web', 'service', 0],
      ['worker', 'input', 0],
    ]);
    expect(s.edges.map((e) => [e.from, e.to, e.kind, e.count])).toEqual([
      ['web', 'db', 'depends_on', 0],
      ['web', 'worker', 'input', 0],
    ]);
  });

  it('clamps an edge whose sources add up past the cap', () => {
    const g = shopGraph();
    const c = new TickCounters(1000);
    c.add(cell.edge('web', 'db', 'connections'), 900);
    c.add(cell.edge('web', 'db', 'input'), 900);
    const s = buildSnapshot(g, c.drain(), meta(1), c.cap);
    expect(s.edges[0]).toMatchObject({ count: 1000, connections: 900, input: 900 });
  });
});
