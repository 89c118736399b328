/**
 * The idle lifecycle of swarm services on the real 3-node swarm: watch-idle scales an idle service to 0
 * and wake scales it back to the replicas it had, through the same wake path and lifecycle owner as
 * containers (ServiceProvider behind the Provider seam). The manager's own answers (`docker service
 * inspect`, `docker service ps`, `docker events`) are the oracle.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { createEngine, negotiate } from '../../src/core/engine/engine.js';
import { openCluster } from '../../src/core/swarm/cluster.js';
import { ServiceProvider } from '../../src/core/swarm/service-provider.js';
import { allTaskContainers, berthSwarm, createService, dockerLogs, dockerOn, follow, hostOf, nodeFlags, removeService, serviceName, waitUntil } from '../helpers/swarm.js';

type Rec = Record<string, unknown>;
const made: string[] = [];
afterAll(async () => {
  for (const s of made) await removeService(s);
});

async function service(what: string, script: string, args: string[] = [], replicas = 3): Promise<string> {
  const name = serviceName(what);
  made.push(name);
  await createService(name, script, { args, replicas });
  return name;
}

const HTTPD = 'echo hi > /tmp/index.html; exec httpd -f -p 8080 -h /tmp';
const parse = (stdout: string): Rec[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);

async function spec(svc: string): Promise<{ replicas: number; env: string[]; labels: Record<string, string> }> {
  const { stdout } = await dockerOn(1, ['service', 'inspect', svc, '--format', '{{json .Spec}}']);
  const s = JSON.parse(stdout) as { Mode: { Replicated?: { Replicas: number } }; Labels?: Record<string, string>; TaskTemplate: { ContainerSpec: { Env?: string[] } } };
  return { replicas: s.Mode.Replicated?.Replicas ?? -1, env: s.TaskTemplate.ContainerSpec.Env ?? [], labels: s.Labels ?? {} };
}

const runningNodes = async (svc: string) => (await allTaskContainers(svc)).map(([n]) => n).sort();

/** The manager's events about a service between two times (Unix seconds). */
async function serviceEvents(svc: string, since: number, until: number): Promise<Array<{ Action: string; Actor: { Attributes: Record<string, string> } }>> {
  const { stdout } = await dockerOn(1, ['events', '--since', String(since), '--until', String(until), '--filter', 'type=service', '--filter', `service=${svc}`, '--format', '{{json .}}']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { Action: string; Actor: { Attributes: Record<string, string> } });
}

/** The manager's `service update` events of a service between two times, with the replica counts they carry. */
async function scaleEvents(svc: string, since: number, until: number): Promise<Array<{ from: string; to: string }>> {
  return (await serviceEvents(svc, since, until))
    .filter((e) => e.Action === 'update' && e.Actor.Attributes['replicas.new'] !== undefined)
    .map((e) => ({ from: e.Actor.Attributes['replicas.old']!, to: e.Actor.Attributes['replicas.new']! }));
}

