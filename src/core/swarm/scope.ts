/**
 * `--service`, `--stack` and `--node`: from the flags to the engines and the
 * selection a command follows. The manager resolves the services (unknown:
 * exit 4) and lists the nodes; the selection is every task's container of
 * those services on each node berth reaches (swarm/cluster.ts); `blind` are
 * the nodes it does not reach, whose tasks only the manager can speak for.
 */
import type { Engine } from '../engine/engine.js';
import type { EndpointInput } from '../engine/endpoint.js';
import type { Selection } from '../engine/select.js';
import { openCluster, reportUnreachable, resolveServices, type Cluster, type SwarmNode, type SwarmService } from './cluster.js';
import type { SwarmFlags } from './flags.js';

export interface SwarmScope {
  cluster: Cluster;
  services: SwarmService[];
  /** The node engines berth reaches (named by hostname). */
  engines: Engine[];
  /** Nodes berth has no engine for. */
  blind: SwarmNode[];
  selection: Selection;
}

export async function openSwarmScope(
  manager: Engine,
  f: SwarmFlags,
  o: { filters?: Record<string, string[]>; env: EndpointInput['env']; signal: AbortSignal; warn: (m: string) => void },
): Promise<SwarmScope> {
  const cluster = await openCluster(manager, { nodeFlags: f.node ?? [], env: o.env, signal: o.signal, warn: o.warn });
  const services = await resolveServices(manager, f.service ?? [], f.stack, o.signal);
  reportUnreachable(cluster.nodes, o.warn);
  const selection: Selection = { names: [], ...(o.filters ? { filters: o.filters } : {}) };
  if (f.stack !== undefined && !f.service?.length) selection.stack = f.stack;
  else {
    selection.services = services.map((s) => s.name);
    selection.serviceIds = services.map((s) => s.id);
  }
  const engines = cluster.nodes.flatMap((n) => (n.engine ? [n.engine] : []));
  return { cluster, services, engines, blind: cluster.nodes.filter((n) => !n.engine), selection };
}
