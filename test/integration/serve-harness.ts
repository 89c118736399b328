/**
 * Shared by the serve*.test.ts files: a `berth serve` child on a free port,
 * restricted (--filter) to this file's own containers so parallel files and
 * other engineers' containers never become its routes, plus small HTTP/TCP
 * clients and engine checks.
 */
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { execa, type ResultPromise } from 'execa';
import { BERTH_BIN, docker, runContainer, uniqueName, waitFor } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import { engineEvents } from '../helpers/engine-events.js';

export { engineEvents };

export const RUN_KEY = 'berth.test.serve';

export class ServeHarness {
  readonly run = randomBytes(4).toString('hex');
  readonly made: string[] = [];
  child: ResultPromise | undefined;
  out: LineCollector | undefined;
  stderr = '';
  port = 0;

  /** Labels that make a container one of this harness's routes. */
  labels(extra: Record<string, string>): Record<string, string> {
    return { [RUN_KEY]: this.run, ...extra };
  }

  async container(prefix: string, cmd: string, labels: Record<string, string>, start = false): Promise<string> {
    const name = uniqueName(prefix);
    await runContainer({ name, cmd, labels: this.labels(labels), start });
    this.made.push(name);
    return name;
  }

  /** `env`: added to the child's environment (e.g. DOCKER_HOST of an engine recorder). */
  async start(args: string[] = [], env: Record<string, string> = {}): Promise<void> {
    const argv = [BERTH_BIN, 'serve', '--listen', '127.0.0.1:0', '--json', '--filter', `label=${RUN_KEY}=${this.run}`, ...args];
    const child = execa('node', argv, { reject: false, forceKillAfterDelay: false, env });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.out = new LineCollector(child.stdout!);
    await this.out
      .until((ls) => ls.some((l) => l.line.includes('"listening"')), 30_000)
      .catch((err: Error) => {
        throw new Error(`berth serve did not start: ${err.message}\nstderr: ${this.stderr}`);
      });
    const rec = this.out.json<{ event?: string; listen?: string }>().find((r) => r.event === 'listening')!;
    this.port = Number(rec.listen!.split(':').pop());
  }

  records<T = Record<string, unknown>>(): T[] {
    return this.out!.json<T>();
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    this.child?.kill(signal);
    return this.child;
  }
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export function request(port: number, host: string, path = '/', o: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<Answer> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: { host, ...(o.headers ?? {}) }, agent: false, timeout: o.timeoutMs ?? 60_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, ms: Date.now() - t0 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(o.body);
  });
}

export async function isRunning(name: string): Promise<boolean> {
  const info = await docker.getContainer(name).inspect();
  return !!info.State.Running;
}

/** How many times the engine started a container since `sinceSec` (from its events). */
export async function startCount(name: string, sinceSec: number): Promise<number> {
  return (await engineEvents(sinceSec, [`container=${name}`, 'event=start'])).filter((e) => e.Action === 'start').length;
}

export function tcpExchange(port: number, text: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let got = '';
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`no answer in ${timeoutMs} ms; got ${JSON.stringify(got)}`))), timeoutMs);
    s.on('connect', () => s.write(text));
    s.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        clearTimeout(timer);
        s.end();
        resolve(got);
      }
    });
    s.on('error', (e) => (clearTimeout(timer), reject(e)));
  });
}

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

/** The wake-event stream's frames up to and including the first `ready` or `error` event. */
export function wakeFrames(port: number, container: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    const req = http.get({ host: '127.0.0.1', port, path: `/$berth/wake-events?container=${container}`, headers, agent: false }, (res) => {
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d;
        if (/"event":"(ready|error)"/.test(body)) {
          req.destroy();
          resolve(body);
        }
      });
    });
    req.on('error', reject);
    setTimeout(() => (req.destroy(), reject(new Error(`no ready/error event; got ${body}`))), 30_000);
  });
}

/** A busybox httpd serving /www (files written by `setup`) on `port`, as PID 1. */
export const httpdCmd = (setup: string, port = 8080) => `mkdir -p /www/cgi-bin && ${setup} && exec httpd -f -p ${port} -h /www`;

export { waitFor };