describe('swarm services: watch-idle and wake', () => {
  it('watch-idle scales an idle service to 0 after its timeout; wake scales it back to its 3 replicas, spread by the scheduler, ready when all run', async () => {
    const svc = await service('idle', HTTPD, ['--label', 'berth.idle.timeout=5s']);
    await waitUntil('3 tasks on 3 nodes', async () => (await runningNodes(svc)).join() === '1,2,3');
    const w = follow(['watch-idle', '--service', svc, '--json', '--interval', '1s', ...nodeFlags()]);
    const stop = await waitUntil('the stop', () => w.records.find((r) => r.action === 'stop'), 60_000);
    const first = w.records[0]!;
    await waitUntil('the tasks to go', async () => (await allTaskContainers(svc)).length === 0, 60_000);
    const res = await w.stop();
    expect(res.stderr).toBe('');
    expect(first).toMatchObject({ type: 'idle', container: svc, to: 'ready' });
    expect(stop).toMatchObject({ type: 'idle', container: svc, from: 'ready', to: 'napping', action: 'stop' });
    // Not before its timeout, and within a few intervals of it (from the first reading, berth's own clock on both records).
    const idleMs = Date.parse(String(stop.ts)) - Date.parse(String(first.ts));
    expect(idleMs).toBeGreaterThanOrEqual(5000);
    expect(idleMs).toBeLessThan(5000 + 4 * 1000);
    expect(await spec(svc)).toMatchObject({ replicas: 0, labels: { 'berth.idle.timeout': '5s', 'berth.state.replicas': '3' } });

    const wake = await berthSwarm(['wake', '--service', svc, '--json', ...nodeFlags()]);
    expect(wake.stderr).toBe('');
    expect(wake.exitCode).toBe(0);
    const events = parse(wake.stdout);
    expect(events.map((e) => e.event)).toEqual(['starting', 'container_woke', 'waiting_ready', 'ready']);
    expect(String(events[1]!.message)).toBe(`scaled up ${svc}`);
    expect(String(events[2]!.message)).toBe(`waiting for ${svc} to be ready (every task running, and healthy when it has a healthcheck)`);
    // Ready means every task runs: no waiting after berth said so.
    expect((await spec(svc)).replicas).toBe(3);
    expect(await runningNodes(svc)).toEqual([1, 2, 3]);
    // It answers, from a container on the overlay network.
    const probe = await dockerOn(1, ['run', '--rm', '--network', 'berth-sw-ov', 'berth-sw/busybox:1', 'sh', '-c', `printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${svc} 8080`]);
    expect(probe.stdout).toContain('hi');
  });

  it('concurrent wakes from 8 berth processes cause exactly one scale-up', async () => {
    const svc = await service('once', HTTPD, ['--label', 'berth.idle.timeout=1h']);
    await waitUntil('3 tasks', async () => (await allTaskContainers(svc)).length === 3);
    await dockerOn(1, ['service', 'scale', '--detach', `${svc}=0`]);
    await waitUntil('no tasks', async () => (await allTaskContainers(svc)).length === 0, 60_000);
    const since = Math.floor(Date.now() / 1000) - 1;
    const wakes = await Promise.all(Array.from({ length: 8 }, () => berthSwarm(['wake', '--service', svc, '--json', ...nodeFlags()])));
    for (const w of wakes) expect(w.exitCode, w.stderr).toBe(0);
    // A later record: a service made after the wakes. The manager reports its store's changes in order, so once
    // that service's creation is in its events, so is every update the wakes made.
    const marker = await service('after-wakes', 'sleep 3600', [], 0);
    await waitUntil('the creation of a service made after the wakes', async () => (await serviceEvents(marker, since, Date.now() / 1000)).some((e) => e.Action === 'create'));
    expect(await scaleEvents(svc, since, Date.now() / 1000)).toEqual([{ from: '0', to: '3' }]);
    expect((await spec(svc)).replicas).toBe(3);
  });

  it('a concurrent spec change during a scale is kept: the stale update is read again and retried', async () => {
    const svc = await service('race', HTTPD, [], 2);
    await waitUntil('2 tasks', async () => (await allTaskContainers(svc)).length === 2);
    const manager = await negotiate(createEngine({ name: 'manager', host: hostOf(1) }));
    const cluster = await openCluster(manager, { nodeFlags: [], env: {}, warn: () => {} });
    const attempts: number[] = [];
    // Between berth's read and its update, another client changes the spec (as `docker service update` does).
    const provider = new ServiceProvider(cluster, {
      beforeUpdate: async (attempt) => {
        attempts.push(attempt);
        if (attempt === 1) await dockerOn(1, ['service', 'update', '--detach', '--env-add', 'RACED=1', svc]);
      },
    });
    await provider.stop(svc, 'stop', {});
    expect(attempts).toEqual([1, 2]);
    const after = await spec(svc);
    expect(after.replicas).toBe(0);
    expect(after.env).toContain('RACED=1');
    expect(after.labels['berth.state.replicas']).toBe('2');
    await provider.start(svc);
    expect((await spec(svc)).replicas).toBe(2);
    expect((await spec(svc)).env).toContain('RACED=1');
  });

  it('depends_on between services: the dependency is scaled up first and ready; it sleeps only after no dependent is awake', async () => {
    const db = await service('db', HTTPD, ['--label', 'berth.idle.timeout=3s', '--label', 'berth.idle.replicas=1'], 0);
    const app = await service('app', HTTPD, ['--label', 'berth.idle.timeout=3s', '--label', 'berth.idle.replicas=2', '--label', `berth.idle.depends_on=${db}`], 0);
    const wake = await berthSwarm(['wake', '--service', app, '--json', ...nodeFlags()]);
    expect(wake.stderr).toBe('');
    expect(wake.exitCode).toBe(0);
    const events = parse(wake.stdout);
    expect(events.map((e) => `${String(e.event)}${e.dep ? ` ${String(e.dep)}` : ''}`)).toEqual(['starting', `waking_dep ${db}`, `dep_ready ${db}`, 'container_woke', 'waiting_ready', 'ready']);
    expect((await spec(db)).replicas).toBe(1);
    expect((await spec(app)).replicas).toBe(2);
    expect(await allTaskContainers(db)).toHaveLength(1);
    expect(await allTaskContainers(app)).toHaveLength(2);

    const w = follow(['watch-idle', '--service', app, '--service', db, '--json', '--interval', '1s', ...nodeFlags()]);
    const dbStop = await waitUntil('the dependency to sleep', () => w.records.find((r) => r.container === db && r.action === 'stop'), 90_000);
    const res = await w.stop();
    expect(res.stderr).toBe('');
    const appStop = w.records.find((r) => r.container === app && r.action === 'stop');
    expect(appStop, 'the dependent slept').toBeDefined();
    // Asleep only after its dependent had been asleep for the dependency's own timeout (the reference count).
    const trail = w.records.map((r) => `${String(r.ts)} ${String(r.container)} ${String(r.to)} ${String(r.action ?? '')} ${String(r.reason)}`).join('\n');
    expect(Date.parse(String(dbStop.ts)) - Date.parse(String(appStop!.ts)), trail).toBeGreaterThanOrEqual(3000);
    expect((await spec(db)).replicas).toBe(0);
    expect((await spec(app)).replicas).toBe(0);
  });

  it('--archive: the lines a service wrote before each scale to 0 are kept, through two sleep/wake cycles, none lost or repeated; logs --archive reads them back', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'berth-archive-'));
    // Each task counts its lines from 0, and says goodbye on SIGTERM: its last line is written as it stops.
    const script = 'trap \'echo "bye from $(hostname)"; exit 0\' TERM; i=0; while :; do echo "line $i of $(hostname)"; i=$((i+1)); sleep 0.1; done';
    const svc = await service('arch', script, ['--label', 'berth.idle.timeout=3s'], 2);
    const cycle = async () => {
      await waitUntil('2 tasks', async () => (await allTaskContainers(svc)).length === 2, 60_000);
      const w = follow(['watch-idle', '--service', svc, '--archive', dir, '--json', '--interval', '1s', ...nodeFlags()]);
      await waitUntil('the stop', () => w.records.find((r) => r.action === 'stop'), 60_000);
      const res = await w.stop();
      expect(res.stderr).toBe('');
      expect((await spec(svc)).replicas).toBe(0);
    };
    await cycle();
    const wake = await berthSwarm(['wake', '--service', svc, '--json', ...nodeFlags()]);
    expect(wake.exitCode, wake.stderr).toBe(0);
    // The woken tasks write before the second cycle watches them: 10 lines each, by docker's own logs.
    await waitUntil('10 lines of each woken task', async () => {
      const tasks = await allTaskContainers(svc);
      return tasks.length === 2 && (await Promise.all(tasks.map(async ([n, id]) => (await dockerLogs(n, id)).length >= 10))).every(Boolean);
    });
    await cycle();
    const recs = parse(readFileSync(join(dir, `${svc}.ndjson`), 'utf8'));
    const byContainer = new Map<string, string[]>();
    for (const r of recs) byContainer.set(String(r.id), [...(byContainer.get(String(r.id)) ?? []), String(r.msg)]);
    expect(byContainer.size, 'two tasks per cycle').toBe(4);
    for (const [id, msgs] of byContainer) {
      const host = id.slice(0, 12);
      // From its first line to its goodbye, every line once.
      expect(msgs.at(-1), id).toBe(`bye from ${host}`);
      const counted = msgs.slice(0, -1);
      expect(counted.length).toBeGreaterThan(10);
      expect(counted).toEqual(counted.map((_, i) => `line ${i} of ${host}`));
    }
    for (const r of recs) expect(r).toMatchObject({ type: 'log', service: svc });
    expect(recs.map((r) => String(r.ts))).toEqual(recs.map((r) => String(r.ts)).sort());
    // logs --archive: the kept lines, merged with the live ones (none: the service sleeps).
    const back = await berthSwarm(['logs', '--service', svc, '--archive', dir, '--json', ...nodeFlags()]);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(parse(back.stdout).map((r) => [r.ts, r.id, r.msg])).toEqual(recs.map((r) => [r.ts, r.id, r.msg]));
  });

  it('a global service is refused (exit 2), and so is a service that does not exist (exit 4)', async () => {
    const name = serviceName('global');
    made.push(name);
    await dockerOn(1, ['service', 'create', '--detach', '--no-resolve-image', '--mode', 'global', '--name', name, 'berth-sw/busybox:1', 'sleep', '3600']);
    const g = await berthSwarm(['wake', '--service', name]);
    expect(g.exitCode).toBe(2);
    expect(g.stderr).toContain(`berth: service ${name} is global: berth puts only replicated services to sleep (scale to 0) and wakes them`);
    const none = await berthSwarm(['wake', '--service', `${name}-nope`]);
    expect(none.exitCode).toBe(4);
    expect(none.stderr).toContain(`no such service: ${name}-nope`);
    const both = await execa('node', ['bin/berth.js', 'wake', 'web', '--service', name], { reject: false, env: { DOCKER_HOST: hostOf(1) } });
    expect(both.exitCode).toBe(2);
  });
});
