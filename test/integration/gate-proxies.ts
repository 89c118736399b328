/**
 * Real nginx and Caddy in front of berth's gate, for gate*.test.ts: each
 * runs the recipe of docs/gate/ as it is written (its placeholders filled in,
 * its server block repeated once per app), in a temp dir, on a free loopback
 * port, and is stopped by the test. Plus a client that asks the gate the way
 * Traefik's ForwardAuth does (Traefik is not packaged here).
 */
import http from 'node:http';
import net from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { ROOT } from '../helpers/docker.js';
import { requireTool } from '../helpers/tools.js';
import { freePort } from './serve-harness.js';

export interface GateApp {
  host: string;
  /** host:port where the proxy reaches the app (a published port). */
  upstream: string;
}

const taken = new Set<number>();

/**
 * A host port for an app's published port, outside the kernel's ephemeral range (where freePort's
 * come from): docker binds it only when the container starts, so a port from freePort could be given
 * to a proxy meanwhile.
 */
export async function appPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (!free) continue;
    taken.add(port);
    return port;
  }
}

export const recipe = (file: string) => readFileSync(join(ROOT, 'docs', 'gate', file), 'utf8');

/** The recipe without its comment lines (they say what to replace). */
const body = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');

export class RunningProxy {
  stderr = '';
  constructor(
    readonly port: number,
    readonly child: ResultPromise,
  ) {
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.stdout?.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.child;
  }
}

async function listening(port: number, child: ResultPromise, what: string, log: () => string): Promise<void> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${what} exited: ${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => (res.resume(), resolve(true)));
      req.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${port}: ${log()}`);
}

/**
 * nginx with `file`'s recipe: the part before `server {` once, the server block once per app.
 * `tweak` may change a server block (the untrusted-address test binds the gate's connections elsewhere).
 */
export async function startNginx(dir: string, file: string, api: string, apps: GateApp[], tweak: (server: string) => string = (s) => s): Promise<RunningProxy> {
  requireTool('nginx');
  const port = await freePort();
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const text = body(recipe(file)).replaceAll('BERTH_API', api).replaceAll('LISTEN', `127.0.0.1:${port}`).replaceAll('CACHE_DIR', join(dir, 'cache'));
  const at = text.indexOf('\nserver {');
  const head = text.slice(0, at);
  const server = text.slice(at);
  const servers = apps.map((a) => tweak(server.replaceAll('APP_HOST', a.host).replaceAll('APP_UPSTREAM', a.upstream))).join('\n');
  const conf = join(dir, 'nginx.conf');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${join(dir, t)};`).join('\n');
  writeFileSync(
    conf,
    `# test wrapper: the recipe goes in http{}
user root;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 1024; }
http {
    access_log off;
${temp}
${head}
${servers}
}
`,
  );
  const child = execa('nginx', ['-c', conf, '-p', dir, '-g', 'daemon off;'], { reject: false, forceKillAfterDelay: 5000 });
  const proxy = new RunningProxy(port, child);
  await listening(port, child, 'nginx', () => proxy.stderr + safeRead(join(dir, 'logs', 'error.log')));
  return proxy;
}

export async function startCaddy(dir: string, api: string, apps: GateApp[]): Promise<RunningProxy> {
  requireTool('caddy');
  const port = await freePort();
  const site = body(recipe('Caddyfile')).replaceAll('BERTH_API', api).replaceAll('PORT', String(port));
  const sites = apps.map((a) => site.replaceAll('APP_HOST', a.host).replaceAll('APP_UPSTREAM', a.upstream)).join('\n');
  const file = join(dir, 'Caddyfile');
  writeFileSync(file, `{\n\tadmin off\n\tauto_https off\n}\n${sites}\n`);
  const env = { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config'), GOMAXPROCS: '1' };
  const child = execa('caddy', ['run', '--config', file, '--adapter', 'caddyfile'], { reject: false, env, forceKillAfterDelay: 5000 });
  const proxy = new RunningProxy(port, child);
  await listening(port, child, 'caddy', () => proxy.stderr);
  return proxy;
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export interface ProxyAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A request through Traefik's ForwardAuth as its documentation states it: the gate is asked with GET and the
 * original headers plus X-Forwarded-Method, -Proto, -Host, -Uri and -For; a 2xx lets the original request go
 * to the app; any other answer is returned to the client as it is (status, headers, body).
 */
export async function traefikForwardAuth(gate: string, app: string, o: { host: string; path: string; method?: string; headers?: Record<string, string> }): Promise<ProxyAnswer> {
  const method = o.method ?? 'GET';
  const forwarded = { ...o.headers, 'x-forwarded-method': method, 'x-forwarded-proto': 'http', 'x-forwarded-host': o.host, 'x-forwarded-uri': o.path, 'x-forwarded-for': '127.0.0.1' };
  const asked = await plain(gate, { path: '/gate', headers: forwarded });
  if (asked.status < 200 || asked.status > 299) return asked;
  return plain(app, { path: o.path, method, headers: { host: o.host, ...o.headers } });
}

export function plain(addr: string, o: { path: string; method?: string; headers?: Record<string, string>; localAddress?: string; timeoutMs?: number }): Promise<ProxyAnswer> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, path: o.path, method: o.method ?? 'GET', headers: o.headers ?? {}, agent: false, timeout: o.timeoutMs ?? 60_000, ...(o.localAddress ? { localAddress: o.localAddress } : {}) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}
