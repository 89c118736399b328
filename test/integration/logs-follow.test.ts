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
  return d.stdout.trim().split('\n').map((l) => [l.slice(0, 30), l.slice(31)]);
}

describe('berth logs --follow', () => {
  it('follows a container through restarts with no repeated and no lost lines', async () => {
    // Each run prints the same five lines, then idles: only the timestamps tell runs apart.
    const c = await runContainer({ name: uniqueName('fr'), cmd: 'for i in 1 2 3 4 5; do echo "line $i"; sleep 0.1; done; sleep 30' });
    made.push(c);
    const f = follow([c.id]);
    await f.out.until((ls) => ls.length >= 5, 20_000);
    await c.restart({ t: 0 });
    await f.out.until((ls) => ls.length >= 10, 20_000);
    await c.stop({ t: 0 });
    await c.start();
    await f.out.until((ls) => ls.length >= 15, 20_000);
    await new Promise((r) => setTimeout(r, 1000)); // let any repeat arrive before judging
    f.child.kill('SIGINT');
    const res = await f.child;
    expect(res.exitCode).toBe(130);
    expect(f.stderr()).toBe('');
    const ours = f.recs().map((r) => [r.ts, r.msg]);
    expect(ours).toEqual(await dockerLines(c.id));
    expect(ours).toHaveLength(15);
  });

  it('takes in a container that joins the --project while following, merges in time order, and reports its removal', async () => {
    const project = uniqueName('proj');
    const labels = (service: string) => ({ 'com.docker.compose.project': project, 'com.docker.compose.service': service });
    const early = await runContainer({ name: uniqueName('pa'), labels: labels('api'), cmd: 'i=0; while true; do i=$((i+1)); echo "api $i"; sleep 0.1; done' });
    made.push(early);
    const f = follow(['--project', project, '--summary']);
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
});
