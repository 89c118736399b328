/**
 * A Docker Swarm as berth reaches it (docs/swarm.md). The selected engine
 * must be a manager (`/info`: Swarm.ControlAvailable); it lists the nodes
 * (`/nodes`) and the services (`/services`). Each node's own engine is
 * reached, in this order, through
 *   1. `--node NAME=ENGINE` (NAME: the node's hostname or id; ENGINE as
 *      --host takes it: unix://, tcp://, ssh://),
 *   2. a docker context named like the node's hostname,
 *   3. the manager's own engine, for the manager's node,
 * or not at all. Node engines are named by the node's hostname and carry it
 * as `swarmNode`, so records about their containers say `node`. An engine
 * given for a node must be that node (its `/info` Swarm.NodeID), else it is a
 * usage error: records would name the wrong node. A node engine that does
 * not answer at the start is not fatal: it is said once and retried by the
 * sources, as with several --host.
 */
import type { Engine } from '../engine/engine.js';
import { createEngine, negotiate } from '../engine/engine.js';
import { resolveEndpoints, type Endpoint, type EndpointInput } from '../engine/endpoint.js';
import { STACK_NAMESPACE } from '../engine/labels.js';
import { toBerthError } from '../engine/request.js';
import { BerthError, usageError } from '../errors.js';

export interface SwarmNode {
  id: string;
  hostname: string;
  role: string;
  /** ready, down, unknown, disconnected (the manager's view). */
  state: string;
  /** The node's own engine, when berth can reach it. */
  engine?: Engine;
  /** How the engine was found: a --node flag, a docker context, or the manager itself. */
  via?: 'flag' | 'context' | 'manager';
  /** The node's address in the swarm (Status.Addr, or a manager's advertised address when that is 0.0.0.0). */
  addr?: string;
}

export interface SwarmService {
  id: string;
  name: string;
  stack?: string;
  /** Replicated: the desired count; global services: undefined. */
  replicas?: number;
}

export interface Cluster {
  manager: Engine;
  /** The manager's own node id. */
  managerNode: string;
  nodes: SwarmNode[];
}

interface InfoReply {
  Swarm?: { NodeID?: string; LocalNodeState?: string; ControlAvailable?: boolean };
}

export interface NodeReply {
  ID: string;
  Description?: { Hostname?: string };
  Spec?: { Role?: string };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Addr?: string };
}

/** Pure: where a node is reached; a manager may report 0.0.0.0 as Status.Addr, its advertised address is then in ManagerStatus ("IP:2377"). */
export function nodeAddr(n: NodeReply): string | undefined {
  const a = n.Status?.Addr;
  if (a && a !== '0.0.0.0') return a;
  const m = n.ManagerStatus?.Addr;
  return m ? m.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1') : undefined;
}

interface ServiceReply {
  ID: string;
  Spec?: { Name?: string; Labels?: Record<string, string>; Mode?: { Replicated?: { Replicas?: number }; Global?: object } };
}

export interface ClusterOptions {
  /** The --node NAME=ENGINE flags, as given. */
  nodeFlags: string[];
  env: EndpointInput['env'];
  home?: string;
  signal?: AbortSignal;
  warn: (message: string) => void;
}

/** `--node NAME=ENGINE`, checked before anything is asked of an engine. */
export function parseNodeFlag(flag: string, env: EndpointInput['env'], home?: string): { name: string; endpoint: Endpoint } {
  const eq = flag.indexOf('=');
  if (eq <= 0 || eq === flag.length - 1) throw usageError(`--node: expected NAME=ENGINE, e.g. worker1=ssh://me@worker1 (got: ${JSON.stringify(flag)})`);
  const name = flag.slice(0, eq);
  const [endpoint] = resolveEndpoints({ hosts: [flag.slice(eq + 1)], env, ...(home !== undefined ? { home } : {}) });
  return { name, endpoint: { ...endpoint!, name } };
}

/** The swarm the manager engine leads: its nodes, each with its engine where one can be reached. */
export async function openCluster(manager: Engine, opts: ClusterOptions): Promise<Cluster> {
  const flags = opts.nodeFlags.map((f) => parseNodeFlag(f, opts.env, opts.home));
  const info = await ask<InfoReply>(manager, '/info', opts.signal);
  const swarm = info.Swarm;
  if (swarm?.LocalNodeState !== 'active' || !swarm.ControlAvailable || !swarm.NodeID) {
    const what = swarm?.LocalNodeState === 'active' ? 'is a swarm worker, not a manager' : 'is not part of a swarm';
    throw usageError(
      `--service, --stack and --swarm need a swarm manager: the engine at ${manager.endpoint.host} ${what}`,
      'point berth at a manager with --host or --context (docker node ls lists them)',
    );
  }
  const replies = await ask<NodeReply[]>(manager, '/nodes', opts.signal);
  const nodes: SwarmNode[] = replies
    .map((n) => {
      const addr = nodeAddr(n);
      return { id: n.ID, hostname: n.Description?.Hostname ?? n.ID, role: n.Spec?.Role ?? 'worker', state: n.Status?.State ?? 'unknown', ...(addr ? { addr } : {}) };
    })
    .sort((a, b) => a.hostname.localeCompare(b.hostname));
  for (const f of flags) {
    const node = nodes.find((n) => n.hostname === f.name || n.id === f.name);
    if (!node) throw usageError(`--node ${f.name}: the swarm has no node ${JSON.stringify(f.name)} (its nodes: ${nodes.map((n) => n.hostname).join(', ')})`);
    if (node.engine) throw usageError(`--node ${f.name}: given twice`);
    node.engine = createEngine({ ...f.endpoint, name: node.hostname });
    node.via = 'flag';
  }
  for (const node of nodes) {
    if (node.engine) continue;
    const ctx = contextFor(node.hostname, opts);
    if (ctx) {
      node.engine = createEngine({ ...ctx, name: node.hostname });
      node.via = 'context';
    } else if (node.id === swarm.NodeID) {
      node.engine = createEngine({ ...manager.endpoint, name: node.hostname });
      node.via = 'manager';
    }
  }
  await Promise.all(nodes.map((n) => connectNode(n, opts)));
  return { manager, managerNode: swarm.NodeID, nodes };
}

