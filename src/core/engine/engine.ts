/**
 * An Engine is a value: one connected Docker engine, passed to every source.
 * Nothing in berth reaches for a global client, so several engines can be
 * used at once (records then carry `engine`).
 */
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { BerthError, isConnectionError } from '../errors.js';
import { EngineClient } from './client.js';
import type { Endpoint } from './endpoint.js';

export interface Engine {
  readonly name: string;
  readonly endpoint: Endpoint;
  /** berth's client for the engine's API (see client.ts). */
  readonly api: EngineClient;
  /** Negotiated API version, e.g. "1.41". */
  apiVersion: string;
  /** True when the engine runs on this host (unix socket), so /proc of its containers is readable. */
  readonly local: boolean;
}

/** Highest API version berth speaks; the negotiated version is min(this, engine's). */
export const MAX_API_VERSION = '1.45';

/** The dockerode options for an endpoint: used for ssh:// engines, whose transport berth borrows from docker-modem. */
export function dockerOptions(ep: Endpoint): Docker.DockerOptions {
  // Every field is set explicitly: docker-modem otherwise fills host and TLS
  // files in from process.env, which would override what berth resolved.
  const base: Record<string, unknown> = { host: undefined, port: undefined, socketPath: undefined, ca: undefined, cert: undefined, key: undefined, protocol: undefined };
  const url = new URL(ep.host.replace(/^tcp:/, 'http:'));
  if (url.protocol === 'unix:') return { ...base, socketPath: decodeURIComponent(url.pathname) } as Docker.DockerOptions;
  if (url.protocol === 'ssh:') {
    return {
      ...base,
      protocol: 'ssh',
      host: url.hostname,
      port: url.port ? Number(url.port) : 22,
      username: url.username || undefined,
      sshOptions: { agent: process.env.SSH_AUTH_SOCK },
    } as unknown as Docker.DockerOptions;
  }
  if (url.protocol === 'npipe:') throw new BerthError('USAGE', `named pipes are Windows-only (got: ${ep.host})`);
  const tls = ep.tls;
  const read = (f?: string) => (f ? readFileSync(f) : undefined);
  const https = !!tls || url.protocol === 'https:';
  return {
    ...base,
    protocol: https ? 'https' : 'http',
    host: url.hostname,
    port: url.port ? Number(url.port) : https ? 2376 : 2375,
    ...(tls ? { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key) } : {}),
    ...(tls && !tls.verify ? { checkServerIdentity: () => undefined } : {}),
  } as Docker.DockerOptions;
}

export function createEngine(ep: Endpoint): Engine {
  return { name: ep.name, endpoint: ep, api: new EngineClient(ep), apiVersion: '', local: ep.host.startsWith('unix://') };
}

export function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

export function unreachable(engine: Engine | Endpoint, cause: unknown): BerthError {
  const host = 'endpoint' in engine ? engine.endpoint.host : engine.host;
  const why = (cause as Error)?.message ?? String(cause);
  return new BerthError('ENGINE_UNREACHABLE', `cannot connect to the Docker engine at ${host}: ${why}`, {
    hint: 'is the Docker engine running? set DOCKER_HOST or --host, or pick one with --context',
    cause,
  });
}

/**
 * Asks the engine for its version and pins the client to
 * min(engine's API version, MAX_API_VERSION), as the docker CLI negotiates.
 */
export async function negotiate(engine: Engine, signal?: AbortSignal): Promise<Engine> {
  let info: { ApiVersion?: string };
  try {
    engine.api.version = undefined;
    info = (await engine.api.json<{ ApiVersion?: string }>({ path: '/version', versioned: false, signal })) ?? {};
  } catch (err) {
    if (signal?.aborted) throw err;
    if (isConnectionError(err) || !(err as { statusCode?: number }).statusCode) throw unreachable(engine, err);
    throw new BerthError('ENGINE_ERROR', `the Docker engine at ${engine.endpoint.host} answered an error: ${(err as Error).message}`, { cause: err });
  }
  const server = info.ApiVersion ?? '1.24';
  engine.apiVersion = compareVersions(server, MAX_API_VERSION) < 0 ? server : MAX_API_VERSION;
  engine.api.version = `v${engine.apiVersion}`;
  return engine;
}
