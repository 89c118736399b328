/**
 * Where a route is reached. A running container: its address on its (first)
 * network, or, when it has none (host networking, or only a published port),
 * the published host port on 127.0.0.1. A swarm service: its tasks
 * (swarm/endpoints.ts). `Upstreams` keeps one route's endpoints by port, in
 * turn, between readings.
 */
import type Docker from 'dockerode';
import { BerthError } from '../errors.js';
import type { ReadyAt } from '../idle/types.js';
import { WakeFailure } from '../idle/wake-failure.js';
import { EndpointRing, type Address } from './endpoint-ring.js';

export type { Address } from './endpoint-ring.js';

export function addressFromInspect(info: Docker.ContainerInspectInfo, port: number): Address | undefined {
  const nets = info.NetworkSettings?.Networks ?? {};
  for (const n of Object.values(nets)) if (n?.IPAddress) return { host: n.IPAddress, port };
  if (info.NetworkSettings?.IPAddress) return { host: info.NetworkSettings.IPAddress, port };
  const published = (info.NetworkSettings?.Ports as Record<string, Array<{ HostIp: string; HostPort: string }> | null> | undefined)?.[`${port}/tcp`];
  const hostPort = published?.find((p) => p.HostPort)?.HostPort;
  if (hostPort) return { host: '127.0.0.1', port: Number(hostPort) };
  if (info.HostConfig?.NetworkMode === 'host') return { host: '127.0.0.1', port };
  return undefined;
}

/**
 * Where serve's routes are reached: a container's one address (below), or a swarm service's tasks
 * (swarm/endpoints.ts), taken in turn. `portInWake`: the wake path itself waits for the port to accept
 * (a container's address is known to it); otherwise `ready` waits for every endpoint after the wake.
 * `ttlMs`: how long resolved endpoints are used before being read again (a service's tasks move).
 * `known`: the unit as its wake found it ready, when the caller has that (a container's address is
 * then taken from it, with no second look at the engine).
 */
export interface UpstreamSource {
  resolve(name: string, port: number, signal?: AbortSignal, known?: ReadyAt): Promise<Address[]>;
  portInWake: boolean;
  ttlMs?: number;
  /** After a wake: resolves when the endpoints accept connections; false when the deadline came first. */
  ready?(endpoints: readonly Address[], deadline: number, signal?: AbortSignal): Promise<boolean>;
}

/** How a container is read when its address is not known yet: an inspect through its provider (ContainerProvider). */
export interface ContainerReader {
  inspect(name: string, signal?: AbortSignal): Promise<Docker.ContainerInspectInfo>;
}

/** A container's address: from the state its wake found it ready in, when that has one; else from an inspect. */
export function containerUpstreams(provider: ContainerReader): UpstreamSource {
  return {
    portInWake: true,
    resolve: async (name, port, signal, known) => {
      if (known?.running && known.address) return [{ host: known.address, port }];
      return [await resolveAddress(provider, name, port, signal)];
    },
  };
}

async function resolveAddress(provider: ContainerReader, container: string, port: number, signal?: AbortSignal): Promise<Address> {
  const info = await provider.inspect(container, signal);
  if (!info.State?.Running) throw new BerthError('FAILED', `${container} exited with code ${info.State?.ExitCode ?? 'unknown'} while starting`, { hint: `see why with: docker logs ${container}` });
  const addr = addressFromInspect(info, port);
  if (!addr) throw new BerthError('FAILED', `container ${container} has no network address and no published port ${port}`);
  return addr;
}

/**
 * One route's endpoints by container port, read once per run of a container (a service's: again after
 * their ttl), used in turn; one that could not be reached is benched for a while (endpoint-ring.ts).
 * At most one entry per port the route names.
 */
export class Upstreams {
  private readonly byPort = new Map<number, { ring: EndpointRing; until: number }>();

  constructor(
    private readonly source: UpstreamSource,
    private readonly now: () => number,
  ) {}

  /** The next endpoint of a port in turn, while they are fresh. */
  take(port: number): Address | undefined {
    const a = this.byPort.get(port);
    if (!a || this.now() >= a.until) return undefined;
    return a.ring.take(this.now());
  }

  /** A port's endpoints as last read (none before the first reading). */
  endpoints(port: number): readonly Address[] {
    return this.byPort.get(port)?.ring.endpoints ?? [];
  }

  /** Reads a port's endpoints (at least one, or it throws) and keeps them for the source's ttl (benched ones stay benched). */
  async load(name: string, port: number, signal?: AbortSignal, known?: ReadyAt): Promise<void> {
    const list = await this.source.resolve(name, port, signal, known);
    if (!list.length) throw new WakeFailure('exited', name, `${name} has no endpoint for port ${port}`);
    const ttl = this.source.ttlMs;
    const ring = this.byPort.get(port)?.ring ?? new EndpointRing();
    ring.set(list);
    this.byPort.set(port, { ring, until: ttl === undefined ? Infinity : this.now() + ttl });
  }

  /**
   * Another endpoint of `port` for a request that could not use `failed` (`tried`: every one it used, in
   * order); `unreachable`: its connect failed, so `failed` is benched and later requests skip it for a while.
   * Undefined when every endpoint was tried.
   */
  instead(port: number, failed: Address, tried: readonly Address[], unreachable: boolean): Address | undefined {
    const a = this.byPort.get(port);
    if (!a) return undefined;
    if (unreachable) a.ring.bench(failed, this.now());
    return a.ring.other(tried, this.now());
  }

  /** The endpoints are read again on next use (the container's run changed); the benched stay benched while listed. */
  forget(): void {
    for (const a of this.byPort.values()) a.until = 0;
  }
}
