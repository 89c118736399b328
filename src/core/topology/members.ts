/**
 * The containers of the watched selection on the map, kept current by the
 * selection supervisor's lifetimes (stopped containers included, so their
 * nodes stay on the map): each container added gives its node and declared
 * edges; each one running is inspected once per start (its main pid and IP
 * addresses, for the TCP source) and, with log counting on, followed by one
 * ContainerFollower (logs/container-follow.ts: no line counted twice across
 * restarts and reconnects). Says who owns an IP and which node a name is.
 */
import type Docker from 'dockerode';
import type { Target } from '../engine/select.js';
import { inspectContainer } from '../engine/containers.js';
import type { Lifetime } from '../select/supervisor.js';
import { addMember, nodeIdOf, type GroupBy, type TopologyGraph } from './graph.js';

export interface RunningMember {
  target: Target;
  node: string;
  /** The container's main process (0 when unknown). */
  pid: number;
  ips: string[];
  /** Started while we watch: all of its activity is new. */
  fresh: boolean;
}

export interface MemberHooks {
  /** A member runs (`fresh`: it started while we watch). */
  onRunning?: (m: RunningMember) => void;
  onStarted?: (t: Target) => void;
  onRemoved?: (t: Target) => void;
}

/** Every address a container has on its networks (IPv4 and global IPv6). */
export function containerIps(info: Docker.ContainerInspectInfo): string[] {
  const ns = info.NetworkSettings;
  const all = [ns?.IPAddress, ns?.GlobalIPv6Address, ...Object.values(ns?.Networks ?? {}).flatMap((n) => [n.IPAddress, n.GlobalIPv6Address])];
  return [...new Set(all.filter((ip): ip is string => !!ip))];
}

export class TopologyMembers {
  readonly running = new Map<string, RunningMember>();
  private readonly targets = new Map<string, Target>();
  private readonly owners = new Map<string, string>();
  private synced = false;
  engineUp = true;

  constructor(
    private readonly by: GroupBy,
    private readonly graph: TopologyGraph,
    private readonly hooks: MemberHooks = {},
  ) {}

  ownerOf = (ip: string): string | undefined => this.owners.get(ip);

  /** The swarm nodes (hostnames) a graph node's running containers are on, sorted. */
  hostsOf = (node: string): string[] => {
    const hosts = new Set<string>();
    for (const m of this.running.values()) if (m.node === node && m.target.engine.swarmNode !== undefined) hosts.add(m.target.engine.swarmNode);
    return [...hosts].sort();
  };

  nodeOfName = (name: string): string | undefined => {
    for (const t of this.targets.values()) if (t.name === name) return nodeIdOf(t, this.by);
    return undefined;
  };

  async apply(l: Lifetime, signal: AbortSignal): Promise<void> {
    switch (l.kind) {
      case 'synced':
        this.synced = true;
        return;
      case 'added':
        this.targets.set(l.target.id, l.target);
        this.place();
        if (l.target.running) await this.run(l.target, this.synced && !l.history, signal);
        return;
      case 'started':
        this.drop(l.target.id);
        this.hooks.onStarted?.(l.target);
        return this.run(l.target, true, signal);
      case 'stopped':
        return this.drop(l.target.id);
      case 'removed':
        this.drop(l.target.id);
        this.targets.delete(l.target.id);
        this.hooks.onRemoved?.(l.target);
    }
  }

  /** Every known container on the graph; a dependency on a container that just appeared gets its edge now. */
  private place(): void {
    const services = new Map<string, string[]>();
    for (const t of this.targets.values()) if (t.service) services.set(t.service, [...(services.get(t.service) ?? []), nodeIdOf(t, this.by)]);
    const named = new Set([...this.targets.values()].map((t) => t.name));
    const membersOf = (s: string) => services.get(s) ?? (named.has(s) ? [s] : []);
    for (const t of this.targets.values()) addMember(this.graph, { ...t, running: this.running.has(t.id) }, this.by, membersOf);
  }

  private async run(t: Target, fresh: boolean, signal: AbortSignal): Promise<void> {
    const info = await inspectContainer(t.engine, t.id, signal).catch(() => undefined);
    if (!info?.State?.Running || !this.targets.has(t.id)) return;
    const m: RunningMember = { target: t, node: nodeIdOf(t, this.by), pid: info.State.Pid ?? 0, ips: containerIps(info), fresh };
    this.running.set(t.id, m);
    for (const ip of m.ips) this.owners.set(ip, m.node);
    this.graph.nodes.get(m.node)?.running.add(t.id);
    this.hooks.onRunning?.(m);
  }

  private drop(id: string): void {
    const m = this.running.get(id);
    if (!m) return;
    this.running.delete(id);
    for (const ip of m.ips) if (this.owners.get(ip) === m.node) this.owners.delete(ip);
    this.graph.nodes.get(m.node)?.running.delete(id);
  }
}
