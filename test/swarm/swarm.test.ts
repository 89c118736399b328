/**
 * berth on a real 3-node swarm (scripts/test-swarm.sh): --service/--stack selection with node engines
 * reached by --node (the manager's node through the manager), the manager-only fallback, stats beside
 * docker stats on each node, and events --swarm. Docker itself is the oracle: `docker logs`, `docker
 * stats` and `docker events` run on each node.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  allTaskContainers,
  berthSwarm,
  createService,
  dockerLogs,
  dockerOn,
  follow,
  hostname,
  hostOf,
  nodeFlags,
  nodeScript,
  NODES,
  removeService,
  serviceName,
  waitUntil,
  type NodeNo,
} from '../helpers/swarm.js';
import { eventsLiveOnEveryNode } from './events-live.js';

type Rec = Record<string, unknown>;
const made: string[] = [];
afterAll(async () => {
  for (const s of made) await removeService(s);
});

async function service(what: string, script: string, args: string[] = []): Promise<string> {
  const name = serviceName(what);
  made.push(name);
  await createService(name, script, { args });
  return name;
}

const parse = (stdout: string): Rec[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);

/** The oracle: every task container's `docker logs` on its node, as `ts msg` keyed by container id. */
async function oracleLines(svc: string): Promise<Map<string, Array<[string, string]>>> {
  const out = new Map<string, Array<[string, string]>>();
  for (const [n, id] of await allTaskContainers(svc, true)) out.set(id, await dockerLogs(n, id));
  return out;
}

const COUNTED = (n: number) => `i=0; while [ $i -lt ${n} ]; do echo "line $i of $(hostname)"; i=$((i+1)); sleep 0.02; done; sleep 3600`;

async function threeTasksWith(svc: string, lines: number): Promise<void> {
  await waitUntil(`3 tasks of ${svc} with ${lines} lines each`, async () => {
    const tasks = await allTaskContainers(svc);
    if (new Set(tasks.map(([n]) => n)).size !== 3) return false;
    for (const [n, id] of tasks) if ((await dockerLogs(n, id)).length < lines) return false;
    return true;
  });
}

describe('swarm: selection, nodes and errors', () => {
  it('a worker is refused (exit 2), an unknown service is not found (exit 4), --node is checked', async () => {
    const svc = await service('sel', 'sleep 3600');
    const w = await berthSwarm(['stats', '--no-stream', '--service', svc, '-H', hostOf(2)]);
    expect(w.exitCode).toBe(2);
    expect(w.stderr).toContain('is a swarm worker, not a manager');
    const none = await berthSwarm(['logs', '--service', `${svc}-nope`]);
    expect(none.exitCode).toBe(4);
    expect(none.stderr).toContain(`no such service: ${svc}-nope`);
    const bad = await berthSwarm(['logs', '--service', svc, '--node', 'nonsense']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--node: expected NAME=ENGINE');
    const unknown = await berthSwarm(['logs', '--service', svc, '--node', `berth-sw-n9=${hostOf(2)}`]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('the swarm has no node "berth-sw-n9" (its nodes: berth-sw-n1, berth-sw-n2, berth-sw-n3)');
    const wrong = await berthSwarm(['logs', '--service', svc, '--node', `${hostname(2)}=${hostOf(3)}`]);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/that engine is swarm node \w+, not node berth-sw-n2/);
    const alone = await berthSwarm(['logs', '--node', `${hostname(2)}=${hostOf(2)}`]);
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toContain('--node says how to reach a swarm node');
    const mixed = await berthSwarm(['logs', '--service', svc, 'web']);
    expect(mixed.exitCode).toBe(2);
    expect(mixed.stderr).toContain('container names cannot be given with them');
  });
});

describe('swarm: reaching the nodes', () => {
  it('a docker context named like a node reaches it, with no --node; an engine that is another node is refused', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { execa } = await import('execa');
    const config = mkdtempSync(join(tmpdir(), 'berth-contexts-'));
    await execa('docker', ['--config', config, 'context', 'create', hostname(2), '--docker', `host=${hostOf(2)}`]);
    const svc = await service('ctx', COUNTED(5));
    await threeTasksWith(svc, 5);
    const res = await berthSwarm(['logs', '--service', svc, '--json'], { env: { DOCKER_CONFIG: config } });
    expect(res.exitCode).toBe(0);
    // Node 2 through its context; node 3 has none (said once); node 1 through the manager.
    expect(res.stderr.trim()).toBe(
      `berth: no engine for node ${hostname(3)} (give --node NAME=ENGINE or a docker context named like the node): their tasks' logs come from the manager, in time order only within the reorder window; their tasks have no stats and their containers' events are not seen`,
    );
    const recs = parse(res.stdout);
    expect(new Set(recs.map((r) => r.node))).toEqual(new Set(NODES.map(hostname)));
    // The stats of node 2's task are read, so it came from node 2's own engine.
    const stats = parse((await berthSwarm(['stats', '--no-stream', '--json', '--service', svc], { env: { DOCKER_CONFIG: config } })).stdout);
    expect(
      stats
        .filter((r) => r.scope === undefined)
        .map((r) => r.node)
        .sort(),
    ).toEqual([hostname(1), hostname(2)]);
    expect(stats.find((r) => r.scope === 'service')).toMatchObject({ tasks: 2, running: 3, unread: 1, unreadOn: [hostname(3)] });
    // A context that names another node's engine is refused: records would name the wrong node.
    const wrong = mkdtempSync(join(tmpdir(), 'berth-contexts-'));
    await execa('docker', ['--config', wrong, 'context', 'create', hostname(2), '--docker', `host=${hostOf(3)}`]);
    const refused = await berthSwarm(['logs', '--service', svc], { env: { DOCKER_CONFIG: wrong } });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`the docker context ${hostname(2)}: that engine is swarm node \\w+, not node ${hostname(2)}`));
  });
});

