/**
 * Every connection counted, exactly, against the client's own count: plain
 * connections to a server re-made per connection (refused ones must not
 * count), and the TLS sessions a real psycopg2 app opens to Debian's Postgres,
 * which end with a reset and leave no TIME_WAIT entry for a socket-table poll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { BERTH_BIN, docker, removeContainer, runContainer, testLabels, uniqueName, waitFor } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import { RealStack } from '../helpers/real-stack.js';
import type { TopologyRecord } from '../../src/core/records.js';

const project = uniqueName('conn').replace(/-/g, '');
const network = `${project}-net`;
const made: string[] = [];
const stack = new RealStack();

const compose = (p: string, service: string) => ({ 'com.docker.compose.project': p, 'com.docker.compose.service': service });

interface Watch {
  child: ResultPromise;
  out: LineCollector;
  stderr: () => string;
}

/** `berth topology --json` of a project, once its TCP source counts. */
async function watch(p: string, extra: string[] = []): Promise<Watch> {
  const child = execa('node', [BERTH_BIN, 'topology', '--project', p, '--interval', '500ms', '--json', '--no-logs', '--no-stdin', ...extra], { reject: false });
  const out = new LineCollector(child.stdout!);
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  // Counting from the snapshot that names the source in use (conntrack: once the tool listens).
  await out.until((ls) => ls.some((l) => /"tcpFrom":"(conntrack|proc)"/.test(l.line)), 60_000);
  return { child, out, stderr: () => err };
}

const total = (w: Watch, from: string, to: string) => w.out.json<TopologyRecord>().reduce((n, s) => n + (s.edges.find((e) => e.from === from && e.to === to)?.connections ?? 0), 0);

beforeAll(async () => {
  await docker.createNetwork({ Name: network, Labels: testLabels() });
  const server = await runContainer({ name: `${project}-server-1`, labels: compose(project, 'server'), host: { NetworkMode: network }, cmd: 'while :; do nc -l -p 7000 -e true; done' });
  made.push(server.id);
  await stack.up();
}, 600_000);

afterAll(async () => {
  await Promise.all(made.map(removeContainer));
  await docker
    .getNetwork(network)
    .remove()
    .catch(() => {});
  await stack.down();
});

describe('topology counts every TCP connection', () => {
  it('counts each accepted connection to a server re-made per connection, and no refused one', async () => {
    const w = await watch(project);
    expect(w.out.json<TopologyRecord>().at(-1)!.sources.tcpFrom).toBe('conntrack');
    expect(w.stderr()).toBe(''); // the working source is named in the records, not on stderr
    // The client says which of its connections the server accepted (busybox nc exits 0 then, 1 when refused).
    const loop = `ok=0; for i in $(seq 1 40); do if echo ping | nc -w 1 ${project}-server-1 7000 >/dev/null 2>&1; then ok=$((ok+1)); fi; sleep 0.1; done; echo "accepted $ok"`;
    const client = uniqueName('connclient');
    const c = await runContainer({ name: client, labels: compose(project, 'client'), host: { NetworkMode: network }, cmd: loop });
    made.push(c.id);
    await waitFor(async () => !(await c.inspect()).State.Running, 120_000, 250);
    const { stdout } = await execa('docker', ['logs', client]);
    const accepted = Number(/accepted (\d+)/.exec(stdout)?.[1]);
    expect(accepted).toBeGreaterThan(0);
    await waitFor(() => total(w, 'client', 'server') >= accepted, 15_000).catch(() => undefined);
    // Later snapshots must not add any: count a few more ticks.
    const n = w.out.lines.length;
    await w.out.until((ls) => ls.length >= n + 3, 15_000);
    w.child.kill('SIGINT');
    await w.child;
    expect(total(w, 'client', 'server')).toBe(accepted);
  }, 180_000);

  it('counts every TLS session of a real psycopg2 app to Postgres, each ending in a reset, and every request to the app', async () => {
    const w = await watch(stack.project);
    const N = 30;
    // nginx's container asks the app N times; each page is one TLS session app -> db and one connection app -> cache.
    const r = await execa('docker', ['exec', stack.name('web'), 'sh', '-c', `for i in $(seq 1 ${N}); do curl -fsS -o /dev/null http://app:8000/ || echo fail; done`], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('fail');
    await waitFor(() => total(w, 'app', 'db') >= N && total(w, 'web', 'app') >= N && total(w, 'app', 'cache') >= N, 20_000).catch(() => undefined);
    const n = w.out.lines.length;
    await w.out.until((ls) => ls.length >= n + 3, 15_000);
    w.child.kill('SIGINT');
    await w.child;
    expect({ appDb: total(w, 'app', 'db'), webApp: total(w, 'web', 'app'), appCache: total(w, 'app', 'cache') }).toEqual({ appDb: N, webApp: N, appCache: N });
    const last = w.out.json<TopologyRecord>().at(-1)!;
    expect(last.sources).toMatchObject({ tcp: true, tcpFrom: 'conntrack' });
  }, 240_000);

  it('says which source counts, and the /proc poller is still there when asked for', async () => {
    const w = await watch(project, ['--tcp-source', 'proc']);
    expect(w.stderr()).toMatch(/conntrack is not used \(asked for with --tcp-source proc\); polling \/proc/);
    await w.out.until((ls) => ls.length >= 2, 15_000);
    w.child.kill('SIGINT');
    await w.child;
    expect(w.out.json<TopologyRecord>().at(-1)!.sources).toMatchObject({ tcp: true, tcpFrom: 'proc' });
  }, 120_000);
});
