import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { berth, BERTH_BIN, docker, removeContainer, runContainer, testLabels, uniqueName } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import type { TopologyRecord } from '../../src/core/records.js';

// A two-service compose-style project on its own network: `client` opens a TCP
// connection to `server` every 0.2 s (and logs a WARN line each time) until
// /stop-loop exists; `server` accepts them with nc.
const project = uniqueName('topo').replace(/-/g, '');
const network = `${project}-net`;
const made: string[] = [];
const compose = (service: string, extra: Record<string, string> = {}) => ({
  'com.docker.compose.project': project,
  'com.docker.compose.service': service,
  ...extra,
});

beforeAll(async () => {
  await docker.createNetwork({ Name: network, Labels: testLabels() });
  const net = { NetworkMode: network };
  const server = await runContainer({ name: `${project}-server-1`, labels: compose('server'), host: net, cmd: 'while :; do nc -l -p 7000 </dev/null >/dev/null; done' });
  made.push(server.id);
  const loop = `i=0; while [ ! -f /stop-loop ]; do i=$((i+1)); nc ${project}-server-1 7000 </dev/null >/dev/null 2>&1; echo "WARN connect $i"; sleep 0.2; done; exec sleep 3600`;
  const client = await runContainer({ name: `${project}-client-1`, labels: compose('client', { 'com.docker.compose.depends_on': 'server:service_started:false' }), host: net, cmd: loop });
  made.push(client.id);
});

afterAll(async () => {
  await Promise.all(made.map(removeContainer));
  await docker
    .getNetwork(network)
    .remove()
    .catch(() => {});
});

const edgeOf = (s: TopologyRecord, from: string, to: string) => s.edges.find((e) => e.from === from && e.to === to);
const nodeOf = (s: TopologyRecord, id: string) => s.nodes.find((n) => n.id === id)!;
const allZero = (s: TopologyRecord) => s.edges.every((e) => e.count === 0) && s.nodes.every((n) => n.events + n.logs + n.input === 0);

