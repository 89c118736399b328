/**
 * Where `serve` reaches a swarm service: its running tasks, one endpoint
 * each, never the service's virtual IP. For each task, in this order:
 *
 * 1. the task's own address on an overlay network this machine is attached
 *    to (serve runs in a container on the service's attachable network: the
 *    address `tasks.SERVICE` resolves to there);
 * 2. the node's address and the task's host-mode published port
 *    (`--publish mode=host,target=80,published=8080`).
 *
 * A service whose port is published only through the routing mesh
 * (ingress, the default of `--publish 8080:80`) goes through a node's
 * published port, which needs IPVS in the nodes' kernels; when that port
 * does not accept a connection, the error says so at once instead of letting
 * requests time out. A task set changes (a node fails, a task is
 * rescheduled), so the endpoints are read again at most every ENDPOINTS_TTL_MS.
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../errors.js';
import { toBerthError } from '../engine/request.js';
import type { Address } from '../proxy/upstream.js';
import type { Cluster } from './cluster.js';

/** How long a service's endpoints are used before the task list is read again. */
export const ENDPOINTS_TTL_MS = 2000;

interface PortReply {
  Protocol?: string;
  TargetPort?: number;
  PublishedPort?: number;
  PublishMode?: string;
}

export interface EndpointTask {
  ID: string;
  NodeID?: string;
  DesiredState?: string;
  Status?: { State?: string; PortStatus?: { Ports?: PortReply[] } };
  NetworksAttachments?: Array<{ Network?: { Spec?: { Name?: string } }; Addresses?: string[] }>;
}

export interface EndpointService {
  ID: string;
  Spec?: { Name?: string; EndpointSpec?: { Mode?: string } };
  Endpoint?: { Ports?: PortReply[] };
}

/** This machine's interface addresses with their prefix lengths (os.networkInterfaces, IPv4). */
export function localNetworks(): Array<{ address: string; prefix: number }> {
  const out: Array<{ address: string; prefix: number }> = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) {
      if (i.family !== 'IPv4' || i.internal || !i.cidr) continue;
      out.push({ address: i.address, prefix: Number(i.cidr.split('/')[1]) });
    }
  }
  return out;
}

/** Pure: the subnet of a "10.0.1.5/24" attachment address holds a local address. */
function onLocalNetwork(cidr: string, local: Array<{ address: string; prefix: number }>): boolean {
  const [addr, bits] = cidr.split('/');
  if (!addr || !bits || !net.isIPv4(addr)) return false;
  const list = new net.BlockList();
  list.addSubnet(addr, Number(bits), 'ipv4');
  return local.some((l) => l.prefix === Number(bits) && list.check(l.address, 'ipv4'));
}

export type Plan = { endpoints: Address[] } | { mesh: { port: number } } | { none: string };

/**
 * Pure: the endpoints of `port` of a service's running tasks (see the file comment). `nodeAddr`: node id
 * to address. With no task endpoint, the routing mesh's published port when there is one, else why none.
 */
export function planEndpoints(svc: EndpointService, tasks: EndpointTask[], port: number, nodeAddr: Map<string, string>, local: Array<{ address: string; prefix: number }>): Plan {
  const running = tasks.filter((t) => t.Status?.State === 'running' && t.DesiredState === 'running');
  const endpoints: Address[] = [];
  for (const t of running) {
    const attached = (t.NetworksAttachments ?? []).flatMap((a) => a.Addresses ?? []).find((a) => onLocalNetwork(a, local));
    if (attached) {
      endpoints.push({ host: attached.split('/')[0]!, port });
      continue;
    }
    const published = (t.Status?.PortStatus?.Ports ?? []).find((p) => p.TargetPort === port && (p.Protocol ?? 'tcp') === 'tcp' && p.PublishMode === 'host' && p.PublishedPort);
    const host = t.NodeID ? nodeAddr.get(t.NodeID) : undefined;
    if (published && host) endpoints.push({ host, port: published.PublishedPort! });
  }
  if (endpoints.length) return { endpoints };
  const name = svc.Spec?.Name ?? svc.ID;
  const mesh = (svc.Endpoint?.Ports ?? []).find((p) => p.TargetPort === port && (p.Protocol ?? 'tcp') === 'tcp' && p.PublishMode !== 'host' && p.PublishedPort);
  if (mesh && running.length) return { mesh: { port: mesh.PublishedPort! } };
  if (!running.length) return { none: `service ${name} has no running task` };
  const networks = [...new Set(running.flatMap((t) => (t.NetworksAttachments ?? []).map((a) => a.Network?.Spec?.Name).filter((n): n is string => !!n && n !== 'ingress')))];
  return {
    none:
      `service ${name}: berth cannot reach port ${port} of its tasks: it is not published in host mode, and this machine is not on ` +
      (networks.length ? `its network${networks.length > 1 ? 's' : ''} (${networks.join(', ')})` : 'a network of it'),
  };
}

