/**
 * One selection supervisor and one resumable stream, against the real engine (docker itself as the
 * reference where it has one): events under bursts, removals, --until, several engines.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import type Docker from 'dockerode';
import { berth, BERTH_BIN, docker, removeContainer, runContainer, TEST_IMAGE, testLabels, uniqueName, waitFor } from '../helpers/docker.js';
import { closedPort, emptyEngine } from '../helpers/empty-engine.js';
import { LineCollector } from '../helpers/lines.js';
import { nanosToRfc3339 } from '../../src/core/parse.js';

const PROJECT = 'com.docker.compose.project';
const socket = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
const made: Docker.Container[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

async function keep(c: Promise<Docker.Container>): Promise<Docker.Container> {
  const x = await c;
  made.push(x);
  return x;
}

/** Starts `n` containers at once, as `docker run --rm` does (create, start; removed by the engine when done). */
async function burst(n: number, cmd: string, labels: Record<string, string>): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, async () => {
      const c = await docker.createContainer({ Image: TEST_IMAGE, name: uniqueName('rm'), Cmd: ['sh', '-c', cmd], Labels: testLabels(labels), HostConfig: { AutoRemove: true } });
      await c.start();
    }),
  );
}

function spawn(args: string[], env: Record<string, string> = {}) {
  const child = execa('node', [BERTH_BIN, ...args], { reject: false, env });
  const out = new LineCollector(child.stdout!);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return { child, out, stderr: () => stderr };
}

const inSeconds = (s: number) => String(Date.now() / 1000 + s);

