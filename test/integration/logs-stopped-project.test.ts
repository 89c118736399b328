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
const loop = (tag: string, n: number) => `i=0; while [ $$i -lt ${n} ]; do i=$$((i+1)); echo "${tag} request $$i served"; echo "${tag} warn $$i" >&2; sleep 0.01; done; sleep 3600`;
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
    expect(ours.map((x) => x.ts)).toEqual(ours.map((x) => x.ts).sort());
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
});