describe('swarm: logs --service', () => {
  it("with every node reached: equals, line for line and in time order, the union of the tasks' docker logs on their nodes", async () => {
    const svc = await service('logs', COUNTED(60));
    await threeTasksWith(svc, 60);
    const res = await berthSwarm(['logs', '--service', svc, '--json', ...nodeFlags()]);
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    const recs = parse(res.stdout);
    const oracle = await oracleLines(svc);
    const want = [...oracle.entries()].flatMap(([id, ls]) => ls.map(([ts, msg]) => `${ts} ${id} ${msg}`)).sort();
    const got = recs.map((r) => `${String(r.ts)} ${String(r.id)} ${String(r.msg)}`);
    expect(got).toEqual(want); // sorted by time: the merge is exact
    expect(got.length).toBe(180);
    // Records name the swarm: node, service, task, slot; one task per node.
    const byNode = new Map<string, Set<unknown>>();
    for (const r of recs) {
      expect(r.service).toBe(svc);
      expect(typeof r.task).toBe('string');
      expect(String(r.name)).toBe(`${svc}.${String(r.slot)}.${String(r.task)}`);
      expect(r.engine).toBeUndefined();
      byNode.set(String(r.node), (byNode.get(String(r.node)) ?? new Set()).add(r.id));
    }
    expect([...byNode.keys()].sort()).toEqual(NODES.map(hostname));
    for (const ids of byNode.values()) expect(ids.size).toBe(1);
    // Each record's node is where docker has the container.
    for (const n of NODES) for (const id of byNode.get(hostname(n))!) expect((await dockerOn(n, ['inspect', '-f', '{{.Id}}', String(id)])).stdout.trim()).toBe(id);
  });

  it("without --node (manager only): the other nodes' lines come from the manager, and the whole is still in time order and complete", async () => {
    const svc = await service('fallback', COUNTED(50));
    await threeTasksWith(svc, 50);
    const res = await berthSwarm(['logs', '--service', svc, '--json']);
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toContain('no engine for nodes berth-sw-n2, berth-sw-n3');
    expect(res.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const recs = parse(res.stdout);
    const oracle = await oracleLines(svc);
    const want = [...oracle.entries()].flatMap(([id, ls]) => ls.map(([ts, msg]) => `${ts} ${id} ${msg}`)).sort();
    expect(recs.map((r) => `${String(r.ts)} ${String(r.id)} ${String(r.msg)}`)).toEqual(want);
    expect(new Set(recs.map((r) => r.node))).toEqual(new Set(NODES.map(hostname)));
    for (const r of recs) expect(String(r.name)).toBe(`${svc}.${String(r.slot)}.${String(r.task)}`);
  });

  it("-f without --node: the manager's lines pass the reorder window, so the followed output stays in time order", async () => {
    const svc = await service('fbfollow', 'i=0; while :; do echo "tick $i of $(hostname)"; i=$((i+1)); sleep 0.05; done');
    await threeTasksWith(svc, 5);
    const f = follow(['logs', '--service', svc, '--json', '-f', '--tail', '0']);
    await waitUntil('lines of 3 nodes', () => new Set(f.records.map((r) => r.node)).size === 3);
    // Followed for a while: 60 lines of each task printed (3 s of them).
    await waitUntil('60 followed lines of each task', () => {
      const per = new Map<unknown, number>();
      for (const r of f.records) per.set(r.task, (per.get(r.task) ?? 0) + 1);
      return per.size === 3 && [...per.values()].every((n) => n >= 60);
    });
    const res = await f.stop();
    expect(res.exitCode).toBe(130);
    const ts = f.records.map((r) => String(r.ts));
    expect(ts).toEqual([...ts].sort());
    // Nothing twice, and each task's counter has no gap from its first line printed.
    const byTask = new Map<string, number[]>();
    for (const r of f.records) byTask.set(String(r.task), [...(byTask.get(String(r.task)) ?? []), Number(/tick (\d+)/.exec(String(r.msg))![1])]);
    for (const [task, ns] of byTask) expect(ns, task).toEqual(ns.map((_, i) => ns[0]! + i));
  });

  it("-f through a scale 3 -> 0 -> 3 and a SIGKILL of a worker's dockerd: nothing lost or repeated among the lines the engines hold, and new tasks join", async () => {
    const svc = await service('follow', 'i=0; while :; do echo "tick $i of $(hostname)"; i=$((i+1)); sleep 0.1; done');
    await threeTasksWith(svc, 3);
    const f = follow(['logs', '--service', svc, '--json', '-f', ...nodeFlags()]);
    let stderr = '';
    f.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    await waitUntil('lines of 3 nodes', () => new Set(f.records.map((r) => r.node)).size === 3);
    // A worker's engine dies and comes back: its task is replaced (the engine kills it when it restarts).
    // It comes back once berth has said it lost that engine.
    await nodeScript('kill-node', 3);
    await waitUntil(`berth to say it lost ${hostname(3)}'s engine`, () => lostLine(3).test(stderr), 30_000);
    await nodeScript('start-node', 3);
    await waitUntil('the swarm to run 3 tasks again', async () => (await allTaskContainers(svc)).length === 3, 90_000);
    const before = await allTaskContainers(svc, true);
    await waitUntil(
      'berth to print every task container running now',
      async () => {
        const running = await allTaskContainers(svc);
        return running.every(([, id]) => f.records.some((r) => r.id === id));
      },
      60_000,
    );
    // What the engines hold now, before the scale to 0 removes it: all of it printed, none twice.
    const held = new Map<string, Array<[string, string]>>();
    for (const [n, id] of before) held.set(id, await dockerLogs(n, id));
    const missing = (id: string, lines: Array<[string, string]>) => {
      const mine = new Set(f.records.filter((r) => r.id === id).map((r) => `${String(r.ts)} ${String(r.msg)}`));
      return lines.filter(([ts, msg]) => !mine.has(`${ts} ${msg}`));
    };
    // Printed once through the reorder window (the assertions below name any line that never is).
    await waitUntil('berth to print every line the engines hold', () => [...held].every(([id, lines]) => missing(id, lines).length === 0), 30_000).catch(() => undefined);
    for (const [id, lines] of held) expect(missing(id, lines), `lines of ${id.slice(0, 12)} not printed`).toEqual([]);
    await dockerOn(1, ['service', 'scale', '--detach', `${svc}=0`]);
    await waitUntil('the tasks to go', async () => (await allTaskContainers(svc)).length === 0, 60_000);
    await dockerOn(1, ['service', 'scale', '--detach', `${svc}=3`]);
    const fresh = await waitUntil(
      '3 new tasks',
      async () => {
        const now = await allTaskContainers(svc);
        return now.length === 3 && now.every(([, id]) => !before.some(([, b]) => b === id)) && now;
      },
      60_000,
    );
    const printedOf = (id: string) => f.records.filter((r) => r.id === id).length;
    await waitUntil('lines of the 3 new tasks', () => fresh.every(([, id]) => printedOf(id) >= 5), 60_000);
    // Followed on: 10 more lines of each new task, so a line printed twice would be among them.
    const joined = new Map(fresh.map(([, id]) => [id, printedOf(id)]));
    await waitUntil('10 more lines of each new task', () => fresh.every(([, id]) => printedOf(id) >= joined.get(id)! + 10), 60_000);
    const res = await f.stop();
    expect(res.exitCode).toBe(130);
    // New tasks joined from their first line: exactly their docker logs up to the end of berth's run.
    for (const [n, id] of fresh) {
      const printed = f.records.filter((r) => r.id === id).map((r) => `${String(r.ts)} ${String(r.msg)}`);
      const engine = (await dockerLogs(n, id)).map(([ts, msg]) => `${ts} ${msg}`);
      expect(printed.length).toBeGreaterThan(0);
      expect(printed, `new task ${id.slice(0, 12)} on node ${n}`).toEqual(engine.slice(0, printed.length));
    }
    const keys = f.records.map((r) => `${String(r.id)} ${String(r.ts)} ${String(r.msg)}`);
    expect(keys.length - new Set(keys).size, 'lines printed twice').toBe(0);
  });
});

describe('swarm: stats --service', () => {
  it('--no-stream agrees with docker stats --no-stream on each node, and a service record sums its tasks', async () => {
    const svc = await service('stats', 'while :; do :; done', ['--limit-cpu', '0.1', '--limit-memory', '64m']);
    await waitUntil('3 tasks', async () => new Set((await allTaskContainers(svc)).map(([n]) => n)).size === 3);
    // Each task at its CPU limit by docker's own reading, so both read a steady load.
    await waitUntil('docker stats to read each task above 5% CPU', async () => {
      const cpu = await Promise.all((await allTaskContainers(svc)).map(async ([n, id]) => parseFloat((await dockerOn(n, ['stats', '--no-stream', '--format', '{{.CPUPerc}}', id])).stdout)));
      return cpu.length === 3 && cpu.every((c) => c > 5);
    });
    const [res, ...peers] = await Promise.all([
      berthSwarm(['stats', '--no-stream', '--json', '--service', svc, ...nodeFlags()]),
      ...NODES.map((n) => dockerOn(n, ['stats', '--no-stream', '--format', '{{json .}}'])),
    ]);
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    const recs = parse(res.stdout);
    const tasks = recs.filter((r) => r.scope === undefined);
    const [sum] = recs.filter((r) => r.scope === 'service');
    expect(tasks).toHaveLength(3);
    const docker = new Map<string, { cpu: number; mem: number }>();
    peers.forEach((p, i) => {
      for (const l of p.stdout.split('\n').filter(Boolean)) {
        const d = JSON.parse(l) as { ID: string; CPUPerc: string; MemPerc: string };
        docker.set(`${hostname(NODES[i]!)} ${d.ID}`, { cpu: parseFloat(d.CPUPerc), mem: parseFloat(d.MemPerc) });
      }
    });
    for (const t of tasks) {
      const peer = docker.get(`${String(t.node)} ${String(t.id).slice(0, 12)}`);
      expect(peer, `docker stats on ${String(t.node)} has ${String(t.id).slice(0, 12)}`).toBeDefined();
      expect(Math.abs(Number(t.cpuPercent) - peer!.cpu), `CPU% of ${String(t.name)}: berth ${String(t.cpuPercent)}, docker ${peer!.cpu}`).toBeLessThan(3);
      expect(Math.abs(Number(t.memPercent) - peer!.mem), `mem% of ${String(t.name)}: berth ${String(t.memPercent)}, docker ${peer!.mem}`).toBeLessThan(0.2);
      expect(Number(t.cpuPercent)).toBeGreaterThan(5);
      expect(Number(t.cpuPercent)).toBeLessThan(15);
    }
    expect(sum).toMatchObject({ type: 'stats', scope: 'service', name: svc, service: svc, tasks: 3, running: 3, unread: 0, replicas: 3 });
    const total = tasks.reduce((a, t) => a + Number(t.cpuPercent), 0);
    expect(Math.abs(Number(sum!.cpuPercent) - total)).toBeLessThan(0.01);
    expect(sum!.memUsage).toBe(tasks.reduce((a, t) => a + Number(t.memUsage), 0));
    // Without --node, the workers' tasks are not read, and the service record says so.
    const blind = await berthSwarm(['stats', '--no-stream', '--json', '--service', svc]);
    const brecs = parse(blind.stdout);
    expect(brecs.filter((r) => r.scope === undefined).map((r) => r.node)).toEqual([hostname(1)]);
    expect(brecs.find((r) => r.scope === 'service')).toMatchObject({ tasks: 1, running: 3, unread: 2, unreadOn: [hostname(2), hostname(3)] });
  });
});

describe('swarm: events --swarm', () => {
  it("prints exactly once the service's create, update and remove and its tasks' container events on every node, across a SIGKILL of a worker's dockerd", async () => {
    const t0 = Math.floor(Date.now() / 1000) - 1;
    const f = follow(['events', '--swarm', '--json', ...nodeFlags()]);
    let stderr = '';
    f.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    await eventsLiveOnEveryNode(f.records);
    const svc = await service('events', 'sleep 3600');
    await waitUntil('3 tasks', async () => (await allTaskContainers(svc)).length === 3);
    await nodeScript('kill-node', 2);
    await waitUntil(`berth to say it lost ${hostname(2)}'s engine`, () => lostLine(2).test(stderr), 30_000);
    await nodeScript('start-node', 2);
    await waitUntil('3 running tasks again', async () => (await allTaskContainers(svc)).length === 3, 90_000);
    await dockerOn(1, ['service', 'scale', '--detach', `${svc}=2`]);
    await waitUntil('2 tasks', async () => (await allTaskContainers(svc)).length === 2, 60_000);
    await removeService(svc);
    await waitUntil('no tasks', async () => (await allTaskContainers(svc, true)).length === 0, 60_000);
    const t1 = Math.ceil(Date.now() / 1000);
    // The oracle: each node's own `docker events` over the same span (node 2's restarted engine holds only
    // what followed its restart): every one of them printed, on the right node, as often as docker has it.
    const count = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
    const mineOf = (records: Rec[]) => records.filter((r) => (r.scope === 'service' ? (r.attributes as Rec).name === svc : r.service === svc));
    const gotOf = (records: Rec[]) =>
      count(
        mineOf(records)
          .filter((r) => r.scope === 'container')
          .map((r) => `${String(r.node)} ${String(r.action)} ${String(r.id)}`),
      );
    const oracle = new Map<NodeNo, Map<string, number>>();
    for (const n of NODES) oracle.set(n, await dockerSays(n, svc, t0, t1));
    // Stopped once berth has printed the service's removal and every container event docker has.
    await waitUntil('berth to print the removal and every event docker has', () => {
      const got = gotOf(f.records);
      const removed = mineOf(f.records).some((r) => r.scope === 'service' && r.action === 'remove');
      return removed && [...oracle.values()].every((want) => [...want].every(([key, times]) => (got.get(key) ?? 0) >= times));
    }).catch(() => undefined);
    const res = await f.stop();
    expect(res.exitCode).toBe(130);
    const mine = mineOf(f.records);
    const keys = mine.map((r) => `${String(r.node)} ${String(r.scope)} ${String(r.action)} ${String(r.id)} ${String(r.ts)}`);
    expect(keys.length - new Set(keys).size, 'events printed twice').toBe(0);
    const services = mine.filter((r) => r.scope === 'service').map((r) => r.action);
    expect(services[0]).toBe('create');
    expect(services).toContain('update');
    expect(services.at(-1)).toBe('remove');
    const got = gotOf(f.records);
    let compared = 0;
    for (const [, want] of oracle) {
      for (const [key, times] of want) {
        expect(got.get(key) ?? 0, key).toBeGreaterThanOrEqual(times);
        compared += times;
      }
    }
    expect(compared).toBeGreaterThan(12);
    expect(new Set(mine.filter((r) => r.scope === 'container').map((r) => r.node))).toEqual(new Set(NODES.map(hostname)));
  });
});

/** A node's own `docker events` about a service's task containers between two times, as `node action id` counts. */
async function dockerSays(n: NodeNo, svc: string, since: number, until: number): Promise<Map<string, number>> {
  const filters = ['--filter', 'type=container', '--filter', `label=com.docker.swarm.service.name=${svc}`];
  const { stdout } = await dockerOn(n, ['events', '--since', String(since), '--until', String(until), ...filters, '--format', '{{json .}}']);
  const out = new Map<string, number>();
  for (const l of stdout.split('\n').filter(Boolean)) {
    const e = JSON.parse(l) as { Action: string; Actor: { ID: string } };
    const key = `${hostname(n)} ${e.Action} ${e.Actor.ID}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** berth's line on stderr when it loses a node's engine (logs: "lost the engine (NODE)", events: "lost the engine's event stream (NODE)"). */
const lostLine = (n: NodeNo) => new RegExp(`lost [^\\n]*\\(${hostname(n)}\\)`);

describe('swarm: --stack (docker stack deploy)', () => {
  it("topology --stack: the stack's services with the nodes their tasks run on, and an edge from real cross-node traffic, counted as the client logs its requests", async () => {
    const stack = serviceName('stk').replace(/-/g, '');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'berth-stack-'));
    writeFileSync(
      join(dir, 'stack.yml'),
      [
        'version: "3.8"',
        'services:',
        '  web:',
        '    image: berth-sw/busybox:1',
        '    command: ["sh", "-c", "echo hi > /tmp/index.html; httpd -f -p 8080 -h /tmp"]',
        '    deploy: { replicas: 2, endpoint_mode: dnsrr, placement: { max_replicas_per_node: 1 } }',
        '    networks: [berth-sw-ov]',
        '  client:',
        '    image: berth-sw/busybox:1',
        // One line per answered request: the oracle for the connections the map counts.
        '    command: ["sh", "-c", "while :; do printf \'GET /index.html HTTP/1.0\\\\r\\\\n\\\\r\\\\n\' | nc -w 1 web 8080 | grep -q hi && echo answered; sleep 0.3; done"]',
        '    networks: [berth-sw-ov]',
        'networks:',
        '  berth-sw-ov: { external: true }',
        '',
      ].join('\n'),
    );
    await dockerOn(1, ['stack', 'deploy', '--resolve-image', 'never', '-c', join(dir, 'stack.yml'), stack]);
    try {
      await waitUntil('the client to be answered', async () => (await dockerOn(1, ['service', 'logs', '--tail', '1', `${stack}_client`])).stdout.includes('answered'), 90_000);
      const res = await berthSwarm(['topology', '--stack', stack, '--json', '--interval', '2s', '--ticks', '4', '--no-stdin', ...nodeFlags()]);
      // The tasks are on an overlay network inside the nodes' own namespaces, where this host's conntrack sees
      // nothing: the /proc poller counts, and stderr says so once, with the reason.
      expect(res.stderr.trim()).toMatch(/^berth: TCP connections: conntrack is not used \(\S+ is on a network whose bridge is not in this network namespace\); polling \/proc\/<pid>\/net\/tcp/);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.exitCode).toBe(0);
      const snaps = parse(res.stdout) as Array<{ stack: string; engineUp: boolean; sources: Rec; nodes: Array<Rec>; edges: Array<Rec> }>;
      expect(snaps).toHaveLength(4);
      const last = snaps.at(-1)!;
      expect(last.stack).toBe(stack);
      expect(last.engineUp).toBe(true);
      expect(last.sources.tcp).toBe(true);
      expect(last.sources.tcpFrom).toBe('proc');
      const web = last.nodes.find((n) => n.id === `${stack}_web`)!;
      const client = last.nodes.find((n) => n.id === `${stack}_client`)!;
      expect(web).toMatchObject({ kind: 'service', running: 2 });
      expect(client).toMatchObject({ kind: 'service', running: 1 });
      // hosts: where docker says the tasks run.
      const placed = async (svc: string) => {
        const { stdout } = await dockerOn(1, ['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.Node}}', svc]);
        return [...new Set(stdout.split('\n').filter(Boolean))].sort();
      };
      expect(web.hosts).toEqual(await placed(`${stack}_web`));
      expect(client.hosts).toEqual(await placed(`${stack}_client`));
      expect((web.hosts as string[]).length).toBe(2);
      const edge = last.edges.find((e) => e.from === `${stack}_client` && e.to === `${stack}_web`);
      expect(edge?.kind).toBe('tcp');
      // Every connection counted is a request the client made and logged (ticks cut between the two by a request or two).
      const sum = (f: (s: (typeof snaps)[number]) => number) => snaps.slice(1).reduce((a, s) => a + f(s), 0);
      const connections = sum((s) => Number(s.edges.find((e) => e.from === `${stack}_client` && e.to === `${stack}_web`)?.connections ?? 0));
      const answered = sum((s) => Number(s.nodes.find((n) => n.id === `${stack}_client`)?.logs ?? 0));
      expect(connections).toBeGreaterThan(5);
      expect(Math.abs(connections - answered), `connections ${connections}, answered requests ${answered}`).toBeLessThanOrEqual(3);
      // logs --stack: both services' tasks, named by the stack.
      const logs = parse((await berthSwarm(['logs', '--stack', stack, '--json', '--tail', '2', ...nodeFlags()])).stdout);
      expect(new Set(logs.map((r) => r.stack))).toEqual(new Set([stack]));
      expect(new Set(logs.map((r) => r.service))).toEqual(new Set([`${stack}_client`]));
    } finally {
      await dockerOn(1, ['stack', 'rm', stack], { reject: false });
    }
  });
});