describe('berth topology on a real engine', () => {
  it('counts new TCP connections and log lines on the project, stdin records too; zeros once the loop stops', async () => {
    const child = execa('node', [BERTH_BIN, 'topology', '--project', project, '--interval', '1s', '--json'], { reject: false });
    const out = new LineCollector(child.stdout!);
    const stderr: string[] = [];
    child.stderr!.on('data', (d) => stderr.push(String(d)));
    const snaps = () => out.json<TopologyRecord>();
    // TCP connections are read from /proc/<pid>/net of the containers: only where the engine's processes are
    // visible (the same pid namespace). Elsewhere (this suite under `unshare -p`) berth must say so and count none.
    const clientPid = (await docker.getContainer(`${project}-client-1`).inspect()).State.Pid;
    const seesEngine = existsSync(`/proc/${clientPid}`);

    await out.until(() => snaps().some((s) => (!seesEngine || (edgeOf(s, 'client', 'server')?.connections ?? 0) >= 2) && nodeOf(s, 'client').warn >= 2), 30_000);
    child.stdin!.write('{"edge":"client->server","count":3}\nnot json\n{"node":"batch"}\n');
    await out.until(() => snaps().some((s) => edgeOf(s, 'client', 'server')?.input === 3), 15_000);

    await docker
      .getContainer(`${project}-client-1`)
      .exec({ Cmd: ['sh', '-c', 'echo stop > /stop-loop'] })
      .then((e) => e.start({}));
    const stopAt = snaps().length;
    await out.until(() => snaps().slice(stopAt).filter(allZero).length >= 2, 30_000);
    child.kill('SIGINT');
    const res = await child;
    expect(res.exitCode).toBe(130);

    const all = snaps();
    for (const s of all) {
      // stable shape: the same nodes and edges every tick (stdin's `batch` node joins once and stays)
      expect(s).toMatchObject({ type: 'topology', engineUp: true, project, by: 'service', sources: { events: true, logs: true, stdin: true, serve: false } });
      if (seesEngine) expect(s.sources.tcp).toBe(true);
      expect(s.nodes.map((n) => n.id).filter((id) => id !== 'batch')).toEqual(['client', 'server']);
      expect(edgeOf(s, 'client', 'server')).toMatchObject({ kind: 'depends_on' });
    }
    expect(all.map((s) => s.tick)).toEqual(all.map((_, i) => i + 1));
    const busy = all.find((s) => (!seesEngine || (edgeOf(s, 'client', 'server')?.connections ?? 0) >= 2) && nodeOf(s, 'client').warn >= 2)!;
    // every log line of the client is a WARN line, and each loop makes one connection and one line
    expect(nodeOf(busy, 'client').warn).toBe(nodeOf(busy, 'client').logs);
    expect(nodeOf(busy, 'server').logs).toBe(0);
    if (!seesEngine) {
      // not a false zero: the source said why it is off, and the snapshots say so from then on
      expect(all.at(-1)!.sources.tcp).toBe(false);
      expect(all.every((s) => edgeOf(s, 'client', 'server')!.connections === 0)).toBe(true);
    }
    const withInput = all.find((s) => edgeOf(s, 'client', 'server')!.input === 3)!;
    expect(edgeOf(withInput, 'client', 'server')!.count).toBe(edgeOf(withInput, 'client', 'server')!.connections + 3);
    expect(all.filter((s) => edgeOf(s, 'client', 'server')!.input > 0)).toHaveLength(1);
    expect(all.filter((s) => s.nodes.some((n) => n.id === 'batch' && n.input === 1))).toHaveLength(1);
    const said = stderr.join('').split('\n').filter(Boolean);
    expect(said.filter((l) => !l.startsWith('berth: TCP connections are not counted: the process of '))).toEqual(['berth: stdin line 2: expected a JSON record like {"edge":"a->b"}; skipped']);
    expect(said.length).toBe(seesEngine ? 1 : 2);
    const idle = all.slice(stopAt).filter(allZero).at(-1)!;
    expect(idle.edges.map((e) => e.count)).toEqual(idle.edges.map(() => 0));
  }, 90_000);

  it('picks up a service that starts while it watches, with its engine events', async () => {
    const child = execa('node', [BERTH_BIN, 'topology', '--project', project, '--interval', '1s', '--json', '--no-stdin'], { reject: false });
    const out = new LineCollector(child.stdout!);
    await out.until((ls) => ls.length >= 1, 30_000);
    const worker = await runContainer({ name: `${project}-worker-1`, labels: compose('worker', { 'berth.depends_on': 'server' }), host: { NetworkMode: network }, cmd: 'exec sleep 3600' });
    made.push(worker.id);
    await out.until(() => out.json<TopologyRecord>().some((s) => s.nodes.some((n) => n.id === 'worker' && n.running === 1)), 30_000);
    await out.until(() => out.json<TopologyRecord>().filter((s) => s.nodes.some((n) => n.id === 'worker')).length >= 2, 30_000);
    child.kill('SIGINT');
    await child;
    const snaps = out.json<TopologyRecord>();
    const withWorker = snaps.filter((s) => s.nodes.some((n) => n.id === 'worker'));
    const events = withWorker.reduce((sum, s) => sum + nodeOf(s, 'worker').events, 0);
    expect(events).toBeGreaterThanOrEqual(1); // create/attach/start, counted in whichever tick saw them
    expect(withWorker.at(-1)!.edges.map((e) => `${e.from}->${e.to}:${e.kind}`)).toContain('worker->server:depends_on');
    await removeContainer(worker);
  }, 90_000);

  it('--ticks stops after that many snapshots; a closed pipe exits 0 quietly', async () => {
    const res = await berth(['topology', '--project', project, '--interval', '200ms', '--ticks', '3', '--no-stdin']);
    expect(res.exitCode).toBe(0);
    expect(
      res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).tick),
    ).toEqual([1, 2, 3]);
    const piped = await execa('bash', ['-o', 'pipefail', '-c', `node ${BERTH_BIN} topology --project ${project} --interval 200ms </dev/null | head -1`], { reject: false, timeout: 30_000 });
    expect(piped.exitCode).toBe(0);
    expect(piped.stderr).toBe('');
    expect(JSON.parse(piped.stdout).type).toBe('topology');
  });

  it('--by container: one node per container, depends_on pointing at the containers of the service', async () => {
    const res = await berth(['topology', '--project', project, '--by', 'container', '--interval', '300ms', '--ticks', '1', '--no-stdin']);
    expect(res.exitCode).toBe(0);
    const s = JSON.parse(res.stdout) as TopologyRecord;
    expect(s.by).toBe('container');
    expect(s.nodes.map((n) => [n.id, n.kind])).toContainEqual([`${project}-client-1`, 'container']);
    expect(s.nodes.map((n) => n.id)).toContain(`${project}-server-1`);
    expect(s.edges.find((e) => e.from === `${project}-client-1` && e.to === `${project}-server-1`)?.kind).toBe('depends_on');
  });

  it('a named container that does not exist: one line, exit 4', async () => {
    const res = await berth(['topology', `${project}-nosuch`, '--ticks', '1', '--no-stdin']);
    expect(res.exitCode).toBe(4);
    expect(res.stderr.split('\n')[0]).toBe(`berth: no such container: ${project}-nosuch`);
  });

  it('says so when nothing matches yet, and still writes snapshots', async () => {
    const res = await berth(['topology', '--project', `${project}-none`, '--interval', '200ms', '--ticks', '2', '--no-stdin']);
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toBe(`berth: no containers match project ${project}-none yet; the map fills in as they appear`);
    expect(
      res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).nodes),
    ).toEqual([[], []]);
  });

  it.each([
    [['--interval', '0s'], /^berth: --interval: expected at least 100ms \(got: "0s"\)$/],
    [['--interval', 'soon'], /^berth: --interval: expected a duration/],
    [['--ticks', '0'], /^berth: --ticks: expected a number >= 1 \(got: 0\)$/],
    [['--by', 'host'], /--by.*host/],
  ])('rejects %j naming the flag (exit 2)', async (args, message) => {
    const res = await berth(['topology', '--project', project, ...args]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr.trim().split('\n')[0]).toMatch(message);
  });
});
