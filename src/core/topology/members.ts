/**
 * The containers of the watched selection, kept current by `refresh()`: one
 * list call (stopped containers included, so their nodes stay on the map),
 * plus an inspect of each container newly seen running (for its main pid and
 * its IP addresses). Adds nodes and declared edges to the graph, keeps each
 * node's running set, and says who owns an IP. A failed refresh marks the
 * engine down and keeps everything as last seen.
 */
import type Docker from 'dockerode';
import type { Engine } from '../engine/engine.js';
import { listTargets, type Selection, type Target } from '../engine/select.js';
import { BerthError, isConnectionError } from '../errors.js';
import { addMember, nodeIdOf, type GroupBy, type TopologyGraph } from './graph.js';
import { inspectContainer } from '../engine/containers.js';

export const REFRESH_TIMEOUT_MS = 5000;

export interface RunningMember {
  target: Target;
  node: string;
  /** The container's main process (0 when unknown). */
  pid: number;
  ips: string[];
  /** Started after the first refresh. */
  fresh: boolean;
  /** Since when its activity is new to us (ms): the previous refresh for a fresh member, else the moment we saw it. */
  sinceMs: number;
}

export interface MembershipHooks {
  onStart?: (m: RunningMember) => void;
  onStop?: (m: RunningMember) => void;
}

/** Every address a container has on its networks (IPv4 and global IPv6). */
export function containerIps(info: Docker.ContainerInspectInfo): string[] {
  const ns = info.NetworkSettings;
  const all = [ns?.IPAddress, ns?.GlobalIPv6Address, ...Object.values(ns?.Networks ?? {}).flatMap((n) => [n.IPAddress, n.GlobalIPv6Address])];
  return [...new Set(all.filter((ip): ip is string => !!ip))];
}

export class Membership {
  readonly running = new Map<string, RunningMember>();
  private readonly owners = new Map<string, string>();
  /** Container name -> node, for every container listed (running or not). */
  private readonly names = new Map<string, string>();
  private refreshed = false;
  private lastRefreshAt = 0;
  engineUp = true;

  constructor(
    private readonly engine: Engine,
    private readonly sel: Selection,
    private readonly by: GroupBy,
    private readonly graph: TopologyGraph,
    private readonly hooks: MembershipHooks = {},
  ) {}

  ownerOf = (ip: string): string | undefined => this.owners.get(ip);

  nodeOfName = (name: string): string | undefined => this.names.get(name);

  /** Forget what we know of a container (it restarted: new pid); the next refresh inspects it again. */
  invalidate(id: string): void {
    const m = this.running.get(id);
    if (m) this.drop(m);
  }

  /** Lists and reconciles; throws only on the first call (bad selection, engine gone at start). An engine that hangs counts as down after REFRESH_TIMEOUT_MS. */
  async refresh(signal: AbortSignal): Promise<void> {
    let targets: Target[];
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(REFRESH_TIMEOUT_MS)]);
    try {
      targets = await listTargets([this.engine], { ...this.sel, all: true }, bounded);
    } catch (err) {
      if (!this.refreshed || signal.aborted) throw err;
      if (isEngineDown(err)) this.engineUp = false;
      return;
    }
    this.engineUp = true;
    const services = serviceIndex(targets, this.by);
    const named = new Set(targets.map((t) => t.name));
    const membersOf = (s: string) => services.get(s) ?? (named.has(s) ? [s] : []);
    this.names.clear(); // rebuilt from the list: containers removed since are forgotten, so the map stays bounded
    for (const t of targets) {
      addMember(this.graph, { ...t, service: t.service }, this.by, membersOf);
      this.names.set(t.name, nodeIdOf(t, this.by));
    }
    const startedAt = Date.now();
    await this.reconcile(targets, bounded);
    this.refreshed = true;
    this.lastRefreshAt = startedAt;
  }

  private async reconcile(targets: Target[], signal: AbortSignal): Promise<void> {
    const live = new Set(targets.filter((t) => t.running).map((t) => t.id));
    for (const m of [...this.running.values()]) if (!live.has(m.target.id)) this.drop(m);
    for (const t of targets) {
      if (!t.running || this.running.has(t.id)) continue;
      const info = await inspectContainer(t.engine, t.id, signal).catch(() => undefined);
      if (!info?.State?.Running) continue;
      this.add({ target: t, node: nodeIdOf(t, this.by), pid: info.State.Pid ?? 0, ips: containerIps(info), fresh: this.refreshed, sinceMs: this.refreshed ? this.lastRefreshAt : Date.now() });
    }
  }

  private add(m: RunningMember): void {
    this.running.set(m.target.id, m);
    for (const ip of m.ips) this.owners.set(ip, m.node);
    this.graph.nodes.get(m.node)?.running.add(m.target.id);
    this.hooks.onStart?.(m);
  }

  private drop(m: RunningMember): void {
    this.running.delete(m.target.id);
    for (const ip of m.ips) if (this.owners.get(ip) === m.node) this.owners.delete(ip);
    this.graph.nodes.get(m.node)?.running.delete(m.target.id);
    this.hooks.onStop?.(m);
  }
}

/** service -> node ids of its containers (used for depends_on with --by container). */
function serviceIndex(targets: Target[], by: GroupBy): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of targets) if (t.service) out.set(t.service, [...(out.get(t.service) ?? []), nodeIdOf(t, by)]);
  return out;
}

export function isEngineDown(err: unknown): boolean {
  return (err instanceof BerthError && err.code === 'ENGINE_UNREACHABLE') || isConnectionError(err) || (err as Error)?.name === 'TimeoutError';
}
