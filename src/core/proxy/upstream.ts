/**
 * Where a running container is reached: its address on its (first) network,
 * or, when it has none (host networking, or only a published port), the
 * published host port on 127.0.0.1.
 */
import type Docker from 'dockerode';
import type { Engine } from '../engine/engine.js';
import { BerthError } from '../errors.js';
import { inspectContainer } from '../engine/containers.js';

export interface Address {
  host: string;
  port: number;
}

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

export async function resolveAddress(engine: Engine, container: string, port: number, signal?: AbortSignal): Promise<Address> {
  const info = await inspectContainer(engine, container, signal);
  if (!info.State?.Running) throw new BerthError('FAILED', `${container} exited with code ${info.State?.ExitCode ?? 'unknown'} while starting`, { hint: `see why with: docker logs ${container}` });
  const addr = addressFromInspect(info, port);
  if (!addr) throw new BerthError('FAILED', `container ${container} has no network address and no published port ${port}`);
  return addr;
}

/**
 * Where serve's routes are reached: a container's one address (below), or a swarm service's tasks
 * (swarm/endpoints.ts), taken in turn. `portInWake`: the wake path itself waits for the port to accept
 * (a container's address is known to it); otherwise `ready` waits for every endpoint after the wake.
 * `ttlMs`: how long resolved endpoints are used before being read again (a service's tasks move).
 */
export interface UpstreamSource {
  resolve(name: string, port: number, signal?: AbortSignal): Promise<Address[]>;
  portInWake: boolean;
  ttlMs?: number;
  /** After a wake: resolves when the endpoints accept connections; false when the deadline came first. */
  ready?(endpoints: readonly Address[], deadline: number, signal?: AbortSignal): Promise<boolean>;
}

export function containerUpstreams(engine: Engine): UpstreamSource {
  return { portInWake: true, resolve: async (name, port, signal) => [await resolveAddress(engine, name, port, signal)] };
}