/** The endpoints of swarm services for serve's routes (see the file comment). */
export class ServiceEndpoints {
  constructor(
    private readonly cluster: Cluster,
    private readonly o: { local?: () => Array<{ address: string; prefix: number }>; connectMs?: number } = {},
  ) {}

  /** The endpoints of `port` of the service's running tasks; throws (FAILED) with how to fix it when there are none. */
  async resolve(service: string, port: number, signal?: AbortSignal): Promise<Address[]> {
    const manager = this.cluster.manager;
    let svc: EndpointService;
    let tasks: EndpointTask[];
    try {
      svc = await manager.api.json<EndpointService>({ path: `/services/${encodeURIComponent(service)}`, signal });
      tasks = await manager.api.json<EndpointTask[]>({ path: '/tasks', query: { filters: { service: [svc.ID], 'desired-state': ['running'] } }, signal });
    } catch (err) {
      throw toBerthError(manager, err, signal);
    }
    const nodeAddr = new Map(this.cluster.nodes.flatMap((n) => (n.addr ? [[n.id, n.addr] as const] : [])));
    const plan = planEndpoints(svc, tasks, port, nodeAddr, (this.o.local ?? localNetworks)());
    if ('endpoints' in plan) return plan.endpoints;
    if ('none' in plan) throw new BerthError('FAILED', plan.none, { hint: HOW_TO_REACH });
    return this.mesh(svc.Spec?.Name ?? service, plan.mesh.port, signal);
  }

  /** The routing mesh's published port on the manager's node, when it answers; else why not (IPVS). */
  private async mesh(service: string, published: number, signal?: AbortSignal): Promise<Address[]> {
    const node = this.cluster.nodes.find((n) => n.id === this.cluster.managerNode)?.addr;
    const addr = node ? { host: node, port: published } : undefined;
    if (addr && (await accepts(addr, this.o.connectMs ?? 2000, signal))) return [addr];
    const ipvs = existsSync('/proc/net/ip_vs') ? '' : '; this machine has no IPVS (no /proc/net/ip_vs: the ip_vs kernel module is not loaded)';
    throw new BerthError(
      'FAILED',
      `service ${service}: its port is published only through the routing mesh (ingress, port ${published}), and ${addr ? `${addr.host}:${published}` : 'the manager node'} does not accept connections: ` +
        `the routing mesh needs IPVS on the nodes${ipvs}`,
      { hint: HOW_TO_REACH },
    );
  }
}

const HOW_TO_REACH =
  "publish the port in host mode (docker service update --publish-add mode=host,target=PORT,published=PORT), or run berth serve in a container attached to the service's attachable overlay network";

/** One TCP connect: true when it is accepted within `ms`. */
export function accepts(a: Address, ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const sock = net.connect({ host: a.host, port: a.port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Waits until every endpoint accepts a TCP connection (a woken service's tasks run before their apps listen); false at the deadline. */
export async function waitAccepting(endpoints: readonly Address[], deadline: number, signal?: AbortSignal): Promise<boolean> {
  let left = endpoints;
  while (left.length) {
    const ok = await Promise.all(left.map((a) => accepts(a, Math.max(100, Math.min(1000, deadline - Date.now())), signal)));
    left = left.filter((_, i) => !ok[i]);
    if (!left.length) return true;
    if (Date.now() >= deadline || signal?.aborted) return false;
    await sleep(100, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
  return true;
}
