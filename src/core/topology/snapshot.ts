/**
 * A tick's counts + the graph -> one `topology` record (docs/records.md).
 * Stable shape: every node and edge of the graph is present, every field set,
 * zeros when nothing happened; nodes sorted by id, edges by (from, to).
 */
import type { TopologyEdgeRecord, TopologyNodeRecord, TopologyRecord } from '../records.js';
import { cell, type Drained } from './counters.js';
import type { GraphEdge, GraphNode, TopologyGraph } from './graph.js';

export const NODE_COUNTS = ['events', 'logs', 'error', 'warn', 'info', 'debug', 'other', 'input'] as const;
export const EDGE_COUNTS = ['connections', 'requests', 'input'] as const;

export type NodeCount = (typeof NODE_COUNTS)[number];
export type EdgeCount = (typeof EDGE_COUNTS)[number];

export interface SnapshotMeta {
  ts: string;
  tick: number;
  tickMs: number;
  engineUp: boolean;
  project?: string;
  stack?: string;
  by: TopologyRecord['by'];
  sources: TopologyRecord['sources'];
  /** A swarm's map: the nodes (hostnames) each graph node's running containers are on. */
  hosts?: (node: string) => string[];
}

function nodeRecord(n: GraphNode, cells: Map<string, number>, hosts?: (node: string) => string[]): TopologyNodeRecord {
  const rec = { id: n.id, kind: n.kind, running: n.running.size } as TopologyNodeRecord;
  if (hosts) rec.hosts = hosts(n.id);
  for (const k of NODE_COUNTS) rec[k] = cells.get(cell.node(n.id, k)) ?? 0;
  return rec;
}

function edgeRecord(e: GraphEdge, cells: Map<string, number>, cap: number): TopologyEdgeRecord {
  const get = (k: EdgeCount) => cells.get(cell.edge(e.from, e.to, k)) ?? 0;
  const [connections, requests, input] = EDGE_COUNTS.map(get) as [number, number, number];
  return { from: e.from, to: e.to, kind: e.kind, count: Math.min(connections + requests + input, cap), connections, requests, input };
}

export function buildSnapshot(graph: TopologyGraph, drained: Drained, meta: SnapshotMeta, cap: number): TopologyRecord {
  return {
    type: 'topology',
    ts: meta.ts,
    tick: meta.tick,
    tickMs: meta.tickMs,
    engineUp: meta.engineUp,
    ...(meta.project !== undefined ? { project: meta.project } : {}),
    ...(meta.stack !== undefined ? { stack: meta.stack } : {}),
    by: meta.by,
    sources: meta.sources,
    clamped: drained.clamped,
    nodes: graph.sortedNodes().map((n) => nodeRecord(n, drained.cells, meta.hosts)),
    edges: graph.sortedEdges().map((e) => edgeRecord(e, drained.cells, cap)),
  };
}
