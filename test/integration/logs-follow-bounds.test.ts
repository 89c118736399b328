/**
 * `logs --follow` applies --since and --tail to every container of a selection, whenever it joins, as
 * `docker logs -f` applies them to one: a container that starts after berth brings no line of its earlier
 * life that the bound leaves out, and a container's second life (stop, then start: sleep and wake) brings
 * no line from before the bound back.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import type Docker from 'dockerode';
import { BERTH_BIN, removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';

const made: Docker.Container[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

interface Rec {
  id: string;
  ts: string;
  msg: string;
}

function follow(args: string[]) {
  const child = execa('node', [BERTH_BIN, 'logs', '--follow', '--json', ...args], { reject: false });
  const out = new LineCollector(child.stdout!);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const of = (id: string) => out.json<Rec>().filter((r) => r.id === id);
  return { child, out, stderr: () => stderr, of };
}

/** docker logs -t (with extra flags) as [ts, msg] pairs. */
async function dockerLines(id: string, flags: string[] = []): Promise<string[][]> {
  const d = await execa('docker', ['logs', '-t', ...flags, id]);
  const text = d.stdout.trim();
  return text ? text.split('\n').map((l) => [l.slice(0, 30), l.slice(31)]) : [];
}

const ticker = () => runContainer({ name: uniqueName('tick'), cmd: 'while true; do echo tick; sleep 0.2; done' });
const running = async (c: Docker.Container) => (await c.inspect()).State.Running;

/** Waits for `n` more ticks after now: a positive signal that berth went on reading past what is judged. */
async function moreTicks(f: ReturnType<typeof follow>, tickId: string, n: number): Promise<void> {
  const seen = f.of(tickId).length;
  await f.out.until(() => f.of(tickId).length >= seen + n, 20_000);
}

/**
 * A container that ran once (`firstLife` lines) and is stopped, beside a ticker, both labelled `tag`; berth
 * follows the running ones of the label (status=running: the stopped one is not in the selection at the
 * start), then the stopped one starts again and joins. Resolves when its line `last` was printed and five
 * ticks more.
 */
async function lateJoin(cmd: string, firstLife: number, flags: (since: string) => string[], last: string) {
  const tag = uniqueName('late');
  const labels = { 'berth.test.select': tag };
  const late = await runContainer({ name: uniqueName('late'), labels, cmd });
  const tick = await runContainer({ name: uniqueName('tick'), labels, cmd: 'while true; do echo tick; sleep 0.2; done' });
  made.push(late, tick);
  await waitFor(async () => !(await running(late)) && (await dockerLines(late.id)).length === firstLife, 20_000);
  const since = new Date().toISOString();
  const f = follow(['--filter', `label=berth.test.select=${tag}`, '--filter', 'status=running', ...flags(since)]);
  const [tickId, lateId] = [(await tick.inspect()).Id, (await late.inspect()).Id];
  await f.out.until(() => f.of(tickId).length > 0, 20_000); // following
  await late.start();
  await f.out.until(() => f.of(lateId).some((r) => r.msg === last), 30_000);
  await moreTicks(f, tickId, 5);
  f.child.kill('SIGINT');
  expect((await f.child).exitCode).toBe(130);
  return { id: lateId, since, ours: f.of(lateId).map((r) => [r.ts, r.msg]), all: await dockerLines(lateId) };
}

describe('berth logs --follow: bounds for every container, whenever it starts', () => {
  it.each([
    ['--since', (t: string) => ['--since', t], 3],
    ['--tail 0', () => ['--tail', '0'], 3],
    ['--tail 1', () => ['--tail', '1'], 2], // the last line written before berth began, then the new life
  ])('a container that starts after berth gets %s as docker logs would: no line of its earlier life it leaves out', async (_label, bound, from) => {
    const cmd = 'echo "life line 1"; echo "life line 2"; echo "life line 3"';
    const { id, since, ours, all } = await lateJoin(cmd, 3, bound, 'life line 3');
    expect(all).toHaveLength(6);
    expect(await dockerLines(id, ['--since', since])).toEqual(all.slice(3)); // docker's own answer for --since
    expect(ours).toEqual(all.slice(from));
  });

  it('--tail N of a late container is its last N lines before berth began, however many it wrote since', async () => {
    // The first life writes two lines; the second (the file in the container's own filesystem says which) 3,000 at once:
    // more than the first tail read holds, so the read grows until it reaches back before the cut.
    const cmd = 'if [ -f /life ]; then seq 1 3000; else touch /life; echo "old 1"; echo "old 2"; fi';
    const { ours, all } = await lateJoin(cmd, 2, () => ['--tail', '1'], '3000');
    expect(all).toHaveLength(3002);
    expect(ours).toEqual(all.slice(1));
  });

  it.each([
    ['--tail 2', 'for i in 1 2 3 4 5 6; do echo "burst $i"; done; sleep 60', async () => ['--tail', '2']],
    ['--since', 'echo before; sleep 0.5; echo after; sleep 60', async (id: string) => ['--since', (await dockerLines(id))[1]![0]!]],
  ])("a container's second life (stop, start) with %s brings no line from before the bound", async (_label, cmd, bound) => {
    const c = await runContainer({ name: uniqueName('wake'), cmd });
    const tick = await ticker();
    made.push(c, tick);
    const id = (await c.inspect()).Id;
    const tickId = (await tick.inspect()).Id;
    const firstLife = cmd.startsWith('for') ? 6 : 2;
    await waitFor(async () => (await dockerLines(id)).length === firstLife, 20_000);
    const flags = await bound(id);
    const f = follow([...flags, id, tickId]);
    await f.out.until(() => f.of(id).length > 0 && f.of(tickId).length > 0, 20_000);
    await c.stop({ t: 0 }); // asleep
    await c.start(); // awake: the same lines again
    await waitFor(async () => (await dockerLines(id)).length === 2 * firstLife, 20_000);
    const want = flags[0] === '--tail' ? (await dockerLines(id)).slice(firstLife - 2) : await dockerLines(id, flags);
    await f.out.until(() => f.of(id).length >= want.length, 20_000);
    await moreTicks(f, tickId, 5);
    f.child.kill('SIGINT');
    expect((await f.child).exitCode).toBe(130);
    expect(f.stderr()).toBe('');
    expect(f.of(id).map((r) => [r.ts, r.msg])).toEqual(want);
  });
});
