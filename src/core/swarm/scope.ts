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
import { usageError } from '../errors.js';
import { openCluster, reportUnreachable, resolveServices, type Cluster, type SwarmNode, type SwarmService } from './cluster.js';

export interface SwarmFlags {
  service?: string[];
  stack?: string;
  node?: string[];
}

export interface SwarmScope {
  cluster: Cluster;
  services: SwarmService[];
  /** The node engines berth reaches (named by hostname). */
  engines: Engine[];
  /** Nodes berth has no engine for. */
  blind: SwarmNode[];
  selection: Selection;
}

/** True when the flags ask for a swarm selection; `--node` alone is refused (it says how to reach nodes, not what to select). */
export function wantsSwarm(f: SwarmFlags, swarmFlag?: boolean): boolean {
  const on = !!f.service?.length || f.stack !== undefined || !!swarmFlag;
  if (!on && f.node?.length) throw usageError(`--node says how to reach a swarm node: it goes with --service or --stack${swarmFlag === undefined ? '' : ' (or --swarm)'}`);
  return on;
}

/** Container names and --project select containers of one engine; --service and --stack select tasks of a swarm. */
export function checkSwarmSelection(names: string[], project: string | undefined): void {
  if (names.length) throw usageError(`--service and --stack select a swarm's tasks: container names cannot be given with them (got: ${names.join(' ')})`);
  if (project !== undefined) throw usageError('--project selects a compose project: it cannot be given with --service or --stack');
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
  else selection.services = services.map((s) => s.name);
  const engines = cluster.nodes.flatMap((n) => (n.engine ? [n.engine] : []));
  return { cluster, services, engines, blind: cluster.nodes.filter((n) => !n.engine), selection };
}
