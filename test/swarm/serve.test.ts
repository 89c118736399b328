/**
 * `berth serve` with swarm services as routes, on the real 3-node swarm: serve runs in node 1's network
 * namespace (where the nodes' addresses are), finds the stack's services by their berth.proxy.* labels,
 * scales an idle one to 0 and wakes it on a request, reaching its tasks at their host-mode published
 * ports. The oracle is the swarm's own word: `docker events` (each scale), `docker ps` on every node (the
 * tasks that answer), and the tasks' own log lines (the archive).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { allTaskContainers, berthSwarm, createService, dockerOn, follow, inNode, nodeFlags, removeService, routedService, serviceName, waitUntil } from '../helpers/swarm.js';

type Rec = Record<string, unknown>;
const __dirname = dirname(fileURLToPath(import.meta.url));
const made: string[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of made) await removeService(s);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Each task says it is up (a log line for the archive), then serves its own container id. */
const APP = 'echo "up $(hostname)"; echo "hello from $(hostname)" > /tmp/index.html; exec httpd -f -p 8080 -h /tmp';
const freePort = () => 20_000 + (randomBytes(2).readUInt16BE(0) % 9_000);

/** GETs through serve from inside node 1, `n` at once: [status, body] each. */
async function requests(port: number, host: string, n: number): Promise<Array<[number, string]>> {
  const script = `
    const http = require('node:http');
    const [port, host, n] = process.argv.slice(1);
    const one = () => new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/', headers: { host, accept: 'application/json' }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve([res.statusCode, body]));
      });
      req.on('error', (e) => resolve([0, e.message]));
    });
    Promise.all(Array.from({ length: Number(n) }, one)).then((r) => process.stdout.write(JSON.stringify(r)));`;
  const r = await inNode(1, 'node', ['-e', script, String(port), host, String(n)]);
  if (r.exitCode !== 0) throw new Error(`client failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Array<[number, string]>;
}

/** The manager's scale events of a service since a time (s): replica counts and when (ms). */
async function scales(svc: string, since: number): Promise<Array<{ from: string; to: string; at: number }>> {
  const { stdout } = await dockerOn(1, [
    'events',
    '--since',
    String(since),
    '--until',
    String(Math.ceil(Date.now() / 1000)),
    '--filter',
    'type=service',
    '--filter',
    `service=${svc}`,
    '--format',
    '{{json .}}',
  ]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { Action: string; timeNano: number; Actor: { Attributes: Record<string, string> } })
    .filter((e) => e.Action === 'update' && e.Actor.Attributes['replicas.new'] !== undefined)
    .map((e) => ({ from: e.Actor.Attributes['replicas.old']!, to: e.Actor.Attributes['replicas.new']!, at: e.timeNano / 1e6 }));
}

const ids = async (svc: string) => (await allTaskContainers(svc)).map(([, id]) => id.slice(0, 12)).sort();

describe('serve: swarm services as routes', () => {
  it('scales an idle service to 0 after its timeout, wakes it to its 3 replicas on a request (50 concurrent cold requests, one scale-up), answers from every task in turn; events, topology and the archive see it', async () => {
    const stack = `berth-sw-st${randomBytes(3).toString('hex')}`;
    const svc = serviceName('web');
    made.push(svc);
    const host = `${svc}.test`;
    const published = freePort();
    const listen = published + 1;
    await createService(svc, APP, {
      args: [
        ['--publish', `mode=host,target=8080,published=${published}`],
        // as docker stack deploy labels a stack's services and their tasks' containers
        ['--label', `com.docker.stack.namespace=${stack}`],
        ['--container-label', `com.docker.stack.namespace=${stack}`],
        ['--label', `berth.proxy.host=${host}`],
        ['--label', 'berth.proxy.port=8080'],
        ['--label', 'berth.idle.timeout=5s'],
      ].flat(),
    });
    const before = await waitUntil('3 tasks running, one per node', async () => ((await ids(svc)).length === 3 ? ids(svc) : undefined));
    const archive = await mkdtemp(join(tmpdir(), 'berth-sw-serve-'));
    dirs.push(archive);
    const since = Math.floor(Date.now() / 1000) - 1;
    const events = follow(['events', '--swarm', '--service', svc, '--json', ...nodeFlags()]);
    const topo = follow(['topology', '--stack', stack, '--json', '--interval', '1s', '--no-tcp', ...nodeFlags()]);
    const serve = follow(['serve', '--stack', stack, '--listen', `127.0.0.1:${listen}`, '--json', '--idle-interval', '1s', '--archive', archive, ...nodeFlags()], { netns: 1 });
    try {
      await waitUntil('serve listening', () => serve.records.some((r) => r.event === 'listening'), 30_000);
      expect(serve.records.find((r) => r.event === 'route')).toMatchObject({ container: svc, hosts: [host], port: 8080, state: 'ready' });

      // Awake: requests go to the tasks in turn, each answered by the app in that task. The manager may
      // report a task running a moment after its node does, and serve reads the task list again every 2 s:
      // requests go on until every task has answered (at most 40, over at most 20 s).
      const warm: Array<[number, string]> = [];
      const answered = new Set<string>();
      for (const t0 = Date.now(); answered.size < 3 && warm.length < 40 && Date.now() - t0 < 20_000;) {
        const [one] = await requests(listen, host, 1);
        warm.push(one!);
        answered.add(one![1].trim().replace('hello from ', ''));
        if (answered.size < 3) await new Promise((r) => setTimeout(r, 200));
      }
      const lastRequest = Date.now();
      expect(warm.filter(([s]) => s !== 200)).toEqual([]);
      expect([...answered].sort()).toEqual(before);

      // Idle for its 5 s timeout: scaled to 0 within one --idle-interval (1 s) of it.
      const slept = await waitUntil('serve to scale it to 0', () => serve.records.find((r) => r.type === 'idle' && r.to === 'napping' && r.action === 'stop'), 30_000);
      const down = (await scales(svc, since)).find((e) => e.to === '0');
      expect(down, JSON.stringify(slept)).toMatchObject({ from: '3', to: '0' });
      const after = down!.at - lastRequest;
      expect(after, `scaled to 0 ${after} ms after the last request`).toBeGreaterThanOrEqual(5000);
      expect(after, `scaled to 0 ${after} ms after the last request`).toBeLessThan(5000 + 1000 + 2000);
      await waitUntil('no task container left', async () => (await allTaskContainers(svc)).length === 0);

      // 50 concurrent cold requests: one scale-up, back to 3 replicas, one per node; every request answered by the app.
      const cold = await requests(listen, host, 50);
      expect(cold.filter(([s, b]) => s !== 200 || !b.startsWith('hello from '))).toEqual([]);
      const woke = await ids(svc);
      expect(woke).toHaveLength(3);
      expect((await allTaskContainers(svc)).map(([n]) => n).sort()).toEqual([1, 2, 3]);
      expect([...new Set(cold.map(([, b]) => b.trim().replace('hello from ', '')))].every((id) => woke.includes(id))).toBe(true);
      const all = await scales(svc, since);
      expect(all.map((e) => `${e.from}->${e.to}`)).toEqual(['3->0', '0->3']);

      // events --swarm printed the same two scales; topology saw the service's tasks go to 0 and back to 3.
      await waitUntil('events to print the wake', () => events.records.filter((r) => r.type === 'event' && r.action === 'update').length >= 2, 20_000);
      const printed = events.records
        .filter((r) => r.action === 'update' && (r.attributes as Record<string, string>)?.['replicas.new'] !== undefined)
        .map((r) => `${(r.attributes as Record<string, string>)['replicas.old']}->${(r.attributes as Record<string, string>)['replicas.new']}`);
      expect(printed).toEqual(['3->0', '0->3']);
      const seen = () => topo.records.map((r) => runningOf(r, svc)).join(',');
      await waitUntil('topology to show 3 running again', () => topo.records.some((r, i) => runningOf(r, svc) === 3 && topo.records.slice(0, i).some((p) => runningOf(p, svc) === 0)), 20_000).catch(
        (err: Error) => {
          throw new Error(`${err.message}; the service's running tasks by tick: ${seen()}`);
        },
      );
      const last = topo.records.at(-1)!;
      expect(hostsOf(last, svc)).toEqual(['berth-sw-n1', 'berth-sw-n2', 'berth-sw-n3']);
      expect(topo.records.reduce((n, r) => n + eventsOf(r, svc), 0)).toBeGreaterThan(0);

      // The archive kept the lines of the tasks scaled away: each said "up" once; logs --archive reads them back with the live ones.
      const logs = await berthSwarm(['logs', '--archive', archive, '--service', svc, '--json', ...nodeFlags()]);
      expect(logs.exitCode, logs.stderr).toBe(0);
      const ups = logs.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { msg: string }).msg)
        .filter((m) => m.startsWith('up '))
        .map((m) => m.slice(3))
        .sort();
      expect(ups).toEqual([...before, ...woke].sort());
    } finally {
      await Promise.all([serve.stop(), events.stop(), topo.stop()]);
    }
  });

  it('a service reached only through the routing mesh (no IPVS here) or not at all is answered at once with why, not after a timeout', async () => {
    const stack = `berth-sw-st${randomBytes(3).toString('hex')}`;
    const mesh = serviceName('mesh');
    const hidden = serviceName('hidden');
    made.push(mesh, hidden);
    const listen = freePort();
    const labels = (svc: string) => ['--label', `com.docker.stack.namespace=${stack}`, '--label', `berth.proxy.host=${svc}.test`, '--label', 'berth.proxy.port=8080'];
    await createService(mesh, APP, { replicas: 1, args: ['--endpoint-mode', 'vip', '--publish', `${freePort()}:8080`, ...labels(mesh)] });
    await createService(hidden, APP, { replicas: 1, args: labels(hidden) });
    await waitUntil('both tasks running', async () => (await allTaskContainers(mesh)).length === 1 && (await allTaskContainers(hidden)).length === 1);
    const serve = follow(['serve', '--stack', stack, '--listen', `127.0.0.1:${listen}`, '--json', ...nodeFlags()], { netns: 1 });
    try {
      await waitUntil('serve listening', () => serve.records.some((r) => r.event === 'listening'), 30_000);
      const t0 = Date.now();
      const [[meshStatus, meshBody]] = (await requests(listen, `${mesh}.test`, 1)) as [[number, string]];
      const [[hiddenStatus, hiddenBody]] = (await requests(listen, `${hidden}.test`, 1)) as [[number, string]];
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(meshStatus).toBe(502);
      expect(meshBody).toMatch(/routing mesh .*IPVS/);
      expect(hiddenStatus).toBe(502);
      expect(hiddenBody).toMatch(/not published in host mode, and this machine is not on its network \(berth-sw-ov\)/);
    } finally {
      await serve.stop();
    }
  });
});

