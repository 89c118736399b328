import { describe, expect, it } from 'vitest';
import { addMember, dependsOn, MAX_NODES, nodeIdOf, TopologyGraph } from '../../src/core/topology/graph.js';

describe('topology graph', () => {
  it.each([
    [{}, []],
    [{ 'com.docker.compose.depends_on': 'db:service_started:false,redis:service_healthy:true' }, ['db', 'redis']],
    [{ 'com.docker.compose.depends_on': '' }, []],
    [{ 'berth.depends_on': 'api, worker' }, ['api', 'worker']],
    [{ 'com.docker.compose.depends_on': 'db:service_started:false', 'berth.depends_on': 'db,cache' }, ['db', 'cache']],
  ])('reads depends_on from labels %j', (labels, want) => {
    expect(dependsOn(labels as Record<string, string>)).toEqual(want);
  });

  it('groups containers by service, falling back to the name', () => {
    expect(nodeIdOf({ name: 'shop-web-1', service: 'web' }, 'service')).toBe('web');
    expect(nodeIdOf({ name: 'loner' }, 'service')).toBe('loner');
    expect(nodeIdOf({ name: 'shop-web-1', service: 'web' }, 'container')).toBe('shop-web-1');
  });

  it('adds members, their running state and declared edges; nodes stay when containers stop', () => {
    const g = new TopologyGraph();
    const labels = { 'com.docker.compose.depends_on': 'db:service_started:false' };
    addMember(g, { id: 'w1', name: 'shop-web-1', service: 'web', labels, running: true }, 'service');
    addMember(g, { id: 'w2', name: 'shop-web-2', service: 'web', labels, running: true }, 'service');
    addMember(g, { id: 'd1', name: 'shop-db-1', service: 'db', labels: {}, running: false }, 'service');
    expect(g.sortedNodes().map((n) => [n.id, n.kind, [...n.running]])).toEqual([
      ['db', 'service', []],
      ['web', 'service', ['w1', 'w2']],
    ]);
    expect(g.sortedEdges()).toEqual([{ from: 'web', to: 'db', kind: 'depends_on' }]);
    addMember(g, { id: 'w1', name: 'shop-web-1', service: 'web', labels, running: false }, 'service');
    expect([...g.nodes.get('web')!.running]).toEqual(['w2']);
  });

  it('with --by container, a dependency points at each container of the service', () => {
    const g = new TopologyGraph();
    const members = (svc: string) => (svc === 'db' ? ['shop-db-1', 'shop-db-2'] : []);
    addMember(g, { id: 'w1', name: 'shop-web-1', service: 'web', labels: { 'berth.depends_on': 'db' }, running: true }, 'container', members);
    expect(g.sortedEdges().map((e) => `${e.from}->${e.to}`)).toEqual(['shop-web-1->shop-db-1', 'shop-web-1->shop-db-2']);
  });

  it('with --by container, a dependency with no container on the map makes no node and no edge (until its container appears)', () => {
    const g = new TopologyGraph();
    addMember(g, { id: 'a1', name: 'api', service: 'api', labels: { 'com.docker.compose.depends_on': 'db:service_started:false' }, running: true }, 'container', () => []);
    expect(g.sortedNodes().map((n) => n.id)).toEqual(['api']);
    expect(g.sortedEdges()).toEqual([]);
    addMember(g, { id: 'a1', name: 'api', service: 'api', labels: { 'com.docker.compose.depends_on': 'db:service_started:false' }, running: true }, 'container', (s) =>
      s === 'db' ? ['shop-db-1'] : [],
    );
    expect(g.sortedEdges().map((e) => `${e.from}->${e.to}`)).toEqual(['api->shop-db-1']);
  });

  it('a declared dependency shows as depends_on even when traffic found it first', () => {
    const g = new TopologyGraph();
    g.addEdge('web', 'db', 'tcp', 'service');
    g.addEdge('web', 'db', 'depends_on', 'service');
    g.addEdge('web', 'db', 'input');
    expect(g.sortedEdges()).toEqual([{ from: 'web', to: 'db', kind: 'depends_on' }]);
  });

  it('is bounded: past MAX_NODES nothing new is added', () => {
    const g = new TopologyGraph();
    for (let i = 0; i < MAX_NODES; i++) expect(g.addNode(`n${i}`, 'input')).toBeDefined();
    expect(g.addNode('one-more', 'input')).toBeUndefined();
    expect(g.addEdge('n0', 'new', 'input')).toBe(false);
    expect(g.addEdge('n0', 'n1', 'input')).toBe(true);
    expect(g.nodes.size).toBe(MAX_NODES);
  });
});
