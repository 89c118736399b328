/**
 * The topology graph: nodes are a project's services (or containers, with
 * `--by container`), edges are declared dependencies (compose's
 * `com.docker.compose.depends_on` label, or berth's own `berth.depends_on`)
 * and links seen in real traffic (TCP connections, stdin records, requests
 * through `berth serve`). Nodes and edges are only ever added, so every tick's
 * snapshot has the same shape. Bounds: at most MAX_NODES nodes and MAX_EDGES
 * edges; past them, `addNode`/`addEdge` return false and nothing is added.
 */
import { COMPOSE_DEPENDS_ON } from '../engine/labels.js';
import { composeFileDeps } from '../idle/compose-file.js';

export const BERTH_DEPENDS_ON = 'berth.depends_on';
export const MAX_NODES = 256;
export const MAX_EDGES = 1024;
/** The node that stands for requests arriving through berth serve. */
export const CLIENT = 'client';

export type GroupBy = 'service' | 'container';
export type NodeKind = 'service' | 'container' | 'client' | 'input';
/** How an edge is known; the first way it became known wins, except that a declared dependency always shows as `depends_on`. */
export type EdgeKind = 'depends_on' | 'tcp' | 'client' | 'input';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  /** Ids of the node's containers that are running now. */
  running: Set<string>;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
}

export const edgeKey = (from: string, to: string) => `${from}\u0000${to}`;

export class TopologyGraph {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, GraphEdge>();

  addNode(id: string, kind: NodeKind): GraphNode | undefined {
    const have = this.nodes.get(id);
    if (have) return have;
    if (this.nodes.size >= MAX_NODES) return undefined;
    const node: GraphNode = { id, kind, running: new Set() };
    this.nodes.set(id, node);
    return node;
  }

  /** Adds an edge (and its end nodes as `input` nodes when new); false when a bound was hit. */
  addEdge(from: string, to: string, kind: EdgeKind, nodeKind: NodeKind = 'input'): boolean {
    if (!this.addNode(from, nodeKind) || !this.addNode(to, nodeKind)) return false;
    const key = edgeKey(from, to);
    const have = this.edges.get(key);
    if (have) {
      if (kind === 'depends_on') have.kind = kind;
      return true;
    }
    if (this.edges.size >= MAX_EDGES) return false;
    this.edges.set(key, { from, to, kind });
    return true;
  }

  hasEdge(from: string, to: string): boolean {
    return this.edges.has(edgeKey(from, to));
  }

  sortedNodes(): GraphNode[] {
    return [...this.nodes.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  sortedEdges(): GraphEdge[] {
    return [...this.edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  }
}

/**
 * The services a container declares it depends on: compose writes
 * `db:service_started:false,redis:service_healthy:true`; berth's own label is
 * a plain comma-separated list (`db,redis`). Both are read; order kept, no repeats.
 * compose v1 writes no depends_on label: then the project's compose file is read (idle/compose-file.ts).
 */
export function dependsOn(labels: Record<string, string> | undefined): string[] {
  const out: string[] = [];
  const compose = labels?.[COMPOSE_DEPENDS_ON] ?? (labels ? composeFileDeps(labels).value : undefined);
  for (const text of [compose, labels?.[BERTH_DEPENDS_ON]]) {
    for (const part of (text ?? '').split(',')) {
      const svc = part.split(':')[0]!.trim();
      if (svc && !out.includes(svc)) out.push(svc);
    }
  }
  return out;
}

export interface Member {
  id: string;
  name: string;
  service?: string;
  labels: Record<string, string>;
  running: boolean;
}

/** The node a container belongs to: its service (falling back to its name) or its name. */
export function nodeIdOf(m: Pick<Member, 'name' | 'service'>, by: GroupBy): string {
  return by === 'service' ? (m.service ?? m.name) : m.name;
}

/**
 * Adds a container to the graph: its node, and its declared dependencies as
 * edges. With `--by container`, a dependency points at each known container
 * of that service, or at the container of that name (`serviceMembers`); one
 * with no container on the map gets no edge (a node named after the service
 * would be a container that does not exist) until its container appears.
 */
export function addMember(g: TopologyGraph, m: Member, by: GroupBy, serviceMembers: (svc: string) => string[] = () => []): GraphNode | undefined {
  const id = nodeIdOf(m, by);
  const node = g.addNode(id, by);
  if (!node) return undefined;
  if (m.running) node.running.add(m.id);
  else node.running.delete(m.id);
  for (const dep of dependsOn(m.labels)) {
    for (const to of by === 'container' ? serviceMembers(dep) : [dep]) g.addEdge(id, to, 'depends_on', by);
  }
  return node;
}
