/**
 * A compose project that is stopped (put to sleep) is still a selection: `logs --project` and
 * `templates --project` read its stopped containers' logs as `docker-compose logs` does, `--filter`
 * selections too (a `status=running` filter leaves them out, as docker ps does), and `logs -f` follows
 * them when they start again. The stack is made with docker-compose v1, as its users make theirs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, BERTH_BIN, testLabels, uniqueName, waitFor } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';

const project = uniqueName('compose');
const dir = mkdtempSync(join(tmpdir(), 'berth-compose-'));
const file = join(dir, 'docker-compose.yml');
const compose = (...args: string[]) => execa('docker-compose', ['-p', project, '-f', file, ...args], { timeout: 120_000 });

// Two services that write interleaved lines on stdout and stderr, then wait; one that writes and exits.
// Each writes for about 4 s, so the two overlap however far apart compose starts them (at 10 ms a line
// they wrote for under a second, and a slow start left 3 changes of container in a CI run).
const loop = (tag: string, n: number) => `i=0; while [ $$i -lt ${n} ]; do i=$$((i+1)); echo "${tag} request $$i served"; echo "${tag} warn $$i" >&2; sleep ${(4 / n).toFixed(2)}; done; sleep 3600`;
const service = (cmd: string) => ({ image: 'berth-test/busybox', command: ['sh', '-c', cmd], labels: testLabels(), stop_signal: 'SIGKILL' });
const spec = {
  version: '2.4',
  services: {
    web: service(loop('web', 40)),
    app: service(loop('app', 25)),
    job: service('echo "job started"; echo "job done"'),
  },
};
const LINES = 40 * 2 + 25 * 2 + 2;

interface Rec {
  type: string;
  ts: string;
  name: string;
  project?: string;
  msg: string;
  count?: number;
}

/** docker-compose logs as [container, line] pairs, its "name | " prefix taken apart. */
async function composeLogs(): Promise<Array<[string, string]>> {
  const r = await compose('logs', '--no-color');
  return r.stdout
    .split('\n')
    .filter((l) => l.includes(' | '))
    .map((l) => {
      const at = l.indexOf(' | ');
      return [l.slice(0, at).trim(), l.slice(at + 3)];
    });
}

/** docker-compose v1 names a container in its logs without the project: web_1. */
const short = (name: string) => name.slice(project.length + 1);

const byContainer = (pairs: Array<[string, string]>) => {
  const m = new Map<string, string[]>();
  for (const [name, msg] of pairs) m.set(name, [...(m.get(name) ?? []), msg]);
  // Each container's lines as a multiset: docker-compose prints them in log-file order, berth in time order,
  // and a container's stdout and stderr lines can be microseconds apart the other way round.
  return Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.sort()]));
};

const json = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);

const count = async (name: string) => (await execa('docker', ['logs', name], { all: true })).all!.split('\n').filter(Boolean).length;

beforeAll(async () => {
  writeFileSync(file, JSON.stringify(spec)); // JSON is YAML
  await compose('up', '-d');
  const names = ['web', 'app', 'job'].map((s) => `${project}_${s}_1`);
  await waitFor(async () => (await Promise.all(names.map(count))).reduce((a, b) => a + b, 0) === LINES, 30_000);
  await compose('stop', '-t', '0');
}, 150_000);

