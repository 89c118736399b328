/**
 * An Engine is a value: one connected Docker engine, passed to every source.
 * Nothing in berth reaches for a global client, so several engines can be
 * used at once (records then carry `engine`).
 */
import { BerthError, isConnectionError } from '../errors.js';
import { EngineClient } from './client.js';
import type { Endpoint } from './endpoint.js';
import { flavorOf, type EngineFlavor, type VersionReply } from './podman.js';

export interface Engine {
  readonly name: string;
  readonly endpoint: Endpoint;
  /** berth's client for the engine's API (see client.ts). */
  readonly api: EngineClient;
  /** Negotiated API version, e.g. "1.41". */
  apiVersion: string;
  /** True when the engine runs on this host (unix socket), so /proc of its containers is readable. */
  readonly local: boolean;
  /**
   * What the engine is, from its /version reply (podman.ts `flavorOf`): 'podman' when Podman serves the
   * Docker API. Each of Podman's differences is handled once, at the seam that meets it (docs/podman.md).
   */
  flavor: EngineFlavor;
  /** The swarm node's hostname when this engine is a node of the swarm selected with --service/--stack (swarm/cluster.ts). */
  swarmNode?: string;
}

/** Highest API version berth speaks; the negotiated version is min(this, engine's). */
export const MAX_API_VERSION = '1.45';

export function createEngine(ep: Endpoint): Engine {
  return { name: ep.name, endpoint: ep, api: new EngineClient(ep), apiVersion: '', flavor: 'docker', local: ep.host.startsWith('unix://') };
}

export function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

export function unreachable(engine: Engine | Endpoint, cause: unknown): BerthError {
  const host = 'endpoint' in engine ? engine.endpoint.host : engine.host;
  const why = (cause as Error)?.message ?? String(cause);
  // A socket this user may not open is the usual case of a user outside the docker group, not an engine that is down.
  const denied = (cause as { code?: string } | undefined)?.code === 'EACCES' && host.startsWith('unix://');
  return new BerthError('ENGINE_UNREACHABLE', `cannot connect to the Docker engine at ${host}: ${why}`, {
    hint: denied
      ? `permission denied on ${host.slice('unix://'.length)}: add this user to the docker group (sudo usermod -aG docker $USER, then log in again) or run as root`
      : 'is the Docker engine running? set DOCKER_HOST or --host, or pick one with --context',
    cause,
  });
}

/**
 * Asks the engine for its version and pins the client to
 * min(engine's API version, MAX_API_VERSION), as the docker CLI negotiates.
 */
export async function negotiate(engine: Engine, signal?: AbortSignal): Promise<Engine> {
  let info: VersionReply;
  try {
    engine.api.version = undefined;
    info = (await engine.api.json<VersionReply>({ path: '/version', versioned: false, signal })) ?? {};
  } catch (err) {
    if (signal?.aborted) throw err;
    if (isConnectionError(err) || !(err as { statusCode?: number }).statusCode) throw unreachable(engine, err);
    throw new BerthError('ENGINE_ERROR', `the Docker engine at ${engine.endpoint.host} answered an error: ${(err as Error).message}`, { cause: err });
  }
  const server = info.ApiVersion ?? '1.24';
  engine.apiVersion = compareVersions(server, MAX_API_VERSION) < 0 ? server : MAX_API_VERSION;
  engine.api.version = `v${engine.apiVersion}`;
  engine.flavor = flavorOf(info);
  return engine;
}
