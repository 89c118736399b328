/** Shared by the idle integration tests: a watch-idle child on named containers, and container helpers. */
import { execa } from 'execa';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BERTH_BIN, berth, docker, runContainer, uniqueName, waitFor, type RunOptions } from '../helpers/docker.js';
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
  /** Waits for a record of name after the first `from` records. */
  const nextRec = async (name: string, from: number, pred: (r: IdleRec) => boolean, timeoutMs = 20_000) =>
    out
      .until(
        () =>
          recs()
            .slice(from)
            .some((r) => r.container === name && pred(r)),
        timeoutMs,
      )
      .catch((err: Error) => {
        throw new Error(`${err.message}\nwatch-idle's stderr:\n${stderr.join('')}`);
      });
  /**
   * Returns once a whole round of watch-idle began and ended after the call: starts the stopped
   * `marker` (a round sees it awake: its record) and kills it (a later round sees it asleep: its
   * record). The round that saw the start had ended by then, so every container it watches was judged
   * after the call. The marker must be stopped and watched (roundMarker).
   */
  const fullRound = async (marker: string) => {
    let from = recs().length;
    await docker.getContainer(marker).start();
    await nextRec(marker, from, (r) => r.to === 'ready');
    from = recs().length;
    await docker.getContainer(marker).kill();
    await nextRec(marker, from, (r) => r.to === 'napping');
  };
  const stop = async () => {
    child.kill('SIGINT');
    const res = await child;
    if (res.exitCode !== 130) console.error(`watch-idle exited ${res.exitCode}; stderr:\n${stderr.join('')}`);
    return res;
  };
  return { child, out, recs, find, waitRec, fullRound, stop, stderr };
}

/** A stopped container that marks watch-idle's rounds (fullRound); its 1 h timeout keeps berth's own stops off it. */
export const roundMarker = (made: string[]) => start(made, 'round', { cmd: 'exec sleep 600', labels: { 'berth.idle.timeout': '1h' }, start: false });

/**
 * Waits until `watch-idle --once --dry-run`, run on a copy of the state file at `statePath`, would stop
 * every one of `names`: the idle time a --once run needs has passed, by berth's own judgement. `args`
 * are the real run's arguments (with `--state statePath`); the real state file is left as it was.
 */
export async function waitWouldStop(args: string[], statePath: string, names: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<void> {
  const copy = join(mkdtempSync(join(tmpdir(), 'berth-dry-')), 'state.json');
  const dry = [...args.filter((a) => a !== '--json').map((a) => (a === statePath ? copy : a)), '--dry-run', '--json'];
  await waitFor(
    async () => {
      copyFileSync(statePath, copy);
      const res = await berth(dry, { env });
      const would = res.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as IdleRec);
      return names.every((n) => would.some((r) => r.container === n && r.action === 'would_stop'));
    },
    timeoutMs,
    250,
  );
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
