/**
 * Swarm records against the swarm's own word: a service removed and created again under its name (as
 * `docker stack rm` then `docker stack deploy` do) while its old task is still stopping; the network
 * events each node's engine reports; and `logs --until` read through the manager.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { allTaskContainers, berthSwarm, createService, dockerLogs, dockerOn, fixedTs, follow, hostname, nodeFlags, removeService, serviceName, waitUntil, type NodeNo } from '../helpers/swarm.js';
import { eventsLiveOnEveryNode } from './events-live.js';

type Rec = Record<string, unknown>;
const made: string[] = [];
afterAll(async () => {
  for (const s of made) await removeService(s);
});
const parse = (stdout: string): Rec[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);

describe('swarm records', () => {
  it("a service created again under its name while the old one's task is still stopping: logs and stats --service read only the new service's task", async () => {
    const name = serviceName('again');
    made.push(name);
    // The old task ignores SIGTERM and has 30 s to stop: it keeps running (and writing) after the service is removed.
    await createService(name, 'trap "" TERM; i=0; while :; do echo "old $i"; i=$((i+1)); sleep 0.2; done', { replicas: 1, args: ['--stop-grace-period', '30s'] });
    const [[oldNode, oldId]] = (await waitUntil('the old task', async () => {
      const t = await allTaskContainers(name);
      return t.length === 1 && t;
    })) as Array<[NodeNo, string]>;
    await dockerOn(1, ['service', 'rm', name]);
    await createService(name, 'i=0; while :; do echo "new $i"; i=$((i+1)); sleep 0.2; done', { replicas: 1 });
    const all = await waitUntil('the new task running beside the stopping old one', async () => {
      const t = await allTaskContainers(name);
      return t.length === 2 && t.some(([, id]) => id === oldId) && t;
    });
    const newId = all.find(([, id]) => id !== oldId)![1];
    await waitUntil('lines of the new task', async () => (await dockerOn(all.find(([, id]) => id === newId)![0], ['logs', newId])).stdout.includes('new 3'));

    const logs = await berthSwarm(['logs', '--service', name, '--json', ...nodeFlags()]);
    expect(logs.exitCode, logs.stderr).toBe(0);
    const lines = parse(logs.stdout);
    expect(lines.length).toBeGreaterThan(3);
    expect([...new Set(lines.map((r) => r.id))]).toEqual([newId]);
    expect(lines.filter((r) => String(r.msg).startsWith('old'))).toEqual([]);

    const stats = await berthSwarm(['stats', '--service', name, '--no-stream', '--json', ...nodeFlags()]);
    expect(stats.exitCode, stats.stderr).toBe(0);
    const recs = parse(stats.stdout);
    expect(recs.filter((r) => r.scope !== 'service').map((r) => r.id)).toEqual([newId]);
    expect(recs.find((r) => r.scope === 'service')).toMatchObject({ name, tasks: 1 });
    expect(oldNode).toBeGreaterThan(0);
  });

  it("events --swarm: the network events each node's engine reports for the tasks' containers carry that node", async () => {
    const t0 = Math.floor(Date.now() / 1000) - 1;
    const f = follow(['events', '--swarm', '--json', ...nodeFlags()]);
    await eventsLiveOnEveryNode(f.records);
    const svc = serviceName('netev');
    made.push(svc);
    await createService(svc, 'sleep 3600');
    const tasks = await waitUntil('3 tasks', async () => {
      const t = await allTaskContainers(svc);
      return t.length === 3 && t;
    });
    await removeService(svc);
    await waitUntil('no tasks', async () => (await allTaskContainers(svc, true)).length === 0, 60_000);
    const t1 = Math.ceil(Date.now() / 1000) + 1;
    // The oracle: each node's own network events about the tasks' containers.
    const want: string[] = [];
    for (const [n, id] of tasks) {
      const { stdout } = await dockerOn(n, ['events', '--since', String(t0), '--until', String(t1), '--filter', 'type=network', '--format', '{{json .}}']);
      for (const l of stdout.split('\n').filter(Boolean)) {
        const e = JSON.parse(l) as { Action: string; Actor: { ID: string; Attributes: Record<string, string> } };
        if (e.Actor.Attributes.container === id) want.push(`${hostname(n)} ${e.Action} ${e.Actor.ID} ${id}`);
      }
    }
    await waitUntil('berth to print them', () => want.every((w) => f.records.some((r) => key(r) === w)), 20_000).catch(() => undefined);
    await f.stop();
    const ids = new Set(tasks.map(([, id]) => id));
    const got = f.records.filter((r) => r.scope === 'network' && ids.has(String((r.attributes as Record<string, string>).container))).map(key);
    expect(want.length).toBeGreaterThanOrEqual(3);
    expect(got.sort()).toEqual([...want].sort());
  });

  it('logs --service --until through the manager (no --node): no line from --until on, from any node', async () => {
    const svc = serviceName('until');
    made.push(svc);
    await createService(svc, 'i=0; while :; do echo "tick $i of $(hostname)"; i=$((i+1)); sleep 0.1; done');
    const tasks = await waitUntil('3 tasks', async () => {
      const t = await allTaskContainers(svc);
      return t.length === 3 && t;
    });
    // Lines on each side of --until, by docker's own timestamps: 10 before it, and 10 from it on.
    const written = async (from: string) => (await Promise.all(tasks.map(async ([n, id]) => (await dockerLogs(n, id)).filter(([ts]) => ts >= from).length))).every((count) => count >= 10);
    await waitUntil('10 lines of each task', () => written(''));
    const until = new Date().toISOString();
    await waitUntil('10 lines of each task from --until on', () => written(fixedTs(until)));
    const res = await berthSwarm(['logs', '--service', svc, '--until', until, '--json']);
    expect(res.exitCode).toBe(0);
    const lines = parse(res.stdout);
    const bound = fixedTs(until);
    expect(new Set(lines.map((r) => r.node)).size).toBe(3);
    expect(lines.filter((r) => String(r.ts) >= bound).map((r) => `${String(r.node)} ${String(r.ts)}`)).toEqual([]);
    expect(lines.filter((r) => r.node !== hostname(1)).length).toBeGreaterThan(10);
  });

  it("logs -f through the manager only: the removal of every task is said, with its node (the manager's own and the two read through the manager)", async () => {
    const svc = serviceName('rmnode');
    made.push(svc);
    await createService(svc, 'i=0; while :; do echo "tick $i"; i=$((i+1)); sleep 0.2; done');
    const tasks = await waitUntil('3 tasks', async () => {
      const t = await allTaskContainers(svc);
      return t.length === 3 && t;
    });
    const short = (id: string) => id.slice(0, 12);
    const f = follow(['logs', '-f', '--service', svc, '--json']);
    let stderr = '';
    f.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    await waitUntil('lines of the 3 tasks', () => new Set(f.records.map((r) => r.node)).size === 3, 30_000);
    await removeService(svc);
    await waitUntil('the removal of the 3 tasks', () => tasks.every(([, id]) => stderr.includes(`(${short(id)})`)), 60_000).catch(() => undefined);
    await f.stop();
    const removals = stderr.split('\n').filter((l) => l.includes(' was removed'));
    expect(removals.map((l) => l.replace(/container \S+ /, 'container NAME ')).sort()).toEqual(
      tasks.map(([n, id]) => `berth: container NAME (${short(id)}) on ${hostname(n)} was removed; its logs end here`).sort(),
    );
    expect(removals.every((l) => l.startsWith(`berth: container ${svc}.`))).toBe(true);
  });
});

const key = (r: Rec) => `${String(r.node)} ${String(r.action)} ${String(r.id)} ${String((r.attributes as Record<string, string>).container)}`;