afterAll(async () => {
  await compose('down', '-t', '0').catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('selections include stopped containers where docker-compose does', () => {
  it('logs --project of a stopped project prints what docker-compose logs prints, line for line, in time order', async () => {
    const theirs = await composeLogs();
    expect(theirs).toHaveLength(LINES);
    const r = await berth(['logs', '--project', project, '--json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const ours = json(r.stdout).filter((x) => x.type === 'log');
    expect(byContainer(ours.map((x) => [short(x.name), x.msg]))).toEqual(byContainer(theirs));
    // Merged in time order: where the output passes from one container to another, time never goes back (a
    // container's own lines keep the engine's order, stdout and stderr microseconds apart either way).
    const backwards = ours.filter((x, i) => i > 0 && x.name !== ours[i - 1]!.name && x.ts < ours[i - 1]!.ts);
    expect(backwards).toEqual([]);
    expect(ours.filter((x, i) => i > 0 && x.name !== ours[i - 1]!.name).length).toBeGreaterThan(10); // really interleaved
    const raw = await berth(['logs', '--project', project, '--format', 'raw']);
    expect(raw.exitCode).toBe(0);
    // raw writes what the containers wrote on stderr to its stderr, as docker logs does
    expect([...raw.stdout.split('\n'), ...raw.stderr.split('\n')].sort()).toEqual(theirs.map(([, msg]) => msg).sort());
    expect(raw.stderr.split('\n').every((l) => / warn \d+$/.test(l))).toBe(true);
  });

  it('templates --project of a stopped project counts every line docker-compose logs prints', async () => {
    const r = await berth(['templates', '--project', project, '--json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const templates = json(r.stdout).filter((x) => x.type === 'template');
    expect(templates.reduce((n, t) => n + t.count!, 0)).toBe(LINES);
  });

  it('a --filter selection takes stopped containers, and status=running leaves them out', async () => {
    const label = `com.docker.compose.project=${project}`;
    const all = await berth(['logs', '--filter', `label=${label}`, '--json']);
    expect(all.exitCode).toBe(0);
    expect(json(all.stdout)).toHaveLength(LINES);
    const runningOnly = await berth(['logs', '--filter', `label=${label}`, '--filter', 'status=running', '--json']);
    expect(runningOnly.exitCode).toBe(0);
    expect(runningOnly.stdout).toBe('');
    expect(runningOnly.stderr).toBe('berth: no containers match the selection');
  });

  it('stats --project shows the stopped containers as stopped: a record without numbers, a row that says so', async () => {
    const names = ['app', 'job', 'web'].map((sv) => `${project}_${sv}_1`);
    const once = await berth(['stats', '--project', project, '--no-stream', '--json']);
    expect(once.stderr).toBe('');
    expect(once.exitCode).toBe(0);
    const recs = json(once.stdout) as unknown as Array<Record<string, unknown>>;
    expect(recs.map((r) => r.name).sort()).toEqual(names);
    for (const r of recs) expect(Object.keys(r).sort()).toEqual(['id', 'name', 'project', 'service', 'stopped', 'ts', 'type']);
    expect(recs.every((r) => r.stopped === true && r.project === project)).toBe(true);
    const table = await berth(['stats', '--project', project, '--no-stream', '--format', 'table']);
    expect(table.exitCode).toBe(0);
    const rows = table.stdout.trim().split('\n').slice(1);
    expect(rows.map((r) => r.split(/\s+/).slice(0, 3))).toEqual(names.map((n) => [n, 'stopped', '--']));
    // Streaming: each is said once as stopped.
    const child = execa('node', [BERTH_BIN, 'stats', '--project', project, '--json'], { reject: false });
    const out = new LineCollector(child.stdout!);
    try {
      await out.until((ls) => ls.length >= 3, 20_000);
      expect(
        out
          .json<{ name: string; stopped?: boolean }>()
          .map((r) => [r.name, r.stopped])
          .sort(),
      ).toEqual(names.map((n) => [n, true]));
    } finally {
      child.kill('SIGINT');
      await child;
    }
  });

  it('topology --project maps the stopped containers as stopped nodes', async () => {
    const r = await berth(['topology', '--project', project, '--json', '--ticks', '1', '--interval', '1s', '--no-stdin']);
    expect(r.exitCode).toBe(0);
    const snap = json(r.stdout)[0] as unknown as { nodes: Array<{ id: string; running: number }> };
    expect(snap.nodes.map((n) => [n.id, n.running])).toEqual([
      ['app', 0],
      ['job', 0],
      ['web', 0],
    ]);
    const table = await berth(['topology', '--project', project, '--format', 'table', '--ticks', '1', '--interval', '1s', '--no-stdin']);
    expect(table.stdout.match(/stopped/g)).toHaveLength(3);
  });

  it('logs -f --project prints the stopped containers, then follows them when they start', async () => {
    const child = execa('node', [BERTH_BIN, 'logs', '--follow', '--json', '--project', project], { reject: false });
    const out = new LineCollector(child.stdout!);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    try {
      await out.until((ls) => ls.length >= LINES, 30_000);
      await compose('start');
      await out.until((ls) => ls.length >= 2 * LINES, 30_000); // every container's second life, the job's too
      const theirs = await composeLogs();
      expect(theirs).toHaveLength(2 * LINES);
      await compose('stop', '-t', '0');
      child.kill('SIGINT');
      expect((await child).exitCode).toBe(130);
      expect(stderr).toBe('');
      const ours = out.json<Rec>().filter((x) => x.type === 'log');
      expect(byContainer(ours.map((x) => [short(x.name), x.msg]))).toEqual(byContainer(theirs));
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);

  it('topology counts the log lines of a stopped project that starts while it watches, not those of its earlier life', async () => {
    const child = execa('node', [BERTH_BIN, 'topology', '--project', project, '--json', '--interval', '1s', '--no-stdin', '--no-tcp'], { reject: false });
    const out = new LineCollector(child.stdout!);
    // The job's two lines are left out: it exits before topology inspects it, and only running members are followed.
    const LONG = 40 * 2 + 25 * 2;
    const counted = () => out.json<{ nodes: Array<{ id: string; logs: number }> }>().reduce((n, s) => n + s.nodes.reduce((m, x) => m + (x.id === 'job' ? 0 : x.logs), 0), 0);
    try {
      await out.until((ls) => ls.length >= 1, 20_000); // watching
      await compose('start');
      await out.until(() => counted() >= LONG, 30_000);
      const seen = out.lines.length;
      await out.until((ls) => ls.length >= seen + 2, 20_000); // two more snapshots: anything more would be in them
      child.kill('SIGINT');
      await child;
      expect(counted()).toBe(LONG);
    } finally {
      child.kill('SIGKILL');
      await compose('stop', '-t', '0');
    }
  }, 120_000);
});
