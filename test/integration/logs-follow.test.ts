import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import net from 'node:net';
import type Docker from 'dockerode';
import { BERTH_BIN, removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';

const made: Docker.Container[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

interface Rec {
  type: string;
  ts: string;
  id: string;
  name: string;
  project?: string;
  service?: string;
  stream: string;
  msg: string;
  scope?: string;
  lines?: number;
}

function follow(args: string[]) {
  const child = execa('node', [BERTH_BIN, 'logs', '--follow', '--json', ...args], { reject: false });
  const out = new LineCollector(child.stdout!);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return { child, out, stderr: () => stderr, recs: () => out.json<Rec>() };
}

/** docker logs -t as [ts, msg] pairs. */
async function dockerLines(id: string): Promise<string[][]> {
  const d = await execa('docker', ['logs', '-t', id]);
  return d.stdout
    .trim()
    .split('\n')
    .map((l) => [l.slice(0, 30), l.slice(31)]);
}

describe('berth logs --follow', () => {
  it.each([false, true])('follows a container through restarts with no repeated and no lost lines (tty: %s)', async (tty) => {
    // Each run prints the same five lines, then idles: only the timestamps tell runs apart.
    const c = await runContainer({ name: uniqueName('fr'), tty, cmd: 'for i in 1 2 3 4 5; do echo "line $i"; sleep 0.1; done; sleep 30' });
    made.push(c);
    const f = follow([c.id]);
    await f.out.until((ls) => ls.length >= 5, 20_000);
    await c.restart({ t: 0 });
    await f.out.until((ls) => ls.length >= 10, 20_000);
    await c.stop({ t: 0 });
    await c.start();
    await f.out.until((ls) => ls.length >= 15, 20_000);
    // a fourth run: its lines come after any repeat of the earlier ones (one container's lines arrive in order)
    await c.stop({ t: 0 });
    await c.start();
    await f.out.until((ls) => ls.length >= 20, 20_000);
    f.child.kill('SIGINT');
    const res = await f.child;
    expect(res.exitCode).toBe(130);
    expect(f.stderr()).toBe('');
    const ours = f.recs().map((r) => [r.ts, r.msg]);
    expect(ours).toEqual((await dockerLines(c.id)).map(([ts, msg]) => [ts, msg!.replace(/\r$/, '')]));
    expect(ours).toHaveLength(20);
    expect(ours.map((r) => r[1])).toEqual([1, 2, 3, 4].flatMap(() => [1, 2, 3, 4, 5].map((i) => `line ${i}`)));
  });

  it('takes in a container that joins the --project while following, merges in time order, and reports its removal', async () => {
    const project = uniqueName('proj');
    const labels = (service: string) => ({ 'com.docker.compose.project': project, 'com.docker.compose.service': service });
    const early = await runContainer({ name: uniqueName('pa'), labels: labels('api'), cmd: 'i=0; while true; do i=$((i+1)); echo "api $i"; sleep 0.1; done' });
    made.push(early);
    // A joining container is attached a moment after it started (an event, a lookup, a request): on a loaded
    // machine its first lines can arrive a second late, so the window here is wider than the default.
    const f = follow(['--project', project, '--summary', '--reorder-window', '3s']);
    await f.out.until((ls) => ls.length >= 3, 20_000);
    const late = await runContainer({ name: uniqueName('pb'), labels: labels('web'), cmd: 'i=0; while true; do i=$((i+1)); echo "web $i"; sleep 0.1; done' });
    made.push(late);
    const lateId = (await late.inspect()).Id;
    await f.out.until((ls) => ls.filter((l) => l.line.includes('"web ')).length >= 5, 20_000);
    await late.remove({ force: true });
    await waitFor(() => /was removed/.test(f.stderr()), 20_000);
    f.child.kill('SIGINT');
    const res = await f.child;
    expect(res.exitCode).toBe(130);
    expect(f.stderr()).toMatch(new RegExp(`^berth: container [^ ]+ \\(${lateId.slice(0, 12)}\\) was removed; its logs end here\\n$`));

    const recs = f.recs();
    const logs = recs.filter((r) => r.type === 'log');
    const web = logs.filter((r) => r.id === lateId);
    expect(web[0]).toMatchObject({ project, service: 'web', msg: 'web 1' }); // from its first line
    expect(web.map((r) => r.msg)).toEqual(web.map((_, i) => `web ${i + 1}`));
    // merged in timestamp order across both containers
    expect(logs.map((r) => r.ts)).toEqual(logs.map((r) => r.ts).sort());
    // Ctrl-C printed the summary
    const sums = recs.filter((r) => r.type === 'summary');
    expect(sums.map((r) => r.scope)).toEqual(['container', 'container', 'all']);
    expect(sums.at(-1)!.lines).toBe(logs.length);
  });

  it('prints what is already written in exact time order before following (even with no reorder window)', async () => {
    const script = (tag: string) => `for i in $(seq 1 150); do echo "${tag} $i"; sleep 0.01; done; sleep 30`;
    const [a, b] = await Promise.all([runContainer({ name: uniqueName('ha'), cmd: script('A') }), runContainer({ name: uniqueName('hb'), cmd: script('B') })]);
    made.push(a, b);
    await waitFor(async () => (await dockerLines(a.id)).length === 150 && (await dockerLines(b.id)).length === 150, 30_000);
    const merged = await execa('node', [BERTH_BIN, 'logs', '--json', a.id, b.id]);
    const f = follow(['--reorder-window', '0', a.id, b.id]);
    await f.out.until((ls) => ls.length >= 300, 20_000);
    f.child.kill('SIGINT');
    expect((await f.child).exitCode).toBe(130);
    const want = merged.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Rec);
    expect(want).toHaveLength(300);
    // Really interleaved: the two containers wrote at the same time, so the merge switches between them
    // many times (counted over the whole history: on a loaded machine one may start a little later).
    const switches = want.filter((r, i) => i > 0 && r.msg[0] !== want[i - 1]!.msg[0]).length;
    expect(switches).toBeGreaterThan(5);
    expect(f.recs().map((r) => [r.ts, r.msg])).toEqual(want.map((r) => [r.ts, r.msg]));
  });

  it("with --tail 0, a restart brings only the new run's lines, not the history", async () => {
    const ticker = await runContainer({ name: uniqueName('tick'), cmd: 'while true; do echo tick; sleep 0.2; done' });
    const quiet = await runContainer({ name: uniqueName('quiet'), cmd: 'echo "run started"; sleep 30' });
    made.push(ticker, quiet);
    await waitFor(async () => (await dockerLines(quiet.id)).length === 1);
    const f = follow(['--tail', '0', '--since', '1h', ticker.id, quiet.id]);
    await f.out.until((ls) => ls.some((l) => l.line.includes('"tick"')), 20_000); // attached
    expect(f.recs().filter((r) => r.msg === 'run started')).toHaveLength(0);
    await quiet.restart({ t: 0 });
    await f.out.until((ls) => ls.some((l) => l.line.includes('run started')), 20_000);
    const marker = f.out.lines.length;
    await f.out.until((ls) => ls.length >= marker + 5, 20_000); // a second more of ticks: any repeat would be here
    f.child.kill('SIGINT');
    expect((await f.child).exitCode).toBe(130);
    const runs = f.recs().filter((r) => r.msg === 'run started');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.ts).toBe((await dockerLines(quiet.id))[1]![0]);
  });

  it('survives a dropped engine connection: reconnects and resumes with no repeated and no lost lines', async () => {
    const proxy = await EngineProxy.start();
    try {
      const c = await runContainer({ name: uniqueName('drop'), cmd: 'i=0; while true; do i=$((i+1)); echo "beat $i"; sleep 0.1; done' });
      made.push(c);
      const child = execa('node', [BERTH_BIN, 'logs', '--follow', '--json', c.id], { reject: false, env: { DOCKER_HOST: `tcp://127.0.0.1:${proxy.port}`, DOCKER_CONTEXT: '' } });
      const out = new LineCollector(child.stdout!);
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += String(d)));
      await out.until((ls) => ls.length >= 5, 20_000);
      // the engine is unreachable until berth says so; the container keeps writing
      await proxy.close();
      await waitFor(() => /lost the engine/.test(stderr), 20_000);
      await proxy.listen(proxy.port);
      const seen = out.lines.length;
      await out.until((ls) => ls.length >= seen + 20, 30_000);
      await c.stop({ t: 0 });
      // every line docker has (the container is stopped: its log is complete) has been printed
      const all = (await dockerLines(c.id)).length;
      await out.until((ls) => ls.length >= all, 20_000);
      child.kill('SIGINT');
      expect((await child).exitCode).toBe(130);
      expect(stderr).toMatch(/lost the engine/);
      expect(stderr).toMatch(/reconnected to the engine/);
      const ours = out.json<Rec>().map((r) => [r.ts, r.msg]);
      const theirs = await dockerLines(c.id);
      expect(ours).toEqual(theirs);
    } finally {
      await proxy.close();
    }
  });
});

/** A TCP proxy to the engine's unix socket that can go away and come back, as an engine restart looks to a client. */
class EngineProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  static async start(): Promise<EngineProxy> {
    const p = new EngineProxy();
    await p.listen(0);
    return p;
  }

  listen(port: number): Promise<void> {
    const target = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock';
    this.server = net.createServer((client) => {
      const upstream = net.connect(target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => this.sockets.delete(s));
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    return new Promise((resolve) =>
      this.server!.listen(port, '127.0.0.1', () => {
        this.port = (this.server!.address() as net.AddressInfo).port;
        resolve();
      }),
    );
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
