/**
 * Which engine to talk to, resolved the way the docker CLI resolves it
 * (cli/command/cli.go): --context, else --host, else DOCKER_HOST, else
 * DOCKER_CONTEXT, else the config's currentContext, else the default socket.
 * --host and --context together are a usage error, as in docker.
 * Podman's own CONTAINER_HOST is read after DOCKER_HOST and before
 * DOCKER_CONTEXT (docs/podman.md): a variable set for Podman is meant, a
 * docker config's context less so.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BerthError, usageError } from '../errors.js';

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
  verify: boolean;
}

export interface Endpoint {
  /** Context name, or the host string when given directly. Shown as `engine` on records when several engines are used. */
  name: string;
  /** unix:///path, tcp://host:port, ssh://user@host[:port] */
  host: string;
  tls?: TlsFiles;
}

export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

export interface EndpointInput {
  hosts?: string[];
  contexts?: string[];
  env: NodeJS.ProcessEnv | Record<string, string | undefined>;
  home?: string;
}

export function dockerConfigDir(env: EndpointInput['env'], home = homedir()): string {
  return env.DOCKER_CONFIG || join(home, '.docker');
}

export function resolveEndpoints(input: EndpointInput): Endpoint[] {
  const { env } = input;
  const hosts = input.hosts ?? [];
  const contexts = input.contexts ?? [];
  if (hosts.length && contexts.length) {
    throw usageError('conflicting options: either specify --host or --context, not both');
  }
  const configDir = dockerConfigDir(env, input.home);
  if (contexts.length) return contexts.map((c) => contextEndpoint(c, configDir, env));
  if (hosts.length) return hosts.map((h) => hostEndpoint(h, env, input.home));
  if (env.DOCKER_HOST) return [hostEndpoint(env.DOCKER_HOST, env, input.home)];
  if (env.CONTAINER_HOST) return [hostEndpoint(env.CONTAINER_HOST, env, input.home, 'CONTAINER_HOST')];
  const ctx = env.DOCKER_CONTEXT || currentContext(configDir);
  if (ctx && ctx !== 'default') return [contextEndpoint(ctx, configDir, env)];
  return [hostEndpoint(DEFAULT_HOST, env, input.home)];
}

function currentContext(configDir: string): string | undefined {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    const cfg = JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: string };
    return cfg.currentContext || undefined;
  } catch (err) {
    throw new BerthError('CONFIG', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** node:crypto is required here, when a context is named, not at start-up: most runs name none. */
function sha256(text: string): string {
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(text).digest('hex');
}

/** The default context is the environment's host; any other is a directory named by the sha256 of its name. */
function contextEndpoint(name: string, configDir: string, env: EndpointInput['env']): Endpoint {
  if (name === 'default') return { ...hostEndpoint(env.DOCKER_HOST || DEFAULT_HOST, env), name: 'default' };
  const digest = sha256(name);
  const metaFile = join(configDir, 'contexts', 'meta', digest, 'meta.json');
  if (!existsSync(metaFile)) {
    throw new BerthError('NOT_FOUND', `context "${name}" does not exist`, { hint: 'list contexts with: docker context ls' });
  }
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  } catch (err) {
    throw new BerthError('CONFIG', `context "${name}": cannot read ${metaFile}: ${(err as Error).message}`, { cause: err });
  }
  const ep = meta.Endpoints?.docker;
  if (!ep?.Host) throw new BerthError('CONFIG', `context "${name}" has no docker endpoint host in ${metaFile}`);
  const tlsDir = join(configDir, 'contexts', 'tls', digest, 'docker');
  const tls = tlsFromDir(tlsDir, !ep.SkipTLSVerify);
  return { name, host: ep.Host, ...(tls ? { tls } : {}) };
}

function tlsFromDir(dir: string, verify: boolean): TlsFiles | undefined {
  const file = (f: string) => (existsSync(join(dir, f)) ? join(dir, f) : undefined);
  const tls = { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem'), verify };
  return tls.ca || tls.cert ? tls : undefined;
}

function hostEndpoint(host: string, env: EndpointInput['env'], home?: string, from = '--host'): Endpoint {
  const h = host.trim();
  if (!/^(unix|tcp|ssh|http|https|npipe):\/\//.test(h)) {
    throw usageError(`${from}: expected unix:///path, tcp://host:port or ssh://user@host (got: ${JSON.stringify(host)})`);
  }
  // Podman's form names the far side's socket; berth's ssh runs `docker system dial-stdio` there instead (ssh.ts).
  if (from === 'CONTAINER_HOST' && /^ssh:\/\/[^/]+\/./.test(h)) {
    throw usageError(`${from}: an ssh:// address with a socket path (${h}) is not supported: forward the socket (ssh -L /tmp/podman.sock:/run/podman/podman.sock ...) and use unix:///tmp/podman.sock`);
  }
  const verify = !!env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0';
  if ((h.startsWith('tcp://') || h.startsWith('https://')) && (verify || h.startsWith('https://'))) {
    const certDir = env.DOCKER_CERT_PATH || dockerConfigDir(env, home);
    return { name: host, host: h, tls: tlsFromDir(certDir, verify) ?? { verify } };
  }
  return { name: host, host: h };
}