/** BERTH_SWARM_CHAOS_SEED=N runs that seed; npm test runs the fixed one. */
const CHAOS_SEED = Number(process.env.BERTH_SWARM_CHAOS_SEED ?? 4242);

describe('serve: a swarm service under seeded chaos clients', () => {
  it(`clients that leave mid-wake (seed ${CHAOS_SEED}) do not pin it awake: one scale-up per wake, every kept request answered, asleep within its timeout of the last client`, async () => {
    const { svc, stack, host, listen } = await routedService('chaos', APP, { replicas: 2, labels: ['berth.idle.timeout=4s'] });
    made.push(svc);
    await waitUntil('2 tasks running', async () => (await ids(svc)).length === 2);
    const since = Math.floor(Date.now() / 1000) - 1;
    const serve = follow(['serve', '--stack', stack, '--listen', `127.0.0.1:${listen}`, '--json', '--idle-interval', '1s', ...nodeFlags()], { netns: 1 });
    const seed = `seed ${CHAOS_SEED} (rerun: BERTH_SWARM_CHAOS_SEED=${CHAOS_SEED})`;
    try {
      await waitUntil('serve to scale the untouched service to 0', () => serve.records.some((r) => r.type === 'idle' && r.to === 'napping'), 30_000);
      await waitUntil('no task container left', async () => (await allTaskContainers(svc)).length === 0);
      const run = await inNode(1, 'node', [join(__dirname, 'chaos-client.mjs'), String(listen), host, String(CHAOS_SEED), '40', '4000']);
      const lastClient = Date.now();
      expect(run.exitCode, `${seed}: ${run.stderr}`).toBe(0);
      const clients = JSON.parse(run.stdout) as Array<{ kind: string; status: number; body: string; done?: boolean }>;
      const full = clients.filter((c) => c.kind === 'full');
      expect(
        full.filter((c) => c.status !== 200 || !c.body.startsWith('hello from ')),
        seed,
      ).toEqual([]);
      // Asleep again within its timeout plus one interval (and slack for the swarm) of the last client.
      await waitUntil(`${seed}: serve to scale it to 0 after the clients left`, async () => (await scales(svc, since)).filter((e) => e.to === '0').length >= 2, 30_000);
      const down = (await scales(svc, since)).filter((e) => e.to === '0').at(-1)!;
      expect(down.at - lastClient, seed).toBeLessThan(4000 + 1000 + 3000);
      const all = await scales(svc, since);
      const wakes = serve.records.filter((r) => r.type === 'idle' && r.from === 'napping' && r.to === 'starting').length;
      expect(all.map((e) => `${e.from}->${e.to}`).slice(1), seed).toEqual(Array.from({ length: wakes }, () => ['0->2', '2->0']).flat());
      expect(serve.child.exitCode, seed).toBeNull();
    } finally {
      await serve.stop();
    }
  });
});

type Node = { id: string; running: number; hosts?: string[]; events: number };
const nodeOf = (r: Rec, svc: string) => (r.nodes as Node[] | undefined)?.find((n) => n.id === svc || n.id.endsWith(svc));
const runningOf = (r: Rec, svc: string) => nodeOf(r, svc)?.running;
const hostsOf = (r: Rec, svc: string) => nodeOf(r, svc)?.hosts;
const eventsOf = (r: Rec, svc: string) => nodeOf(r, svc)?.events ?? 0;
