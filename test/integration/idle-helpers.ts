/** Shared by the idle integration tests: a watch-idle child on named containers, and container helpers. */
import { execa } from 'execa';
import { BERTH_BIN, docker, runContainer, uniqueName, type RunOptions } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';

export interface IdleRec {
  type: string;
  container: string;
  from: string;
  to: string;
  reason: string;
  action?: string;
}

export function watchIdle(names: string[], extra: string[] = [], env: Record<string, string> = {}) {
  const child = execa('node', [BERTH_BIN, 'watch-idle', '--json', '--interval', '1s', ...extra, ...names], { reject: false, env });
  const out = new LineCollector(child.stdout!);
  const stderr: string[] = [];
  child.stderr!.on('data', (d) => stderr.push(String(d)));
  const recs = () => out.lines.map((l) => ({ ...(JSON.parse(l.line) as IdleRec), at: l.at }));
  const find = (name: string, pred: (r: IdleRec) => boolean) => recs().find((r) => r.container === name && pred(r));
  const waitRec = async (name: string, pred: (r: IdleRec) => boolean, timeoutMs = 20_000) => {
    await out
      .until(() => !!find(name, pred), timeoutMs)
      .catch((err: Error) => {
        throw new Error(`${err.message}\nwatch-idle's stderr:\n${stderr.join('')}`);
      });
    return find(name, pred)!;
  };
  const stop = async () => {
    child.kill('SIGINT');
    const res = await child;
    if (res.exitCode !== 130) console.error(`watch-idle exited ${res.exitCode}; stderr:\n${stderr.join('')}`);
    return res;
  };
  return { child, out, recs, find, waitRec, stop, stderr };
}

/** Starts a labelled container and records its name for removal. */
export async function start(made: string[], prefix: string, o: Omit<RunOptions, 'name'> & { name?: string }): Promise<string> {
  const name = o.name ?? uniqueName(prefix);
  made.push(name);
  await runContainer({ ...o, name });
  return name;
}

export async function ipOf(name: string): Promise<string> {
  const info = await docker.getContainer(name).inspect();
  const nets = Object.values(info.NetworkSettings.Networks ?? {});
  return nets.find((n) => n.IPAddress)?.IPAddress ?? info.NetworkSettings.IPAddress;
}

export const state = async (name: string) => (await docker.getContainer(name).inspect()).State;

export const HTTPD = 'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www';