describe('the selection supervisor and the resumable stream', () => {
  it('events under bursts of concurrent run --rm: every event docker prints, berth prints once, nothing else', { timeout: 240_000 }, async () => {
    const label = `berth.test.burst=${uniqueName('ev')}`;
    const [k, v] = label.split('=') as [string, string];
    const theirs = execa('docker', ['events', '--format', '{{json .}}', '--filter', `label=${label}`], { reject: false });
    const theirLines = new LineCollector(theirs.stdout!);
    const ours = spawn(['events', '--json', '--filter', `label=${label}`]);
    // Both subscribed: a sync container's events seen by both (under load berth's start takes seconds,
    // and the engine keeps too few events for --since to replay a burst on a shared engine).
    // A sync container whose removal both streams print: everything before it has been printed by both.
    const syncIds = new Set<string>();
    const sync = async (action: string) => {
      for (let t = 0; ; t++) {
        const c = await docker.createContainer({ Image: TEST_IMAGE, name: uniqueName('sync'), Cmd: ['true'], Labels: testLabels({ [k]: v }), HostConfig: { AutoRemove: true } });
        syncIds.add(c.id);
        await c.start();
        const seenBy = (lines: Array<{ line: string }>) => lines.some((l) => l.line.includes(c.id) && new RegExp(`"(action|Action)":"${action}"`).test(l.line));
        const until = Date.now() + 5000;
        while (Date.now() < until && !(seenBy(theirLines.lines) && seenBy(ours.out.lines))) await new Promise((r) => setTimeout(r, 100));
        if (seenBy(theirLines.lines) && seenBy(ours.out.lines)) return;
        if (t >= 12) throw new Error(`berth events and docker events did not both print a sync container's ${action} in 60 s; berth's stderr: ${ours.stderr()}`);
      }
    };
    await sync('die');
    // each burst's 15 containers, then a sync container whose destroy comes after all of theirs
    const ends = () => theirLines.lines.filter((l) => /"Action":"destroy"/.test(l.line) && ![...syncIds].some((id) => l.line.includes(id))).length;
    for (let i = 0; i < 3; i++) {
      const before = ends();
      await burst(15, 'true', { [k]: v });
      await waitFor(() => ends() >= before + 15, 60_000, 100);
      await sync('destroy');
    }
    ours.child.kill('SIGINT');
    theirs.kill('SIGINT');
    await Promise.all([ours.child, theirs]);
    const want = theirLines.lines.map((l) => JSON.parse(l.line) as { Action: string; Actor: { ID: string }; timeNano: number; Type: string });
    const key = (id: string, action: string, ts: string) => `${id} ${action} ${ts}`;
    const exact = (line: string) => BigInt(/"timeNano":(\d+)/.exec(line)![1]!);
    const wanted = theirLines.lines.map((l, i) => (syncIds.has(want[i]!.Actor.ID) ? '' : key(want[i]!.Actor.ID, want[i]!.Action, nanosToRfc3339(exact(l.line))))).filter(Boolean);
    const got = ours.out
      .json<{ id: string; action: string; ts: string }>()
      .filter((r) => !syncIds.has(r.id))
      .map((r) => key(r.id, r.action, r.ts));
    expect(wanted.length).toBeGreaterThanOrEqual(45 * 4);
    expect(got.filter((x) => !wanted.includes(x))).toEqual([]); // nothing else
    expect(wanted.filter((x) => !got.includes(x))).toEqual([]); // nothing missing
    expect(got.length).toBe(new Set(got).size); // nothing repeated
    expect(got.length).toBe(wanted.length);
  });

  it('logs -f --project says on stderr that a container was removed, once', async () => {
    const project = uniqueName('p2');
    const c = await keep(runContainer({ name: uniqueName('p2c'), cmd: 'echo hello; sleep 60', labels: { [PROJECT]: project } }));
    const f = spawn(['logs', '-f', '--json', '--project', project]);
    await f.out.until((ls) => ls.length >= 1, 20_000);
    await c.remove({ force: true });
    await waitFor(() => /was removed/.test(f.stderr()), 15_000);
    f.child.kill('SIGINT');
    await f.child;
    expect(f.stderr().match(new RegExp(`container \\S+ \\(${c.id.slice(0, 12)}\\) was removed`, 'g'))).toHaveLength(1);
  });

  it('logs -f --until <future> follows a container that starts later, up to the until time, then exits 0', async () => {
    const project = uniqueName('p3');
    // 20 s: under a load average of 20 a container's create and start take seconds
    const f = spawn(['logs', '-f', '--json', '--project', project, '--until', inSeconds(20)]);
    // a first container's line printed: berth is following the project; the second starts after that
    await keep(runContainer({ name: uniqueName('p3a'), cmd: 'echo first; sleep 60', labels: { [PROJECT]: project } }));
    await f.out.until((ls) => ls.length >= 1, 20_000);
    expect(f.child.exitCode).toBe(null);
    const later = await keep(runContainer({ name: uniqueName('p3c'), cmd: 'i=0; while [ $i -lt 35 ]; do i=$((i+1)); echo "line $i"; done; sleep 60', labels: { [PROJECT]: project } }));
    const res = await f.child;
    expect(res.exitCode).toBe(0);
    const recs = f.out.json<{ msg: string; id: string }>();
    expect(recs.filter((r) => r.id !== later.id).map((r) => r.msg)).toEqual(['first']);
    expect(recs.filter((r) => r.id === later.id).map((r) => r.msg)).toEqual(Array.from({ length: 35 }, (_, i) => `line ${i + 1}`));
  });

  it('stats --no-stream NAME over two engines, NAME on one: its sample and exit 0, in either order', async () => {
    const empty = await emptyEngine();
    try {
      const c = await keep(runContainer({ name: uniqueName('st4'), cmd: 'sleep 60' }));
      const name = (await c.inspect()).Name.slice(1);
      for (const hosts of [
        [socket, empty.host],
        [empty.host, socket],
      ]) {
        const res = await berth([...hosts.flatMap((h) => ['-H', h]), 'stats', '--no-stream', '--json', name]);
        expect(res.stderr).toBe('');
        expect(res.exitCode).toBe(0);
        expect(JSON.parse(res.stdout)).toMatchObject({ type: 'stats', id: c.id, name, engine: socket });
      }
    } finally {
      await empty.close();
    }
  });

  it('a name is found on whichever engine has it; "no such container" (exit 4) only when none has it', async () => {
    const empty = await emptyEngine();
    try {
      const c = await keep(runContainer({ name: uniqueName('n5'), cmd: 'echo from-the-real-engine' }));
      await c.wait();
      const name = (await c.inspect()).Name.slice(1);
      const found = await berth(['-H', empty.host, '-H', socket, 'logs', '--json', name]);
      expect(found.exitCode).toBe(0);
      expect(JSON.parse(found.stdout)).toMatchObject({ msg: 'from-the-real-engine', engine: socket });
      const none = await berth(['-H', empty.host, '-H', socket, 'logs', `${name}-nosuch`]);
      expect(none.exitCode).toBe(4);
      expect(none.stderr.split('\n')[0]).toBe(`berth: no such container: ${name}-nosuch`);
    } finally {
      await empty.close();
    }
  });

  it('one unreachable engine among several: the others are followed, stderr names it, and the run exits 3 at the end', { timeout: 120_000 }, async () => {
    const dead = await closedPort();
    const project = uniqueName('p6');
    await keep(runContainer({ name: uniqueName('p6c'), cmd: 'echo reachable; sleep 60', labels: { [PROJECT]: project } }));
    const logs = spawn(['-H', socket, '-H', dead, 'logs', '-f', '--json', '--project', project, '--until', inSeconds(20)]);
    const label = `berth.test.p6=${project}`;
    const events = spawn(['-H', dead, '-H', socket, 'events', '--json', '--filter', `label=${label}`, '--until', inSeconds(20)]);
    const [k, v] = label.split('=') as [string, string];
    // both follow: logs printed the running container's line; events printed a labelled container's die
    await logs.out.until((ls) => ls.length >= 1, 30_000);
    await waitFor(
      async () => {
        await keep(runContainer({ name: uniqueName('p6e'), cmd: 'true', labels: { [k]: v } }));
        return events.out.until((ls) => ls.some((l) => l.line.includes('"die"')), 3000).then(() => true);
      },
      30_000,
      0,
    );
    const [l, e] = await Promise.all([logs.child, events.child]);
    expect(logs.out.json<{ msg: string }>().map((r) => r.msg)).toEqual(['reachable']);
    expect(l.exitCode).toBe(3);
    expect(logs.stderr()).toContain(dead.replace('tcp://', ''));
    expect(events.out.json<{ action: string }>().map((r) => r.action)).toEqual(expect.arrayContaining(['create', 'start', 'die']));
    expect(e.exitCode).toBe(3);
    expect(events.stderr()).toMatch(/never answered/);
  });

  it('logs -f and short-lived run --rm containers: a removal is not a read failure, and lines are read while they exist', { timeout: 120_000 }, async () => {
    const project = uniqueName('p7');
    const f = spawn(['logs', '-f', '--json', '--project', project, '--until', inSeconds(40)]);
    // berth follows the project: a first container's line is printed (it is one line of its own, kept below)
    await keep(runContainer({ name: uniqueName('p7a'), cmd: 'echo "first $HOSTNAME"; sleep 60', labels: { [PROJECT]: project } }));
    await f.out.until((ls) => ls.length >= 1, 20_000);
    await burst(8, 'echo "quick $HOSTNAME"', { [PROJECT]: project });
    // 3 s of life: with 1 s, at a load average of 30 (three suites on 2 cores), a container was gone
    // (and its log with it, --rm) before its start event reached berth; that is a race no reader wins.
    await burst(6, 'echo "lingers $HOSTNAME"; sleep 3', { [PROJECT]: project });
    const res = await f.child;
    expect(f.stderr()).not.toMatch(/\(409\)|can not get logs|marked for removal/);
    expect(res.exitCode).toBe(0);
    const msgs = f.out.json<{ msg: string; id: string }>();
    expect(msgs.length).toBe(new Set(msgs.map((m) => m.id)).size); // one line each, none repeated
    expect(msgs.filter((m) => m.msg.startsWith('lingers '))).toHaveLength(6);
  });

  it('logs -f NAME ends when the named container is removed, as docker logs -f does', async () => {
    const c = await keep(runContainer({ name: uniqueName('n8'), cmd: 'echo up; sleep 60' }));
    const f = spawn(['logs', '-f', '--json', c.id]);
    await f.out.until((ls) => ls.length >= 1, 20_000);
    await c.remove({ force: true });
    await waitFor(() => f.child.exitCode !== null, 10_000).catch((err: Error) => {
      f.child.kill('SIGINT');
      throw err;
    });
    expect((await f.child).exitCode).toBe(0);
    expect(f.stderr()).toMatch(/was removed/);
  });
});
