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
import { REAL_IMAGE, requireRealImage } from '../helpers/real-image.js';

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

/** Debian's nginx (berth-test/real) answering 200 on 8080, its access log and notices on the container's output. */
const NGINX_CMD = [
  'printf "%s\\n" "worker_processes 1;" "pid /tmp/nginx.pid;" "error_log stderr notice;" "events { worker_connections 64; }"',
  '"http { access_log /dev/stdout; client_body_temp_path /tmp/b; proxy_temp_path /tmp/p; server { listen 8080; location / { return 200 ok; } } }" > /tmp/n.conf',
  '&& exec nginx -c /tmp/n.conf -g "daemon off;"',
].join(' ');

/** docker logs -t of both streams (nginx's notices go to stderr), in time order. */
async function dockerBoth(id: string, flags: string[]): Promise<string[][]> {
  const d = await execa('docker', ['logs', '-t', ...flags, id]);
  const lines = [d.stdout, d.stderr].flatMap((t) => (t.trim() ? t.trim().split('\n') : []));
  return lines.map((l) => [l.slice(0, 30), l.slice(31)]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

/** `n` requests to the container's nginx from inside it (Debian's Python), once it answers. */
async function requests(name: string, path: string, n: number): Promise<void> {
  const script = `import urllib.request as u\nfor i in range(${n}): u.urlopen('http://127.0.0.1:8080/${path}%d' % i).read()`;
  await waitFor(async () => (await execa('docker', ['exec', name, 'python3', '-c', script], { reject: false })).exitCode === 0, 30_000, 200);
}

describe('berth logs --follow --since on real nginx across sleep and wake', () => {
  it.each([
    ['asleep when berth begins (a late container)', true],
    ['awake when berth begins, then stopped and started', false],
  ])('%s: prints the access lines from --since on, as docker logs --since does, none from before', async (_label, asleepFirst) => {
    await requireRealImage();
    const name = uniqueName('nginx-bounds');
    const tag = uniqueName('nginx-sel');
    const labels = { 'berth.test.select': tag };
    const web = await runContainer({ name, image: REAL_IMAGE, labels, cmd: NGINX_CMD });
    const tick = await runContainer({ name: uniqueName('tick'), labels, cmd: 'while true; do echo tick; sleep 0.2; done' });
    made.push(web, tick);
    const [webId, tickId] = [(await web.inspect()).Id, (await tick.inspect()).Id];
    await requests(name, 'before', 3);
    await waitFor(async () => (await dockerLines(webId)).filter(([, m]) => m!.includes('GET /before')).length === 3, 20_000);
    if (asleepFirst) await web.stop({ t: 5 });
    const since = new Date().toISOString();
    const f = follow(['--filter', `label=berth.test.select=${tag}`, '--since', since]);
    await f.out.until(() => f.of(tickId).length > 0, 20_000); // following
    if (!asleepFirst) await web.stop({ t: 5 }); // asleep
    await web.start(); // awake: a second life, the same log
    await requests(name, 'after', 2);
    const want = await dockerBoth(webId, ['--since', since]);
    expect(want.filter(([, m]) => m!.includes('GET /after'))).toHaveLength(2);
    expect(want.some(([, m]) => m!.includes('GET /before'))).toBe(false); // docker's own answer
    expect(want.some(([, m]) => m!.includes('start worker process'))).toBe(true); // the second life's notices, on stderr
    await f.out.until(() => f.of(webId).length >= want.length, 20_000);
    await moreTicks(f, tickId, 5);
    f.child.kill('SIGINT');
    expect((await f.child).exitCode).toBe(130);
    expect(f.stderr()).toBe('');
    expect(f.of(webId).map((r) => [r.ts, r.msg])).toEqual(want);
  });
});
