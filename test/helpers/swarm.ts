/**
 * The test swarm of scripts/test-swarm.sh, as tests reach it: each node's engine by its socket, the
 * docker CLI pointed at a node, services made and removed by tests, and berth run against the manager.
 */
import { execa, type Options } from 'execa';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ROOT } from './paths.js';

const BERTH_BIN = join(ROOT, 'bin', 'berth.js');

export const STATE = process.env.BERTH_SWARM_STATE ?? join(ROOT, '.test-swarm');
export const NODES = [1, 2, 3] as const;
export type NodeNo = (typeof NODES)[number];
export const IMAGE = 'berth-sw/busybox:1';
export const NETWORK = 'berth-sw-ov';
export const hostOf = (n: NodeNo) => `unix://${STATE}/n${n}/docker.sock`;
export const hostname = (n: NodeNo) => `berth-sw-n${n}`;
/** berth's --node flags for the given nodes (default: the two workers; the manager's node is reached through the manager). */
export const nodeFlags = (nodes: NodeNo[] = [2, 3]) => nodes.flatMap((n) => ['--node', `${hostname(n)}=${hostOf(n)}`]);

/** The docker CLI on one node. */
export function dockerOn(n: NodeNo, args: string[], opts: Options = {}) {
  return execa('docker', ['-H', hostOf(n), ...args], { timeout: 60_000, ...opts });
}

/** berth against the manager (node 1). */
export function berthSwarm(args: string[], opts: Options = {}) {
  return execa('node', [BERTH_BIN, ...args], { reject: false, timeout: 90_000, ...opts, env: { ...opts.env, DOCKER_HOST: hostOf(1) } });
}

export const serviceName = (what: string) => `berth-sw-${what}-${randomBytes(3).toString('hex')}`;

/** A replicated service, one task per node (max one replica per node), on the test overlay network. */
export async function createService(name: string, script: string, o: { replicas?: number; args?: string[] } = {}): Promise<string> {
  const { stdout } = await dockerOn(1, [
    'service',
    'create',
    '--detach',
    '--no-resolve-image',
    '--name',
    name,
    '--replicas',
    String(o.replicas ?? 3),
    '--replicas-max-per-node',
    '1',
    '--network',
    NETWORK,
    '--endpoint-mode',
    'dnsrr',
    '--stop-grace-period',
    '1s',
    ...(o.args ?? []),
    IMAGE,
    'sh',
    '-c',
    script,
  ]);
  return stdout.trim();
}

/**
 * A service as `docker stack deploy` would make it for serve: in a stack of its own (the namespace label
 * on the service and its tasks' containers), routed by berth.proxy.host NAME.test to port 8080, published
 * in host mode on every node at `published`; `listen`: a port for serve next to it. `labels`: more labels.
 */
export async function routedService(what: string, script: string, o: { replicas?: number; labels?: string[] } = {}) {
  const svc = serviceName(what);
  const stack = `berth-sw-st${randomBytes(3).toString('hex')}`;
  const host = `${svc}.test`;
  const published = 20_000 + (randomBytes(2).readUInt16BE(0) % 9_000);
  const label = (l: string) => ['--label', l];
  await createService(svc, script, {
    ...(o.replicas !== undefined ? { replicas: o.replicas } : {}),
    args: [
      ...['--publish', `mode=host,target=8080,published=${published}`],
      ...['--container-label', `com.docker.stack.namespace=${stack}`],
      ...[`com.docker.stack.namespace=${stack}`, `berth.proxy.host=${host}`, 'berth.proxy.port=8080', ...(o.labels ?? [])].flatMap(label),
    ],
  });
  return { svc, stack, host, published, listen: published + 1 };
}

export async function removeService(name: string): Promise<void> {
  await dockerOn(1, ['service', 'rm', name], { reject: false });
}

/** The running task containers of a service on one node. */
export async function taskContainers(n: NodeNo, service: string, all = false): Promise<string[]> {
  const { stdout } = await dockerOn(n, ['ps', ...(all ? ['-a'] : []), '-q', '--no-trunc', '--filter', `label=com.docker.swarm.service.name=${service}`]);
  return stdout.split('\n').filter(Boolean);
}

/** Every task container of a service on every node: [node, id]. */
export async function allTaskContainers(service: string, all = false): Promise<Array<[NodeNo, string]>> {
  const out: Array<[NodeNo, string]> = [];
  for (const n of NODES) for (const id of await taskContainers(n, service, all)) out.push([n, id]);
  return out;
}

/** `docker logs --timestamps` of a container on a node, as [ts, msg] pairs (the oracle for berth logs). */
export async function dockerLogs(n: NodeNo, id: string): Promise<Array<[string, string]>> {
  const { stdout } = await dockerOn(n, ['logs', '--timestamps', id], { stripFinalNewline: false });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const sp = l.indexOf(' ');
      return [fixedTs(l.slice(0, sp)), l.slice(sp + 1)];
    });
}

export function nodeScript(action: 'kill-node' | 'stop-node' | 'start-node', n: NodeNo) {
  return execa('bash', [join(ROOT, 'scripts', 'test-swarm.sh'), action, String(n)], { timeout: 120_000 });
}

export async function waitUntil<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve()
      .then(fn)
      .catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** docker's RFC 3339 times trim trailing zeros; berth's records carry nine fraction digits. */
export function fixedTs(ts: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z` : ts;
}

/** A command run in a node's network namespace (where the nodes' addresses and their published ports are reached). */
export function inNode(n: NodeNo, cmd: string, args: string[], opts: Options = {}) {
  return execa('nsenter', [`--net=/run/netns/berth-sw-n${n}`, cmd, ...args], { reject: false, timeout: 120_000, ...opts });
}

/**
 * berth running in the background: its NDJSON records as they come, and a stop that ends it with SIGINT.
 * `netns`: run it in that node's network namespace (serve, which must reach the tasks' published ports).
 */
export function follow(args: string[], o: { netns?: NodeNo } = {}) {
  const opts = { timeout: 600_000, buffer: { stdout: false, stderr: true } as never };
  const child = o.netns ? inNode(o.netns, 'node', [BERTH_BIN, ...args], { ...opts, env: { DOCKER_HOST: hostOf(1) } }) : berthSwarm(args, opts);
  const records: Array<Record<string, unknown>> = [];
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    rest += d.toString('utf8');
    const lines = rest.split('\n');
    rest = lines.pop()!;
    for (const l of lines) if (l) records.push(JSON.parse(l) as Record<string, unknown>);
  });
  return {
    child,
    records,
    async stop() {
      child.kill('SIGINT');
      const r = await child;
      return r;
    },
  };
}