/** A docker context named like the node, if there is one. */
function contextFor(hostname: string, opts: ClusterOptions): Endpoint | undefined {
  try {
    return resolveEndpoints({ contexts: [hostname], env: opts.env, ...(opts.home !== undefined ? { home: opts.home } : {}) })[0];
  } catch (err) {
    if (err instanceof BerthError && err.code === 'NOT_FOUND') return undefined;
    throw err;
  }
}

async function connectNode(node: SwarmNode, opts: ClusterOptions): Promise<void> {
  const engine = node.engine;
  if (!engine) return;
  engine.swarmNode = node.hostname;
  try {
    await negotiate(engine, opts.signal);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    opts.warn(`node ${node.hostname}: ${(err as Error).message}; going on with the other nodes and retrying it`);
    return;
  }
  const id = (await ask<InfoReply>(engine, '/info', opts.signal)).Swarm?.NodeID;
  if (id !== node.id) {
    const how = node.via === 'context' ? `the docker context ${node.hostname}` : `--node ${node.hostname}=${engine.endpoint.host}`;
    throw usageError(`${how}: that engine is ${id ? `swarm node ${id}` : 'not a swarm node'}, not node ${node.hostname} (${node.id})`);
  }
}

/** Said once: which nodes berth cannot reach, and what that costs. */
export function reportUnreachable(nodes: SwarmNode[], warn: (m: string) => void, cost = COST_OF_READING): void {
  const none = nodes.filter((n) => !n.engine);
  if (!none.length) return;
  const names = none.map((n) => n.hostname).join(', ');
  warn(`no engine for node${none.length > 1 ? 's' : ''} ${names} (give --node NAME=ENGINE or a docker context named like the node): ${cost}`);
}

const COST_OF_READING = "their tasks' logs come from the manager, in time order only within the reorder window; their tasks have no stats and their containers' events are not seen";
/** What a node without an engine costs the idle lifecycle of services. */
export const COST_OF_IDLING = "their tasks' network traffic is not read (only serve's requests count as activity there) and their health is not known";

/** The services of --service (names or ids) and --stack, from the manager; an unknown one is NOT_FOUND (exit 4). */
export async function resolveServices(manager: Engine, names: string[], stack: string | undefined, signal?: AbortSignal): Promise<SwarmService[]> {
  const out = new Map<string, SwarmService>();
  for (const name of names) {
    let reply: ServiceReply;
    try {
      reply = await manager.api.json<ServiceReply>({ path: `/services/${encodeURIComponent(name)}`, signal });
    } catch (err) {
      const e = toBerthError(manager, err, signal);
      if (e instanceof BerthError && e.code === 'NOT_FOUND') throw new BerthError('NOT_FOUND', `no such service: ${name}`, { hint: 'list services with: docker service ls', cause: err });
      throw e;
    }
    out.set(reply.ID, serviceOf(reply));
  }
  if (stack !== undefined) {
    const list = await ask<ServiceReply[]>(manager, '/services', signal, { filters: { label: [`${STACK_NAMESPACE}=${stack}`] } });
    if (!list.length) throw new BerthError('NOT_FOUND', `no services in stack ${JSON.stringify(stack)}`, { hint: 'list stacks with: docker stack ls' });
    for (const s of list) out.set(s.ID, serviceOf(s));
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function serviceOf(r: ServiceReply): SwarmService {
  const s: SwarmService = { id: r.ID, name: r.Spec?.Name ?? r.ID };
  const stack = r.Spec?.Labels?.[STACK_NAMESPACE];
  if (stack) s.stack = stack;
  const replicas = r.Spec?.Mode?.Replicated?.Replicas;
  if (replicas !== undefined) s.replicas = replicas;
  return s;
}

export interface TaskReply {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  Status?: { State?: string; ContainerStatus?: { ContainerID?: string } };
}

/** GET /tasks of some services (by id). */
export function listTasks(manager: Engine, serviceIds: string[], signal?: AbortSignal): Promise<TaskReply[]> {
  return ask<TaskReply[]>(manager, '/tasks', signal, { filters: { service: serviceIds } });
}

async function ask<T>(engine: Engine, path: string, signal?: AbortSignal, query?: Record<string, unknown>): Promise<T> {
  try {
    return await engine.api.json<T>({ path, signal, ...(query ? { query } : {}) });
  } catch (err) {
    throw toBerthError(engine, err, signal);
  }
}
